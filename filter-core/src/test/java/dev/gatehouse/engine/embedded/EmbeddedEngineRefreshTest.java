package dev.gatehouse.engine.embedded;

import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.testing.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Operator data directories and refresh: a broken refresh keeps the last good data and says why. */
class EmbeddedEngineRefreshTest {

    private static final Instant T0 = Instant.parse("2026-09-01T00:00:00Z");

    @TempDir
    Path dir;

    private MutableClock clock;

    @BeforeEach
    void setUp() {
        clock = new MutableClock(T0);
    }

    private void write(String relative, String content) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setLastModifiedTime(file, FileTime.from(clock.instant()));
    }

    private EmbeddedEngine engine(String... only) {
        return EmbeddedEngine.builder().dataDirectory(dir).clock(clock).crawlerRanges(sink -> { }).only(only).build();
    }

    private static boolean tor(EmbeddedEngine e, String ip) {
        return e.lookup(IpAddress.parse(ip)).isTrue(Signal.TOR);
    }

    private static Signals.SourceStatus status(EmbeddedEngine e, String source) {
        return e.sources().stream().filter(s -> s.name().equals(source)).findFirst().orElseThrow();
    }

    private static LoadReport report(List<LoadReport> reports, String id) {
        return reports.stream().filter(r -> r.dataSet().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void build_operatorFile_replacesBundledCopy() throws IOException {
        write("tor/onionoo-exit-relays.csv", "185.220.101.1\n");
        EmbeddedEngine e = engine("tor");
        assertThat(tor(e, "185.220.101.1")).isTrue();
        assertThat(tor(e, "204.8.96.141")).isFalse(); // only in the bundled list
        assertThat(report(e.loadReports(), "tor").origin()).isEqualTo(dir.resolve("tor/onionoo-exit-relays.csv").toString());
        assertThat(status(e, "embedded:tor").dataAsOf()).isEqualTo(T0); // plain list: the file's modification time
    }

    @Test
    void build_noOperatorFile_usesBundledCopy() {
        EmbeddedEngine e = engine("tor");
        assertThat(tor(e, "204.8.96.141")).isTrue();
        assertThat(report(e.loadReports(), "tor").origin()).isEqualTo("bundled:prefixes.bin.gz#tor");
    }

    @Test
    void refresh_corruptFile_keepsLastGoodDataAndSaysWhy() throws IOException {
        write("tor/onionoo-exit-relays.csv", "185.220.101.1\n185.220.101.2\n");
        EmbeddedEngine e = engine("tor");
        write("tor/onionoo-exit-relays.csv", "<html>502 Bad Gateway</html>\nnot a list\n");
        clock.advance(Duration.ofHours(1));

        List<LoadReport> reports = e.refresh();

        LoadReport tor = report(reports, "tor");
        assertThat(tor.used()).isFalse();
        assertThat(tor.badLines()).isEqualTo(2);
        assertThat(tor.failure()).startsWith("no entries read").contains("still serving data of " + T0);
        assertThat(tor(e, "185.220.101.1")).isTrue();
        assertThat(status(e, "embedded:tor").problem()).contains("still serving");
        assertThat(status(e, "embedded:tor").dataAsOf()).isEqualTo(T0);
    }

    @Test
    void refresh_mostlyBadLines_rejected() throws IOException {
        write("tor/onionoo-exit-relays.csv", "185.220.101.1\n");
        EmbeddedEngine e = engine("tor");
        write("tor/onionoo-exit-relays.csv", "185.220.101.9\nx\ny\n");
        assertThat(report(e.refresh(), "tor").failure()).startsWith("2 bad lines against 1 good ones");
        assertThat(tor(e, "185.220.101.1")).isTrue();
        assertThat(tor(e, "185.220.101.9")).isFalse();
    }

    @Test
    void refresh_goodFile_swapsInNewData() throws IOException {
        write("tor/onionoo-exit-relays.csv", "185.220.101.1\n");
        EmbeddedEngine e = engine("tor");
        write("tor/onionoo-exit-relays.csv", "# new list\n185.220.101.2\nbroken\n185.220.101.3\n");
        LoadReport tor = report(e.refresh(), "tor");
        assertThat(tor.used()).isTrue();
        assertThat(tor.problems()).extracting(LoadReport.Problem::line).containsExactly(3);
        assertThat(tor(e, "185.220.101.1")).isFalse();
        assertThat(tor(e, "185.220.101.2")).isTrue();
        assertThat(status(e, "embedded:tor").problem()).isNull();
    }

    @Test
    void refresh_oneSetBrokenOtherGood_partialRefreshKeepsOnlyTheBrokenOne() throws IOException {
        write("tor/onionoo-exit-relays.csv", "185.220.101.1\n");
        write("vpn/protonvpn-ipv4.txt", "2.58.241.66\n");
        EmbeddedEngine e = engine("tor", "protonvpn");
        write("tor/onionoo-exit-relays.csv", "185.220.101.7\n");
        write("vpn/protonvpn-ipv4.txt", "<html>oops</html>\n");

        List<LoadReport> reports = e.refresh();

        assertThat(report(reports, "tor").used()).isTrue();
        assertThat(report(reports, "protonvpn").used()).isFalse();
        assertThat(tor(e, "185.220.101.7")).isTrue();
        assertThat(e.lookup(IpAddress.parse("2.58.241.66")).string(Signal.VPN_PROVIDER)).isEqualTo("protonvpn");
    }

    @Test
    void build_corruptOperatorFileAtStart_fallsBackToBundledCopy() throws IOException {
        write("tor/onionoo-exit-relays.csv", "garbage\n");
        EmbeddedEngine e = engine("tor");
        assertThat(tor(e, "204.8.96.141")).isTrue();
        assertThat(status(e, "embedded:tor").problem()).contains("no entries read").contains("bundled:prefixes.bin.gz#tor");
    }

    @Test
    void sources_dataOlderThanMaxAge_stale() throws IOException {
        write("tor/onionoo-exit-relays.csv", "185.220.101.1\n");
        EmbeddedEngine e = EmbeddedEngine.builder().dataDirectory(dir).clock(clock).crawlerRanges(sink -> { })
                .only("tor").maxAge("tor", Duration.ofDays(2)).build();
        assertThat(status(e, "embedded:tor").problem()).isNull();
        clock.advance(Duration.ofDays(3));
        assertThat(status(e, "embedded:tor").problem()).isEqualTo("stale: data is 3 days old (warn after 2 days)");
    }

    @Test
    void refresh_vendorJsonDirectory_usesDateInsideFile() throws IOException {
        write("cloud/official/aws-ip-ranges.json", """
                {"createDate": "2026-08-30-10-00-00", "prefixes": [{"ip_prefix": "198.18.5.0/24"}, {"ip_prefix": "203.0.114.0/24"}]}
                """);
        EmbeddedEngine e = engine("aws");
        assertThat(e.lookup(IpAddress.parse("203.0.114.9")).string(Signal.HOSTING_PROVIDER)).isEqualTo("aws");
        assertThat(status(e, "embedded:aws").dataAsOf()).isEqualTo(Instant.parse("2026-08-30T10:00:00Z"));
    }
}
