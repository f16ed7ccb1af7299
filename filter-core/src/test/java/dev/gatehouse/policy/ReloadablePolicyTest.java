package dev.gatehouse.policy;

import dev.gatehouse.api.Policy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.IpAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.gatehouse.testing.MutableClock;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BiFunction;

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

    // ---- issue 9, items 1, 3 and 4: settling, surviving, watching only what the policy reads ----

    private static final Duration SETTLE = Duration.ofMillis(250);
    private static final Duration QUICK_SETTLE = Duration.ofMillis(50);
    private static final Duration AWAIT = Duration.ofSeconds(30);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);

    /** Many allow rules, then block-tor last: every prefix cut at a rule boundary is a valid policy that lets Tor in. */
    private static String largePolicyEndingWithBlockTor(int rules) {
        StringBuilder b = new StringBuilder("default: allow\nrules:\n");
        for (int i = 0; i < rules; i++) {
            b.append("  - name: allow-office-").append(i).append("\n")
                    .append("    when: {ip: [10.").append(i / 256 % 256).append('.').append(i % 256).append(".0/24]}\n")
                    .append("    action: allow\n");
        }
        return b.append("  - name: block-tor\n    when: {tor: true}\n    action: block\n").toString();
    }

    private ReloadablePolicy settling(Path file, BiFunction<Path, String, Policy> compiler) {
        return ReloadablePolicy.watch(file, loader, compiler, clock, SETTLE, scheduler, false);
    }

    @Test
    void watch_policyWrittenInPlaceInChunks_installsOnlyTheFinalContent() throws IOException {
        Path file = write(BLOCK_TOR);
        String full = largePolicyEndingWithBlockTor(400);
        try (ReloadablePolicy policy = settling(file, loader::load)) {
            String v1 = policy.version();
            // saved in place, as an editor without atomic save does: truncate, then chunks of ten whole rules
            // (so every intermediate state is a valid policy without block-tor), each seen as a change, the
            // writer never pausing as long as the settle interval
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                policy.changed();
                scheduler.advance(SETTLE.dividedBy(2));
                String[] rules = full.split("(?=  - name:)");
                for (int i = 0; i < rules.length; i += 10) {
                    String chunk = String.join("", java.util.Arrays.copyOfRange(rules, i, Math.min(i + 10, rules.length)));
                    out.write(chunk.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    policy.changed();
                    scheduler.advance(SETTLE.dividedBy(2));
                    assertThat(policy.version()).as("nothing installed while the file is being written").isEqualTo(v1);
                    assertThat(policy.evaluate(RequestFacts.forIp(IP), TOR).verdict()).isEqualTo(Verdict.BLOCK);
                }
            }
            assertThat(count("applied")).isZero();
            assertThat(count("rejected")).as("no half-written version was even compiled").isZero();

            scheduler.advance(SETTLE.multipliedBy(2));

            assertThat(count("applied")).isEqualTo(1);
            assertThat(policy.version()).isEqualTo(loader.parse(full, file.toString()).version());
            assertThat(policy.evaluate(RequestFacts.forIp(IP), TOR).verdict()).isEqualTo(Verdict.BLOCK);
            assertThat(policy.evaluate(RequestFacts.forIp(IpAddress.parse("10.0.7.9")), Signals.of(IpAddress.parse("10.0.7.9"))).rule())
                    .isEqualTo("rule/allow-office-7");
            assertThat(scheduler.pending()).as("the round ends once installed").isZero();
        }
    }

    @Test
    void watch_contentMustBeTheSameOnTwoReadsASettleIntervalApart() throws IOException {
        Path file = write(BLOCK_TOR);
        try (ReloadablePolicy policy = settling(file, loader::load)) {
            String v1 = policy.version();
            Files.writeString(file, BLOCK_TOR.replace("action: block", "action: allow"));
            policy.changed();
            scheduler.advance(SETTLE.minusMillis(1)); // read once; the second read is not due yet
            assertThat(policy.version()).isEqualTo(v1);

            scheduler.advance(Duration.ofMillis(1));

            assertThat(policy.version()).isNotEqualTo(v1);
            assertThat(policy.evaluate(RequestFacts.forIp(IP), TOR).verdict()).isEqualTo(Verdict.ALLOW);
        }
    }

    @Test
    void watch_changedThenChangedBackWithinTheInterval_installsNothing() throws IOException {
        Path file = write(BLOCK_TOR);
        try (ReloadablePolicy policy = settling(file, loader::load)) {
            Object before = policy.get();
            Files.writeString(file, "default: allow\n");
            policy.changed();
            scheduler.advance(SETTLE.dividedBy(2));
            Files.writeString(file, BLOCK_TOR);
            policy.changed();
            scheduler.advance(SETTLE.multipliedBy(4));
            assertThat(policy.get()).isSameAs(before);
            assertThat(count("applied")).isZero();
        }
    }

    @Test
    void watch_errorWhileCompiling_isSurvivedCountedAndReportedUntilAGoodVersion() throws IOException {
        Path file = write(BLOCK_TOR);
        BiFunction<Path, String, Policy> compiler = (p, text) -> {
            if (text.contains("# huge")) {
                throw new OutOfMemoryError("Java heap space");
            }
            return loader.load(p, text);
        };
        try (ReloadablePolicy policy = settling(file, compiler)) {
            String v1 = policy.version();
            write(BLOCK_TOR + "# huge\n");
            policy.changed();
            scheduler.advance(SETTLE);
            Instant failedAt = clock.instant();

            assertThat(count("failed")).isEqualTo(1);
            assertThat(policy.version()).isEqualTo(v1);
            assertThat(policy.lastFailure()).hasValueSatisfying(f -> {
                assertThat(f.message()).contains("OutOfMemoryError").contains("Java heap space");
                assertThat(f.time()).isEqualTo(failedAt);
                assertThat(f.kept()).isEqualTo(v1);
            });

            write(BLOCK_TOR.replace("action: block", "action: allow"));
            policy.changed();
            scheduler.advance(SETTLE);

            assertThat(count("applied")).isEqualTo(1);
            assertThat(policy.evaluate(RequestFacts.forIp(IP), TOR).verdict()).isEqualTo(Verdict.ALLOW);
            assertThat(policy.lastFailure()).isEmpty();
        }
    }

    @Test
    void reload_errorWhileCompiling_isAResultNotAThrow() throws IOException {
        Path file = write(BLOCK_TOR);
        BiFunction<Path, String, Policy> compiler = (p, text) -> {
            if (text.contains("# deep")) {
                throw new StackOverflowError();
            }
            return loader.load(p, text);
        };
        try (ReloadablePolicy policy = settling(file, compiler)) {
            write(BLOCK_TOR + "# deep\n");
            ReloadablePolicy.ReloadResult result = policy.reload();
            assertThat(result.applied()).isFalse();
            assertThat(result.problems()).singleElement().satisfies(p -> {
                assertThat(p.kind()).isEqualTo(PolicyProblem.Kind.TOO_LARGE);
                assertThat(p.message()).contains("StackOverflowError");
            });
            assertThat(count("failed")).isEqualTo(1);
        }
    }

    @Test
    void watch_rejectedVersion_isReportedAsTheLastFailure() throws IOException {
        Path file = write(BLOCK_TOR);
        try (ReloadablePolicy policy = settling(file, loader::load)) {
            write(BLOCK_TOR.replace("tor: true", "tro: true"));
            policy.changed();
            scheduler.advance(SETTLE);
            assertThat(policy.lastFailure()).hasValueSatisfying(f -> assertThat(f.message())
                    .startsWith(file + ":4:12: ").contains("did you mean 'tor'"));
            write(BLOCK_TOR);   // back to the active version: the file and the policy agree again
            policy.changed();
            scheduler.advance(SETTLE);
            assertThat(policy.lastFailure()).isEmpty();
        }
    }

    @Test
    void watch_errorOnTheWatcherThread_doesNotStopWatching() throws IOException {
        Path file = write(BLOCK_TOR);
        BiFunction<Path, String, Policy> compiler = (p, text) -> {
            if (text.contains("# deep")) {
                throw new StackOverflowError();
            }
            return loader.load(p, text);
        };
        try (ReloadablePolicy policy = ReloadablePolicy.watch(file, loader, compiler, Clock.systemUTC(), QUICK_SETTLE,
                Scheduler.daemon("test-policy-settle"), true)) {
            write(BLOCK_TOR + "# deep\n");
            await().atMost(AWAIT).until(() -> count("failed") >= 1);

            write(BLOCK_TOR.replace("action: block", "action: allow"));

            await().atMost(AWAIT).untilAsserted(() ->
                    assertThat(policy.evaluate(RequestFacts.forIp(IP), TOR).verdict()).isEqualTo(Verdict.ALLOW));
        }
    }

    @Test
    void watch_writesToAnotherFileInTheDirectory_triggerNoReload() throws IOException {
        Path file = write(BLOCK_TOR);
        try (ReloadablePolicy policy = ReloadablePolicy.watch(file, loader)) {
            Path logFile = dir.resolve("gatehouse.log"); // e.g. the log a refused reload writes
            for (int i = 0; i < 200; i++) {
                Files.writeString(logFile, "WARN policy refused " + i + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            // then a real change: once it is in, the watcher has worked through the events before it
            write(BLOCK_TOR.replace("action: block", "action: allow"));
            await().atMost(AWAIT).until(() -> count("applied") == 1);

            assertThat(count("unchanged")).as("reloads caused by the log file").isZero();
            assertThat(count("rejected")).isZero();
        }
    }

    @Test
    void watch_rejectedVersionSeenAgain_isRefusedAndLoggedOnce() throws IOException {
        Path file = write(BLOCK_TOR);
        try (ReloadablePolicy policy = ReloadablePolicy.watch(file, loader, loader::load, Clock.systemUTC(), QUICK_SETTLE,
                Scheduler.daemon("test-policy-settle"), true)) {
            String bad = BLOCK_TOR.replace("tor: true", "tro: true");
            write(bad);
            await().atMost(AWAIT).until(() -> count("rejected") == 1);
            for (int i = 1; i <= 20; i++) { // touched and replaced by the same bytes: events, same content
                Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(i)));
                write(bad);
            }
            write(BLOCK_TOR.replace("action: block", "action: allow"));
            await().atMost(AWAIT).until(() -> count("applied") == 1);

            assertThat(count("rejected")).as("one refusal (and one log) per rejected content").isEqualTo(1);
            assertThat(policy.evaluate(RequestFacts.forIp(IP), TOR).verdict()).isEqualTo(Verdict.ALLOW);
        }
    }

    @Test
    void watch_changedListInASubdirectory_isApplied() throws IOException {
        Path lists = Files.createDirectories(dir.resolve("lists"));
        Files.writeString(lists.resolve("bad.txt"), "198.51.100.0/24\n");
        Path file = write("""
                default: allow
                rules:
                  - name: bad-nets
                    when: {ip: {file: lists/bad.txt}}
                    action: block
                """);
        try (ReloadablePolicy policy = ReloadablePolicy.watch(file, loader, loader::load, Clock.systemUTC(), QUICK_SETTLE,
                Scheduler.daemon("test-policy-settle"), true)) {
            assertThat(policy.evaluate(RequestFacts.forIp(IP), Signals.of(IP)).verdict()).isEqualTo(Verdict.ALLOW);

            Files.writeString(lists.resolve("bad.txt"), "198.51.100.0/24\n192.0.2.0/24\n");

            await().atMost(AWAIT).untilAsserted(() ->
                    assertThat(policy.evaluate(RequestFacts.forIp(IP), Signals.of(IP)).verdict()).isEqualTo(Verdict.BLOCK));
        }
    }

    @Test
    void watch_kubernetesConfigMapSwap_isApplied() throws IOException {
        // the layout kubelet writes: policy.yaml -> ..data/policy.yaml, ..data -> ..<timestamp>; an update
        // writes a new timestamped directory and renames a new ..data link over the old one
        Path v1 = Files.createDirectories(dir.resolve("..2026_11_30_10_00_00.1"));
        Files.writeString(v1.resolve("policy.yaml"), BLOCK_TOR);
        Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
        Path file = Files.createSymbolicLink(dir.resolve("policy.yaml"), Path.of("..data", "policy.yaml"));
        try (ReloadablePolicy policy = ReloadablePolicy.watch(file, loader, loader::load, Clock.systemUTC(), QUICK_SETTLE,
                Scheduler.daemon("test-policy-settle"), true)) {
            Path v2 = Files.createDirectories(dir.resolve("..2026_11_30_10_05_00.2"));
            Files.writeString(v2.resolve("policy.yaml"), BLOCK_TOR.replace("action: block", "action: allow"));
            Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
            Files.move(tmp, dir.resolve("..data"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

            await().atMost(AWAIT).untilAsserted(() ->
                    assertThat(policy.evaluate(RequestFacts.forIp(IP), TOR).verdict()).isEqualTo(Verdict.ALLOW));
        }
    }
}
