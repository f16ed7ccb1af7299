package dev.gatehouse.proxy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.api.BotCategory;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.crawler.UserAgentClassifier;
import dev.gatehouse.policy.PolicyProblem;
import dev.gatehouse.proxy.Doubles;
import dev.gatehouse.proxy.ProxyConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class GatehouseCliTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final TestEnv env = new TestEnv();

    @Test
    void policyCheck_validFiles_printOkAndExit0() {
        int exit = env.run("policy", "check", "a.yaml", "b.yaml");

        assertThat(exit).isZero();
        assertThat(env.out()).isEqualTo("a.yaml: ok\nb.yaml: ok\n");
    }

    @Test
    void policyCheck_problems_printFileLineColumnAndExit1() {
        env.checker = file -> file.toString().equals("bad.yaml")
                ? List.of(new PolicyProblem("bad.yaml", 3, 5, "rules[0]", PolicyProblem.Kind.UNKNOWN_KEY, "unknown key 'whn' (did you mean 'when'?)"),
                          new PolicyProblem("bad.yaml", 9, 11, "rules[1].when", PolicyProblem.Kind.BAD_CIDR, "bad CIDR '10.0.0.0/33'"))
                : List.of();

        int exit = env.run("policy", "check", "good.yaml", "bad.yaml");

        assertThat(exit).isEqualTo(1);
        assertThat(env.out()).isEqualTo("""
                good.yaml: ok
                bad.yaml:3:5: unknown key 'whn' (did you mean 'when'?)
                bad.yaml:9:11: bad CIDR '10.0.0.0/33'
                """);
        assertThat(env.err()).contains("2 problems found");
    }

    @Test
    void policyCheck_noFile_isUsageError() {
        assertThat(env.run("policy", "check")).isEqualTo(2);
        assertThat(env.err()).contains("FILE");
    }

    @Test
    void policyTest_exitCodeFollowsFailures() {
        List<Path> seen = new ArrayList<>();
        env.policyTests = (paths, out) -> {
            seen.addAll(paths);
            out.println("1 failed");
            return 1;
        };

        assertThat(env.run("policy", "test", "policies/", "extra.yaml")).isEqualTo(1);
        assertThat(seen).containsExactly(Path.of("policies/"), Path.of("extra.yaml"));
        assertThat(env.out()).contains("1 failed");

        TestEnv passing = new TestEnv();
        assertThat(passing.run("policy", "test", "policies/")).isZero();
    }

    @Test
    void ua_printsNameAndCategoryOrDashes() {
        env.stdin = "Mozilla/5.0 (compatible; Googlebot/2.1)\nMozilla/5.0 (X11; Linux) Firefox/130\n";
        env.userAgents = ua -> ua.contains("Googlebot")
                ? new UserAgentClassifier.Classification(new UserAgentClassifier.BotClaim("Googlebot", BotCategory.SEARCH), "catalog: token googlebot")
                : new UserAgentClassifier.Classification(null, null);

        assertThat(env.run("ua")).isZero();
        assertThat(env.out()).isEqualTo("Googlebot\tsearch\n-\t-\n");
    }

    @Test
    void ua_why_addsTheDecidingPattern() {
        env.stdin = "curl/8.5.0\nElectronApp\nMozilla/5.0 (X11; Linux) Firefox/130\n";
        env.userAgents = ua -> switch (ua) {
            case "curl/8.5.0" -> new UserAgentClassifier.Classification(
                    new UserAgentClassifier.BotClaim("curl", BotCategory.AUTOMATION), "gatehouse: \\bcurl/");
            case "ElectronApp" -> new UserAgentClassifier.Classification(null, "browser: \\bElectron/\\d");
            default -> new UserAgentClassifier.Classification(null, null);
        };

        assertThat(env.run("ua", "--why")).isZero();
        assertThat(env.out()).isEqualTo("curl\tautomation\tgatehouse: \\bcurl/\n-\t-\tbrowser: \\bElectron/\\d\n-\t-\t-\n");
    }

    @Test
    void lookup_printsSignalsJson() throws Exception {
        assertThat(env.run("lookup", Doubles.TOR_IP)).isZero();

        JsonNode json = MAPPER.readTree(env.out());
        assertThat(json.get("tor").get("value").asBoolean()).isTrue();
        assertThat(json.get("sources").get("embedded:tor").get("age_seconds").asLong()).isEqualTo(12 * 3600);
    }

    @Test
    void lookup_invalidIp_exit2NamingTheInput() {
        assertThat(env.run("lookup", "google.com")).isEqualTo(2);
        assertThat(env.err()).contains("google.com").contains("error:");
        assertThat(env.out()).isEmpty();
    }

    @Test
    void lookup_provider_unknownName_exit2WithSuggestion() {
        assertThat(env.run("lookup", "1.1.1.1", "--provider", "iptrsut", "--api-key", "k")).isEqualTo(2);
        assertThat(env.err()).contains("did you mean 'iptrust'");
    }

    @Test
    void lookup_dnsServersReachTheEngine() {
        AtomicReference<String> dns = new AtomicReference<>();
        env.engines = (servers, budget) -> {
            dns.set(servers.toString());
            return Doubles.engine();
        };

        assertThat(env.run("lookup", "192.0.2.1", "--dns-server", "127.0.0.1:5353")).isZero();
        assertThat(dns.get()).isEqualTo("[127.0.0.1:5353]");
    }

    @Test
    void explain_printsDecisionJson() throws Exception {
        AtomicReference<RequestFacts> seen = new AtomicReference<>();
        env.engines = (dns, budget) -> facts -> {
            seen.set(facts);
            return CompletableFuture.completedFuture(Doubles.signals(facts.clientIp()));
        };

        int exit = env.run("explain", "--ip", Doubles.TOR_IP, "--user-agent", "curl/8", "--method", "post", "--path", "/login",
                "--header", "X-Api-Key: abc");

        assertThat(exit).isZero();
        JsonNode json = MAPPER.readTree(env.out());
        assertThat(json.get("verdict").asText()).isEqualTo("block");
        assertThat(json.get("rule").asText()).isEqualTo("rule/block-tor");
        assertThat(json.get("signals").get("tor").get("value").asBoolean()).isTrue();
        assertThat(json.get("trace").get(0).get("detail").asText()).contains("tor == true");
        assertThat(json.get("timings").has("engine_ms")).isTrue();
        assertThat(seen.get().method()).isEqualTo("POST");
        assertThat(seen.get().path()).isEqualTo("/login");
        assertThat(seen.get().userAgent()).isEqualTo("curl/8");
        assertThat(seen.get().header("x-api-key")).isEqualTo("abc");
    }

    @Test
    void explain_policyFileIsUsed() {
        AtomicReference<Path> loaded = new AtomicReference<>();
        env.policyFile = file -> {
            loaded.set(file);
            return Doubles.policy();
        };

        assertThat(env.run("explain", "--ip", "192.0.2.1", "--policy", "mine.yaml")).isZero();
        assertThat(loaded.get()).isEqualTo(Path.of("mine.yaml"));
    }

    @Test
    void explain_policyThatDoesNotLoad_exit1WithProblems() {
        env.policyFile = file -> {
            throw TestEnv.policyError(file.toString());
        };

        assertThat(env.run("explain", "--ip", "192.0.2.1", "--policy", "broken.yaml")).isEqualTo(1);
        assertThat(env.err()).contains("broken.yaml:4:7: unknown key 'whn'");
    }

    @Test
    void explain_badHeaderOrIp_exit2() {
        assertThat(env.run("explain", "--ip", "192.0.2.1", "--header", "no-colon")).isEqualTo(2);
        assertThat(env.err()).contains("no-colon");
        TestEnv other = new TestEnv();
        assertThat(other.run("explain", "--ip", "1.2.3")).isEqualTo(2);
        assertThat(other.err()).contains("'1.2.3'");
    }

    @Test
    void run_flagsOverrideTheConfigFile(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("gatehouse.yaml");
        Files.writeString(config, """
                listen: 0.0.0.0:8000
                upstream: http://127.0.0.1:3000
                budget: 25ms
                trusted-proxies: [10.0.0.0/8]
                """);
        AtomicReference<ProxyConfig> started = new AtomicReference<>();
        env.starter = c -> {
            started.set(c);
            return null;
        };

        int exit = env.run("run", "--config", config.toString(), "--listen", "127.0.0.1:9000", "--budget", "80ms",
                "--trusted-proxy", "192.0.2.0/24", "--trusted-proxy", "198.51.100.1", "--trusted-proxy", "loopback", "--admin", "off",
                "--fail-closed");

        assertThat(exit).isZero();
        ProxyConfig c = started.get();
        assertThat(c.listen()).hasToString("127.0.0.1:9000");
        assertThat(c.upstream()).hasToString("http://127.0.0.1:3000");
        assertThat(c.budget()).isEqualTo(Duration.ofMillis(80));
        assertThat(c.settings().trustedProxies()).containsExactly("192.0.2.0/24", "198.51.100.1", "loopback");
        assertThat(c.admin()).isNull();
        assertThat(c.failClosed()).isTrue();
    }

    @Test
    void run_upstreamFlag_replacesTheFilesList(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("gatehouse.yaml");
        Files.writeString(config, "upstream: [http://10.0.0.1:3000, http://10.0.0.2:3000]\npreserve-host: false\n");
        AtomicReference<ProxyConfig> started = new AtomicReference<>();
        env.starter = c -> {
            started.set(c);
            return null;
        };

        assertThat(env.run("run", "--config", config.toString(), "--upstream", "http://127.0.0.1:5000")).isZero();

        assertThat(started.get().upstreams().targets()).extracting(Object::toString).containsExactly("http://127.0.0.1:5000");
        assertThat(started.get().upstreams().preserveHost()).isFalse();
    }

    @Test
    void run_withoutConfig_flagsAlone() {
        AtomicReference<ProxyConfig> started = new AtomicReference<>();
        env.starter = c -> {
            started.set(c);
            return null;
        };

        assertThat(env.run("run", "--upstream", "http://127.0.0.1:3000", "--policy", "p.yaml")).isZero();
        assertThat(started.get().policy()).isEqualTo(Path.of("p.yaml"));
        assertThat(started.get().admin()).isEqualTo(ProxyConfig.DEFAULT_ADMIN);
    }

    @Test
    void run_refreshesThePublicFeedsByDefault_dataRefreshOffOptsOut(@TempDir Path dir) throws Exception {
        AtomicReference<ProxyConfig> started = new AtomicReference<>();
        env.starter = c -> {
            started.set(c);
            return null;
        };
        assertThat(env.run("run", "--upstream", "http://127.0.0.1:3000")).isZero();
        assertThat(started.get().settings().data().publicFeedsOn()).isTrue();
        assertThat(started.get().settings().data().refreshInterval()).isEqualTo(Duration.ofHours(6));

        Path config = Files.writeString(dir.resolve("gatehouse.yaml"), "upstream: http://127.0.0.1:3000\ndata:\n  refresh: off\n");
        assertThat(env.run("run", "--config", config.toString())).isZero();
        assertThat(started.get().settings().data().publicFeedsOn()).isFalse();
        assertThat(started.get().settings().data().refreshInterval()).isNull();

        Files.writeString(config, "upstream: http://127.0.0.1:3000\ndata:\n  public-feeds: false\n");
        assertThat(env.run("run", "--config", config.toString())).isZero();
        assertThat(started.get().settings().data().publicFeedsOn()).isFalse();
    }

    @Test
    void run_badConfig_exit2NamingTheKey(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("gatehouse.yaml");
        Files.writeString(config, "upstream: http://127.0.0.1:3000\nbudget: soon\n");

        assertThat(env.run("run", "--config", config.toString())).isEqualTo(2);
        assertThat(env.err()).contains("gatehouse.yaml:2:9: budget: expected a duration such as 50ms");
    }

    @Test
    void run_badFlag_namesTheFlag() {
        assertThat(env.run("run", "--upstream", "http://127.0.0.1:3000", "--budget", "soon")).isEqualTo(2);
        assertThat(env.err()).contains("option --budget: budget: expected a duration such as 50ms");
    }

    @Test
    void run_oldBudgetMsFlag_stillWorksWithAWarning() {
        AtomicReference<ProxyConfig> started = new AtomicReference<>();
        env.starter = c -> {
            started.set(c);
            return null;
        };
        assertThat(env.run("run", "--upstream", "http://127.0.0.1:3000", "--budget-ms", "80")).isZero();
        assertThat(started.get().budget()).isEqualTo(Duration.ofMillis(80));
        assertThat(env.err()).contains("--budget-ms is deprecated; use --budget 80ms");
    }

    @Test
    void run_missingConfigFile_saysNoSuchFileAndWhere(@TempDir Path dir) {
        Path missing = dir.resolve("gatehouse.yaml");
        assertThat(env.run("run", "--config", missing.toString())).isEqualTo(2);
        assertThat(env.err()).contains(missing + ": no such file (looked for " + missing.toAbsolutePath() + ")");
    }

    @Test
    void run_missingPolicyFile_saysNoSuchFileAndWhere() {
        env.starter = c -> {
            throw new IllegalArgumentException("policy: no such file: nope.yaml (looked for /somewhere/nope.yaml)");
        };
        assertThat(env.run("run", "--upstream", "http://127.0.0.1:3000", "--policy", "nope.yaml")).isEqualTo(1);
        assertThat(env.err()).contains("error: policy: no such file: nope.yaml (looked for /somewhere/nope.yaml)").doesNotContain("Exception");
    }

    @Test
    void run_portInUse_saysWhichOptionMovesIt(@TempDir Path dir) throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            env.starter = dev.gatehouse.proxy.GatehouseFactory::start;
            Path policy = Files.writeString(dir.resolve("policy.yaml"), "default: allow\nrules: []\n");
            assertThat(env.run("run", "--upstream", "http://127.0.0.1:3000", "--listen", "127.0.0.1:" + port, "--admin", "off",
                    "--policy", policy.toString())).isEqualTo(1);
            assertThat(env.err()).contains("cannot listen on 127.0.0.1:" + port).contains("choose another with --listen HOST:PORT");
        }
    }

    @Test
    void mistypedCommandOrOption_getsADidYouMean() {
        assertThat(env.run("rnu")).isEqualTo(2);
        assertThat(env.err()).contains("did you mean").contains("'run'");
        TestEnv other = new TestEnv();
        assertThat(other.run("run", "--upstrem", "http://127.0.0.1:3000")).isEqualTo(2);
        assertThat(other.err()).contains("did you mean").contains("'--upstream'");
    }

    @Test
    void policyCheck_testFilesAmongPolicies_areRunAsTests(@TempDir Path dir) throws Exception {
        Path policy = Files.writeString(dir.resolve("default.yaml"), "x");
        Path tests = Files.writeString(dir.resolve("default.test.yaml"), "x");
        List<Path> checked = new java.util.ArrayList<>();
        List<Path> tested = new java.util.ArrayList<>();
        env.checker = file -> {
            checked.add(file);
            return List.of();
        };
        env.policyTests = (paths, o) -> {
            tested.addAll(paths);
            return 0;
        };

        assertThat(env.run("policy", "check", policy.toString(), tests.toString())).isZero();
        assertThat(checked).containsExactly(policy);
        assertThat(tested).containsExactly(tests);
    }

    @Test
    void run_noUpstream_exit2() {
        assertThat(env.run("run")).isEqualTo(2);
        assertThat(env.err()).contains("upstream: is required");
    }

    @Test
    void run_policyThatDoesNotLoad_exit1() {
        env.starter = c -> {
            throw TestEnv.policyError("p.yaml");
        };

        assertThat(env.run("run", "--upstream", "http://127.0.0.1:3000", "--policy", "p.yaml")).isEqualTo(1);
        assertThat(env.err()).contains("p.yaml:4:7: unknown key 'whn'");
    }

    @Test
    void demo_defaultPolicyDoesNotLoad_exit1WithClearMessage() {
        env.defaultPolicy = () -> {
            throw TestEnv.policyError("default.yaml");
        };

        assertThat(env.run("demo", "--listen", "127.0.0.1:0", "--admin", "off")).isEqualTo(1);
        assertThat(env.err()).contains("the demo cannot start: the default policy did not load")
                .contains("default.yaml:4:7: unknown key 'whn'");
    }

    @Test
    void noCommand_printsUsage() {
        assertThat(env.run()).isZero();
        assertThat(env.out()).contains("demo", "run", "lookup", "explain", "policy", "ua").doesNotContain("bench-proxy");
    }
}
