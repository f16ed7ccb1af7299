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

    @Test
    void demo_startsAndAnswers_orFailsWithAClearMessage() throws Exception {
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
            if (line == null) {
                // The demo refused to start: only acceptable with the clear message and exit 1.
                assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(process.exitValue()).isEqualTo(1);
                assertThat(read(process.getErrorStream())).contains("the demo cannot start: the default policy did not load");
                return;
            }
            Matcher m = PROXY_LINE.matcher(line);
            assertThat(m.find()).as(line).isTrue();
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> ordinary = client.send(HttpRequest.newBuilder(URI.create(m.group(1) + "/hello"))
                    .header("X-Forwarded-For", DemoCommand.ORDINARY_IP).header("X-Gatehouse-Verdict", "forged")
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ordinary.statusCode()).isEqualTo(200);
            assertThat(ordinary.body()).contains("X-Gatehouse-Verdict: allow").doesNotContain("forged");
        } finally {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
