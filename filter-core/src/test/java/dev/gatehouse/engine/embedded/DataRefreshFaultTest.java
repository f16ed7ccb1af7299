package dev.gatehouse.engine.embedded;

import dev.gatehouse.api.Signal;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The data-refresh rows of the fault matrix in {@code docs/reliability.md} that
 * {@link EmbeddedEngineRefreshTest} does not already hold: an operator's file caught half-written, and
 * one emptied. The last good data keeps serving and the failure shows in the load report, the data
 * set's source status and the {@code gatehouse.engine.data.*} gauges.
 */
class DataRefreshFaultTest {

    private static final Instant T0 = Instant.parse("2026-09-01T00:00:00Z");
    private static final String GOOD = IntStream.rangeClosed(1, 200).mapToObj(i -> "185.220.101." + i).collect(Collectors.joining("\n", "", "\n"));

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private void write(String content) throws IOException {
        Path file = dir.resolve("tor/onionoo-exit-relays.csv");
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setLastModifiedTime(file, FileTime.from(clock.instant()));
    }

    private EmbeddedEngine engine() {
        return EmbeddedEngine.builder().dataDirectory(dir).clock(clock).crawlerRanges(sink -> { }).only("tor").meterRegistry(registry).build();
    }

    private static boolean tor(EmbeddedEngine e, String ip) {
        return e.lookup(IpAddress.parse(ip)).isTrue(Signal.TOR);
    }

    private static LoadReport tor(List<LoadReport> reports) {
        return reports.stream().filter(r -> r.dataSet().equals("tor")).findFirst().orElseThrow();
    }

    @Test
    void refresh_setThatReallyShrank_isInstalled() throws IOException {
        write(GOOD);
        EmbeddedEngine e = engine();
        write("185.220.101.1\n185.220.101.2\n");
        clock.advance(Duration.ofHours(1));

        assertThat(tor(e.refresh()).used()).isTrue();
        assertThat(tor(e, "185.220.101.200")).isFalse();
    }

    @Test
    void refresh_emptiedFile_keepsLastGoodData() throws IOException {
        write(GOOD);
        EmbeddedEngine e = engine();
        write("");
        clock.advance(Duration.ofHours(1));

        LoadReport report = tor(e.refresh());

        assertThat(report.used()).isFalse();
        assertThat(report.failure()).contains("still serving data of " + T0);
        assertThat(tor(e, "185.220.101.200")).isTrue();
    }

    @Test
    void refresh_halfWrittenFile_keepsLastGoodData() throws IOException {
        write(GOOD);
        EmbeddedEngine e = engine();
        // a copy caught mid-write: the first tenth of the lines, the last one cut inside an address
        write(GOOD.substring(0, GOOD.length() / 10 + 5).replaceAll("\n[^\n]*$", "\n185.22"));
        clock.advance(Duration.ofHours(1));

        LoadReport report = tor(e.refresh());

        assertThat(report.used()).as("a file that lost most of its entries and ends inside a line is not installed: %s", report).isFalse();
        assertThat(report.failure()).startsWith("looks half-written: 21 entries against 200 before").contains("still serving");
        assertThat(tor(e, "185.220.101.200")).isTrue();
        assertThat(registry.get("gatehouse.engine.data.bad_lines").tag("dataset", "tor").gauge().value()).isPositive();
    }
}
