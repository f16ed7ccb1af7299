package dev.gatehouse.decisionlog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.IpAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DecisionLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T12:00:00.123Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    /** Collects lines; {@code gate} holds the writer until released. */
    static final class Capture implements DecisionLog.Sink {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final CountDownLatch gate;

        Capture(CountDownLatch gate) {
            this.gate = gate;
        }

        @Override
        public synchronized void write(byte[] line, int length) {
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.write(line, 0, length);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        synchronized List<String> lines() {
            String text = out.toString(StandardCharsets.UTF_8);
            return text.isEmpty() ? List.of() : List.of(text.split("\n", -1)).subList(0, text.split("\n", -1).length - 1);
        }
    }

    private static Decision decision(Verdict verdict, Verdict shadowed) {
        Signals signals = Signals.builder(IpAddress.parse("203.0.113.9"))
                .put(Signal.BOT_NAME, "Googlebot", "embedded:crawlers")
                .put(Signal.THREAT_SCORE, 42, "scoring")
                .build();
        Decision.Response response = verdict == Verdict.ALLOW ? Decision.Response.PASS : new Decision.Response(403, Map.of(), "no");
        return new Decision(verdict, "rule/x", response, shadowed, signals, List.of(),
                new Decision.Timings(1_500_000, 20_000, 1_600_000, false));
    }

    private static DecisionLog log(Capture sink, double sample, double draw, int queue) {
        return DecisionLog.create(DecisionLogSettings.custom().sampleAllows(sample).queue(queue).build(), sink, new SimpleMeterRegistry(),
                CLOCK, () -> draw);
    }

    @Test
    void wants_everyRefusalAndShadow_allowsBySample() {
        Capture sink = new Capture(new CountDownLatch(0));
        try (DecisionLog log = log(sink, 0.01, 0.5, 10)) {
            assertThat(log.wants(decision(Verdict.BLOCK, null))).isTrue();
            assertThat(log.wants(decision(Verdict.RATE_LIMIT, null))).isTrue();
            assertThat(log.wants(decision(Verdict.CHALLENGE, null))).isTrue();
            assertThat(log.wants(decision(Verdict.ALLOW, Verdict.BLOCK))).isTrue();
            assertThat(log.wants(decision(Verdict.ALLOW, null))).isFalse(); // 0.5 is not below 0.01
        }
        try (DecisionLog log = log(sink, 0.01, 0.001, 10)) {
            assertThat(log.wants(decision(Verdict.ALLOW, null))).isTrue();
        }
        assertThat(DecisionLog.off().wants(decision(Verdict.BLOCK, null))).isFalse();
    }

    @Test
    void record_writesOneDocumentedJsonLine() throws Exception {
        Capture sink = new Capture(new CountDownLatch(0));
        try (DecisionLog log = log(sink, 0, 1, 10)) {
            log.record(new DecisionLog.Entry("01abc", decision(Verdict.ALLOW, Verdict.BLOCK), "GET", "example.org", "/a", "curl/8", 200));
        }
        List<String> lines = sink.lines();
        assertThat(lines).hasSize(1);
        JsonNode line = JSON.readTree(lines.get(0));
        assertThat(line.path("ts").asText()).isEqualTo("2026-11-30T12:00:00.123Z");
        assertThat(line.path("request_id").asText()).isEqualTo("01abc");
        assertThat(line.path("client").asText()).isEqualTo("203.0.113.9");
        assertThat(line.path("verdict").asText()).isEqualTo("allow");
        assertThat(line.path("shadow").asText()).isEqualTo("block");
        assertThat(line.path("rule").asText()).isEqualTo("rule/x");
        assertThat(line.path("bot").asText()).isEqualTo("Googlebot");
        assertThat(line.path("threat_score").asInt()).isEqualTo(42);
        assertThat(line.path("status").asInt()).isEqualTo(200);
        assertThat(line.path("timings_ms").path("engine").asDouble()).isEqualTo(1.5);
        assertThat(line.path("timings_ms").path("total").asDouble()).isEqualTo(1.6);
        assertThat(line.path("sources").toString()).contains("embedded:crawlers");
    }

    @Test
    void record_hostileText_staysOneAsciiLine_andIsCut() throws Exception {
        Capture sink = new Capture(new CountDownLatch(0));
        String ua = "a\r\n{\"verdict\":\"allow\"}\u2028\u0085\u0000</script>" + "x".repeat(1000);
        try (DecisionLog log = log(sink, 0, 1, 10)) {
            log.record(new DecisionLog.Entry("id\"\n", decision(Verdict.BLOCK, null), "GET\r\n", "h\u0007", "/p\n\"x", ua, 403));
        }
        List<String> lines = sink.lines();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).isASCII().doesNotContain("\r", "\u0000");
        JsonNode line = JSON.readTree(lines.get(0));
        assertThat(line.path("verdict").asText()).isEqualTo("block");
        assertThat(line.path("ua").asText()).startsWith("a\r\n{\"verdict\"").hasSize(256).endsWith("…");
        assertThat(line.path("path").asText()).isEqualTo("/p\n\"x");
    }

    @Test
    void record_fullQueue_dropsAndCounts_neverBlocks() {
        CountDownLatch gate = new CountDownLatch(1);
        Capture sink = new Capture(gate);
        try (DecisionLog log = log(sink, 0, 1, 2)) {
            long start = System.nanoTime();
            for (int i = 0; i < 50; i++) {
                log.record(new DecisionLog.Entry("r" + i, decision(Verdict.BLOCK, null), "GET", null, "/", null, 403));
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(log.dropped()).isGreaterThanOrEqualTo(45); // at most 5 got through: one taken, two drained with it, two queued
            assertThat(log.readinessDetail()).startsWith("decision log: ").contains("lines dropped");
            gate.countDown();
        }
        assertThat(sink.lines().size()).isBetween(1, 5);
    }

    @Test
    void file_rotatesBySize_keepingMaxFiles() throws Exception {
        Path file = dir.resolve("logs/decisions.jsonl");
        DecisionLogSettings settings = DecisionLogSettings.custom().to(file.toString()).maxFileSize(4096).maxFiles(3).build();
        try (DecisionLog log = DecisionLog.create(settings, new SimpleMeterRegistry(), CLOCK)) {
            for (int i = 0; i < 200; i++) {
                log.record(new DecisionLog.Entry("r" + i, decision(Verdict.BLOCK, null), "GET", "example.org", "/" + i, "ua", 403));
            }
        }
        assertThat(file).exists();
        assertThat(dir.resolve("logs/decisions.jsonl.1")).exists();
        assertThat(dir.resolve("logs/decisions.jsonl.2")).exists();
        assertThat(dir.resolve("logs/decisions.jsonl.3")).doesNotExist();
        for (Path p : List.of(file, dir.resolve("logs/decisions.jsonl.1"))) {
            assertThat(Files.size(p)).isLessThanOrEqualTo(4096);
            for (String line : Files.readAllLines(p)) {
                assertThat(JSON.readTree(line).path("verdict").asText()).isEqualTo("block");
            }
        }
        assertThat(Files.readAllLines(file).get(Files.readAllLines(file).size() - 1)).contains("\"r199\"");
    }

    @Test
    void create_unwritableFile_failsNamingIt() throws Exception {
        Path blocker = dir.resolve("not-a-dir");
        Files.writeString(blocker, "x");
        DecisionLogSettings settings = DecisionLogSettings.custom().to(blocker.resolve("d.jsonl").toString()).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DecisionLog.create(settings, new SimpleMeterRegistry()))
                .hasMessageContaining("decision-log.to: cannot write " + blocker.resolve("d.jsonl"));
    }

    @Test
    void close_writesWhatIsQueued() {
        Capture sink = new Capture(new CountDownLatch(0));
        DecisionLog log = log(sink, 0, 1, 1000);
        for (int i = 0; i < 500; i++) {
            log.record(new DecisionLog.Entry("r" + i, decision(Verdict.BLOCK, null), "GET", null, "/", null, 403));
        }
        log.close();
        assertThat(sink.lines()).hasSize(500);
    }
}
