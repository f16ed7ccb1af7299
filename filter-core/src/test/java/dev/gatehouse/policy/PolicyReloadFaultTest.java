package dev.gatehouse.policy;

import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.IpAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The policy rows of the fault matrix in {@code docs/reliability.md} not already in
 * {@link ReloadablePolicyTest} (which holds the broken edit, the file written in chunks, the deleted
 * file and the compiler error): a reload of a file cut in half, a huge one, an empty one, binary
 * garbage — each refused, counted {@code gatehouse.policy.reloads{result=rejected}}, the last good
 * policy still deciding.
 */
class PolicyReloadFaultTest {

    static final String GOOD = """
            default: allow
            rules:
              - name: block-tor
                when:
                  tor: true
                action: block
              - name: block-attackers
                when:
                  attacker: true
                action: block
            """;
    static final IpAddress IP = IpAddress.parse("192.0.2.1");
    static final Signals TOR = Signals.builder(IP).put(Signal.TOR, true, "embedded:tor").build();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"half", "huge", "empty", "binary"})
    void reload_ofABrokenFile_isRefusedAndCounted_andTheLastGoodPolicyDecides(String fault) throws IOException {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PolicyLoader loader = PolicyLoader.builder().meterRegistry(registry).build();
        Path file = Files.writeString(dir.resolve("policy.yaml"), GOOD);
        try (ReloadablePolicy policy = ReloadablePolicy.manual(file, loader)) {
            String good = policy.version();
            switch (fault) {
                case "half" -> Files.writeString(file, GOOD.substring(0, GOOD.indexOf("action: block") + 8));
                case "huge" -> Files.writeString(file, GOOD + "# padding\n".repeat(120_000)); // 1.2 MB, over the 1 MiB limit
                case "empty" -> Files.writeString(file, "");
                case "binary" -> Files.write(file, new byte[]{(byte) 0xff, (byte) 0xfe, 0, 1, 2, '\n', (byte) 0xc3, 0x28, '{', '[', ':'});
                default -> throw new IllegalArgumentException(fault);
            }

            ReloadablePolicy.ReloadResult result = policy.reload();

            assertThat(result.applied()).isFalse();
            assertThat(result.problems()).isNotEmpty();
            assertThat(policy.version()).isEqualTo(good);
            assertThat(policy.evaluate(RequestFacts.forIp(IP), TOR).verdict()).isEqualTo(Verdict.BLOCK);
            assertThat(registry.counter("gatehouse.policy.reloads", "result", "rejected").count()).isEqualTo(1);
        }
    }
}
