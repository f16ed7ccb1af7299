package dev.gatehouse.proxy.cli;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runnable jar as users run it ({@code java -jar target/gatehouse-proxy.jar …}): main class, merged
 * service files, bundled resources, real engine and default policy.
 */
class ShadedJarIT {

    private static final Path JAR = Path.of("target", "gatehouse-proxy.jar");
    private static final Pattern PROXY_LINE = Pattern.compile("proxy (http://127\\.0\\.0\\.1:\\d+)");

    private record Run(int exit, String out, String err) {}

    private static Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).start();
    }

    private static Run run(String... args) throws Exception {
        Process process = start(args);
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("finished within 60 s").isTrue();
        return new Run(process.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void jar_exists() {
        assertThat(Files.isRegularFile(JAR)).as(JAR + " is built by the package phase").isTrue();
    }

    @Test
    void lookup_printsSignalsJson() throws Exception {
        Run run = run("lookup", "192.0.2.1");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("\"ip\"").contains("\"192.0.2.1\"").contains("\"sources\"");
    }

    @Test
    void lookup_invalidIp_exit2() throws Exception {
        Run run = run("lookup", "not-an-ip");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("not-an-ip");
    }

    /** Issue 2's "done when", end to end through the jar: an ordinary visitor passes, a Tor exit is blocked. */
    @Test
    void demo_allowsAnOrdinaryVisitor_andBlocksATorExitNamingTheRule() throws Exception {
        Process process = start("demo", "--listen", "127.0.0.1:0", "--admin", "off");
        try {
            CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
                try {
                    return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
                } catch (IOException e) {
                    return null;
                }
            });
            String line = firstLine.get(60, TimeUnit.SECONDS);
            assertThat(line).as("the demo's first line; stderr: %s", line == null ? read(process.getErrorStream()) : "").isNotNull();
            Matcher m = PROXY_LINE.matcher(line);
            assertThat(m.find()).as(line).isTrue();
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

            HttpResponse<String> ordinary = client.send(HttpRequest.newBuilder(URI.create(m.group(1) + "/hello"))
                    .header("X-Forwarded-For", DemoCommand.ORDINARY_IP).header("User-Agent", DemoCommand.BROWSER_UA)
                    .header("X-Gatehouse-Verdict", "forged")
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ordinary.statusCode()).isEqualTo(200);
            assertThat(ordinary.body()).contains("X-Gatehouse-Verdict: allow").contains("X-Gatehouse-Rule: default/allow")
                    .doesNotContain("forged");

            HttpResponse<String> tor = client.send(HttpRequest.newBuilder(URI.create(m.group(1) + "/hello"))
                    .header("X-Forwarded-For", DemoCommand.TOR_EXIT).header("Accept", "application/json")
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(tor.statusCode()).isEqualTo(403);
            assertThat(tor.body()).contains("\"verdict\":\"block\"").contains("rule/block-tor");
        } finally {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void policyCheck_misspeltKey_exit1WithLineAndColumn(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path policy = dir.resolve("typo.yaml");
        Files.writeString(policy, """
                default: allow
                rules:
                  - name: block-tor
                    whem:
                      tor: true
                    action: block
                """);

        Run run = run("policy", "check", policy.toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out() + run.err()).contains(policy + ":4:5:").contains("'whem'").contains("did you mean 'when'");
    }

    @Test
    void policyTest_libraryPolicies_pass() throws Exception {
        Run run = run("policy", "test", Path.of("..", "policies").toString());

        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("0 failed");
    }
}
