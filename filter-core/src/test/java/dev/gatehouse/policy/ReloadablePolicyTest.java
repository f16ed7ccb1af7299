package dev.gatehouse.policy;

import dev.gatehouse.RequestFacts;
import dev.gatehouse.Verdict;
import dev.gatehouse.engine.Signal;
import dev.gatehouse.engine.Signals;
import dev.gatehouse.net.IpAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class ReloadablePolicyTest {

    private static final String BLOCK_TOR = """
            default: allow
            rules:
              - name: block-tor
                when: {tor: true}
                action: block
            """;

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PolicyLoader loader = PolicyLoader.builder().meterRegistry(registry).build();

    private static final IpAddress IP = IpAddress.parse("192.0.2.1");
    private static final Signals TOR = Signals.builder(IP).put(Signal.TOR, true, "embedded:tor").build();

    private Path write(String text) throws IOException {
        Path file = dir.resolve("policy.yaml");
        // write then move, as editors and config management do, so a reader never sees half a file
        Path tmp = Files.writeString(dir.resolve("policy.yaml.tmp"), text);
        return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private double count(String result) {
        return registry.counter("gatehouse.policy.reloads", "result", result).count();
    }

    @Test
    void reload_validChange_isSwappedIn() throws IOException {
        Path file = write(BLOCK_TOR);
        try (ReloadablePolicy policy = ReloadablePolicy.manual(file, loader)) {
            String v1 = policy.version();
            assertThat(policy.evaluate(RequestFacts.forIp(IP), TOR).verdict()).isEqualTo(Verdict.BLOCK);

            write(BLOCK_TOR.replace("action: block", "action: allow"));
            ReloadablePolicy.ReloadResult result = policy.reload();

            assertThat(result.applied()).isTrue();
            assertThat(result.problems()).isEmpty();
            assertThat(result.version()).isNotEqualTo(v1).isEqualTo(policy.version());
            assertThat(policy.evaluate(RequestFacts.forIp(IP), TOR).verdict()).isEqualTo(Verdict.ALLOW);
            assertThat(count("applied")).isEqualTo(1);
        }
    }

    @Test
    void reload_invalidChange_keepsLastGoodPolicyAndReportsLineAndColumn() throws IOException {
        Path file = write(BLOCK_TOR);
        try (ReloadablePolicy policy = ReloadablePolicy.manual(file, loader)) {
            String good = policy.version();
            write(BLOCK_TOR.replace("tor: true", "tro: true"));

            ReloadablePolicy.ReloadResult result = policy.reload();

            assertThat(result.applied()).isFalse();
            assertThat(result.version()).isEqualTo(good);
            assertThat(result.problems()).singleElement().satisfies(p -> {
                assertThat(p.kind()).isEqualTo(PolicyProblem.Kind.UNKNOWN_SIGNAL);
                assertThat(p.line()).isEqualTo(4);
                assertThat(p.column()).isEqualTo(12);
                assertThat(p.toString()).startsWith(file + ":4:12: ").contains("did you mean 'tor'");
            });
            assertThat(policy.version()).isEqualTo(good);
            assertThat(policy.evaluate(RequestFacts.forIp(IP), TOR).verdict()).isEqualTo(Verdict.BLOCK);
            assertThat(count("rejected")).isEqualTo(1);
        }
    }

    @Test
    void reload_changedCidrList_isAppliedEvenWhenThePolicyTextIsUnchanged() throws IOException {
        Files.writeString(dir.resolve("bad.txt"), "198.51.100.0/24\n");
        Path file = write("""
                default: allow
                rules:
                  - name: bad-nets
                    when: {ip: {file: bad.txt}}
                    action: block
                """);
        try (ReloadablePolicy policy = ReloadablePolicy.manual(file, loader)) {
            assertThat(policy.evaluate(RequestFacts.forIp(IP), Signals.of(IP)).verdict()).isEqualTo(Verdict.ALLOW);
            Files.writeString(dir.resolve("bad.txt"), "198.51.100.0/24\n192.0.2.0/24\n");

            assertThat(policy.reload().applied()).isTrue();
            assertThat(policy.evaluate(RequestFacts.forIp(IP), Signals.of(IP)).verdict()).isEqualTo(Verdict.BLOCK);
        }
    }

    @Test
    void reload_unchangedText_isANoOp() throws IOException {
        Path file = write(BLOCK_TOR);
        try (ReloadablePolicy policy = ReloadablePolicy.manual(file, loader)) {
            Object before = policy.get();
            ReloadablePolicy.ReloadResult result = policy.reload();
            assertThat(result.applied()).isFalse();
            assertThat(result.problems()).isEmpty();
            assertThat(policy.get()).isSameAs(before);
            assertThat(count("unchanged")).isEqualTo(1);
        }
    }

    @Test
    void reload_deletedFile_keepsServing() throws IOException {
        Path file = write(BLOCK_TOR);
        try (ReloadablePolicy policy = ReloadablePolicy.manual(file, loader)) {
            Files.delete(file);
            ReloadablePolicy.ReloadResult result = policy.reload();
            assertThat(result.applied()).isFalse();
            assertThat(result.problems()).singleElement().extracting(PolicyProblem::kind).isEqualTo(PolicyProblem.Kind.IO);
            assertThat(policy.evaluate(RequestFacts.forIp(IP), TOR).verdict()).isEqualTo(Verdict.BLOCK);
        }
    }

    @Test
    void watch_invalidFirstLoad_throws() throws IOException {
        Path file = write("default: alow\n");
        assertThatThrownBy(() -> ReloadablePolicy.watch(file, loader)).isInstanceOf(PolicyException.class)
                .hasMessageContaining(":1:10: ").hasMessageContaining("did you mean 'allow'");
    }

    @Test
    void watch_fileChangeOnDisk_isPickedUp() throws IOException {
        Path file = write(BLOCK_TOR);
        try (ReloadablePolicy policy = ReloadablePolicy.watch(file, loader)) {
            String v1 = policy.version();
            write(BLOCK_TOR.replace("action: block", "action: allow"));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(policy.version()).isNotEqualTo(v1);
                assertThat(policy.evaluate(RequestFacts.forIp(IP), TOR).verdict()).isEqualTo(Verdict.ALLOW);
            });
        }
    }
}
