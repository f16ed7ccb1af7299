package dev.gatehouse.policy;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.net.IpAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 9 item 2: every policy up to the loader's size limit compiles in linear time and memory. */
class LargePolicyTest {

    @TempDir
    Path dir;

    private final PolicyLoader loader = PolicyLoader.builder().meterRegistry(new SimpleMeterRegistry()).build();

    @Test
    void compile_policyAtTheSizeLimit_keepsTraceStepsLinearInTheRuleCount() {
        String text = LargePolicy.generate(YamlNodes.MAX_CHARS);
        CompiledPolicy policy = (CompiledPolicy) loader.parse(text, "<large>");
        long rules = policy.ruleCount();
        assertThat(rules).isGreaterThan(12_000);
        long prepared = (long) CompiledPolicy.PREPARED_TRACES * CompiledPolicy.PREPARED_TRACES;
        // the quadratic version kept rules²/2 steps (over 70 million here)
        assertThat(policy.preparedTraceSteps()).isLessThan(3 * rules + prepared);

        IpAddress ip = IpAddress.parse("192.0.2.1");
        Decision last = policy.evaluate(RequestFacts.forIp(ip), Signals.builder(ip).put(Signal.TOR, true, "test").build());
        assertThat(last.rule()).isEqualTo("rule/block-tor");
        assertThat(last.trace()).hasSize((int) rules);
        assertThat(last.trace().get(0).matched()).isFalse();
        assertThat(last.trace().get((int) rules - 1)).isEqualTo(new Decision.TraceStep("block-tor", true, "tor: true"));
        Decision fallThrough = policy.evaluate(RequestFacts.forIp(ip), Signals.of(ip));
        assertThat(fallThrough.rule()).isEqualTo("default/allow");
        assertThat(fallThrough.trace()).hasSize((int) rules + 1);
    }

    @Test
    void compile_policyAtTheSizeLimit_fitsA256MegabyteHeap() throws IOException, InterruptedException {
        Path file = Files.writeString(dir.resolve("large.yaml"), LargePolicy.generate(YamlNodes.MAX_CHARS));
        Path out = dir.resolve("out.txt");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                LargePolicy.class.getName(), file.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean done = process.waitFor(3, TimeUnit.MINUTES);
        if (!done) {
            process.destroyForcibly();
        }
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        String result = lines.stream().filter(l -> l.startsWith("bytes=")).findFirst().orElse("");
        System.out.println("LargePolicyTest: " + result);
        assertThat(done).as("compiled within 3 minutes").isTrue();
        assertThat(process.exitValue()).as("exit status; output:%n%s", String.join("\n", lines)).isZero();
        assertThat(result).contains("rule=default/allow").matches(".* rules=1[2-9]\\d{3} .*");
    }
}
