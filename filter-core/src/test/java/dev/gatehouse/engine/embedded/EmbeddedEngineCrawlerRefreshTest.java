package dev.gatehouse.engine.embedded;

import dev.gatehouse.StandardEngine;
import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.crawler.CrawlerCatalog;
import dev.gatehouse.crawler.CrawlerVerifier;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Crawler range files from an operator directory: refreshed like the other data sets, shared with the verifier. */
class EmbeddedEngineCrawlerRefreshTest {

    private static final Instant T0 = Instant.parse("2026-09-02T00:00:00Z");
    private static final String COMMON = "crawlers/google/common-crawlers.json";
    private static final String BING_TXT = "crawlers/ranges-txt/bing-ipv4.txt";
    private static final String GOOGLEBOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    /** Never asked: every check below is decided by the ranges (a query there could not answer). */
    private static final InetSocketAddress NOWHERE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);
    private EmbeddedEngine engine;

    @BeforeEach
    void setUp() {
        engine = EmbeddedEngine.builder().dataDirectory(dir).clock(clock).only(COMMON, BING_TXT).build();
    }

    @AfterEach
    void tearDown() {
        engine.close();
    }

    private void write(String relative, String content) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setLastModifiedTime(file, FileTime.from(clock.instant()));
    }

    private static String googleJson(String creationTime, String... v4) {
        StringBuilder b = new StringBuilder("{\n  \"creationTime\": \"" + creationTime + "\",\n  \"prefixes\": [");
        for (int i = 0; i < v4.length; i++) {
            b.append(i == 0 ? "\n" : ",\n").append("    {\"ipv4Prefix\": \"").append(v4[i]).append("\"}");
        }
        return b.append("\n  ]\n}\n").toString();
    }

    private Signals lookup(String ip) {
        return engine.lookup(IpAddress.parse(ip));
    }

    private Signals.SourceStatus status(String id) {
        return engine.sources().stream().filter(s -> s.name().equals("embedded:" + id)).findFirst().orElseThrow();
    }

    @Test
    void refresh_changedCommonCrawlersFile_newAddressVerifiedByIpRange() throws IOException {
        assertThat(lookup("1.2.3.4").value(Signal.BOT_NAME)).isNull();
        assertThat(lookup("66.249.66.1").string(Signal.BOT_NAME)).isEqualTo("Googlebot"); // bundled copy
        assertThat(status(COMMON).dataAsOf()).isEqualTo(Instant.parse("2026-08-20T14:46:45Z"));

        write(COMMON, googleJson("2026-09-01T12:00:00.000000", "1.2.3.0/24"));
        engine.refresh();

        Signals s = lookup("1.2.3.4");
        assertThat(s.string(Signal.BOT_NAME)).isEqualTo("Googlebot");
        assertThat(s.string(Signal.BOT_VERIFIED)).isEqualTo("verified");
        assertThat(s.string(Signal.BOT_VERIFIED_BY)).isEqualTo("ip_range");
        assertThat(engine.crawlerCatalog().byAddress(IpAddress.parse("1.2.3.4")).map(CrawlerCatalog.Crawler::name))
                .contains("Googlebot");
        Signals.SourceStatus common = status(COMMON);
        assertThat(common.dataAsOf()).isEqualTo(Instant.parse("2026-09-01T12:00:00Z"));
        assertThat(common.problem()).isNull();
        assertThat(status("crawlers").problem()).isNull();
    }

    @Test
    void refresh_corruptCrawlerFile_keepsLastGoodRangesAndSaysWhy() throws IOException {
        write(COMMON, googleJson("2026-09-01T12:00:00.000000", "1.2.3.0/24"));
        engine.refresh();
        assertThat(lookup("1.2.3.4").string(Signal.BOT_NAME)).isEqualTo("Googlebot");

        write(COMMON, "{\"creationTime\": \"2026-09-03T00:00:00\", \"prefixes\": [{\"ipv4Prefix\": \"5.6.7.0/24\"}, {\"ipv4Pre");
        List<LoadReport> reports = engine.refresh();

        assertThat(lookup("1.2.3.4").string(Signal.BOT_NAME)).isEqualTo("Googlebot");
        assertThat(lookup("5.6.7.8").value(Signal.BOT_NAME)).isNull();
        assertThat(engine.crawlerCatalog().byAddress(IpAddress.parse("1.2.3.4"))).isPresent();
        assertThat(status(COMMON).problem()).contains("malformed JSON").contains("still serving data of 2026-09-01T12:00:00Z");
        assertThat(status(COMMON).dataAsOf()).isEqualTo(Instant.parse("2026-09-01T12:00:00Z"));
        assertThat(reports).filteredOn(r -> r.dataSet().equals(COMMON)).singleElement()
                .satisfies(r -> assertThat(r.used()).isFalse());
    }

    @Test
    void refresh_firstLoadOfBadFile_bundledRangesAndProblem() throws IOException {
        write(COMMON, "<html>Service Unavailable</html>\n");
        engine.refresh();

        assertThat(lookup("66.249.66.1").string(Signal.BOT_NAME)).isEqualTo("Googlebot");
        assertThat(status(COMMON).problem()).contains("no entries read").contains("bundled:" + COMMON);
    }

    @Test
    void refresh_filesThatMakeNoCatalog_previousCatalogKeptAndSaysWhy() throws IOException {
        String ipverse = "crawlers/ipverse-crawlers.json";
        try (EmbeddedEngine e = EmbeddedEngine.builder().dataDirectory(dir).clock(clock).only(COMMON, ipverse).build()) {
            write(COMMON, googleJson("2026-09-01T12:00:00.000000", "1.2.3.0/24"));
            e.refresh();
            // a well-formed ipverse file that lacks services the catalog names (GPTBot, …)
            write(ipverse, "{\"services\": {\"Bingbot\": {\"ip_list_authoritative\": true, \"ipv4\": [\"9.8.7.0/24\"]}}}");
            write(COMMON, googleJson("2026-09-02T12:00:00.000000", "5.6.7.0/24"));
            e.refresh();

            assertThat(e.lookup(IpAddress.parse("1.2.3.4")).string(Signal.BOT_NAME)).isEqualTo("Googlebot");
            assertThat(e.lookup(IpAddress.parse("5.6.7.8")).value(Signal.BOT_NAME)).isNull();
            assertThat(e.crawlerCatalog().byAddress(IpAddress.parse("9.8.7.6"))).isEmpty();
            Signals.SourceStatus crawlers = e.sources().stream().filter(st -> st.name().equals("embedded:crawlers"))
                    .findFirst().orElseThrow();
            assertThat(crawlers.problem()).contains("crawler ranges not updated").contains("no service")
                    .contains("still serving the previous ranges");
        }
    }

    @Test
    void sources_crawlerFileOlderThanThreeDays_stale() throws IOException {
        write(COMMON, googleJson("2026-09-01T12:00:00.000000", "1.2.3.0/24"));
        engine.refresh();
        assertThat(status(COMMON).problem()).isNull();

        clock.advance(Duration.ofDays(4));

        assertThat(status(COMMON).problem()).startsWith("stale: data is 4 days old (warn after 3 days)");
    }

    @Test
    void refresh_vendorJsonUnderTextFileName_readByContent() throws IOException {
        // Bing publishes JSON (with stray zero-width spaces); the bundled copy of its list is text
        write(BING_TXT, "{\"creationTime\": \"2026-09-01T00:00:00\", \"prefixes\": [{\"ipv4Prefix\": \"\u200B9.8.7.0/24\"}]}");
        engine.refresh();

        assertThat(lookup("9.8.7.6").string(Signal.BOT_NAME)).isEqualTo("Bingbot");
        assertThat(status(BING_TXT).problem()).isNull();
        assertThat(status(BING_TXT).dataAsOf()).isEqualTo(Instant.parse("2026-09-01T00:00:00Z"));
    }

    @Test
    void catalogSource_engineCatalog_verifierSeesRefreshedRanges() throws IOException {
        CrawlerVerifier verifier = CrawlerVerifier.builder().catalogSource(engine::crawlerCatalog)
                .dnsServers(List.of(NOWHERE)).meterRegistry(new SimpleMeterRegistry()).build();
        IpAddress ip = IpAddress.parse("1.2.3.4");
        assertThat(enrich(verifier, RequestFacts.forIp(ip)).string(Signal.BOT_VERIFIED)).isNull(); // absent: none

        write(COMMON, googleJson("2026-09-01T12:00:00.000000", "1.2.3.0/24"));
        engine.refresh();

        Signals byAddress = enrich(verifier, RequestFacts.forIp(ip));
        assertThat(byAddress.string(Signal.BOT_NAME)).isEqualTo("Googlebot");
        assertThat(byAddress.string(Signal.BOT_VERIFIED_BY)).isEqualTo("ip_range");
        Signals claimed = enrich(verifier, RequestFacts.builder(ip).userAgent(GOOGLEBOT_UA).build());
        assertThat(claimed.string(Signal.BOT_VERIFIED)).isEqualTo("verified");
        assertThat(claimed.string(Signal.BOT_VERIFIED_BY)).isEqualTo("ip_range");
    }

    @Test
    void standardEngine_configuredEmbeddedEngine_refreshedRangesVerifyClaims() throws IOException {
        IntelligenceEngine standard = StandardEngine.create(engine, Duration.ofSeconds(5), List.of(NOWHERE),
                new SimpleMeterRegistry());
        write(COMMON, googleJson("2026-09-01T12:00:00.000000", "1.2.3.0/24"));
        engine.refresh();

        Signals s = standard.lookup(RequestFacts.builder(IpAddress.parse("1.2.3.4")).userAgent(GOOGLEBOT_UA).build())
                .toCompletableFuture().orTimeout(2, TimeUnit.SECONDS).join();

        assertThat(s.string(Signal.BOT_NAME)).isEqualTo("Googlebot");
        assertThat(s.string(Signal.BOT_VERIFIED)).isEqualTo("verified");
        assertThat(s.string(Signal.BOT_VERIFIED_BY)).isEqualTo("ip_range");
    }

    private static Signals enrich(CrawlerVerifier verifier, RequestFacts facts) {
        return verifier.enrich(facts, Signals.of(facts.clientIp())).toCompletableFuture().orTimeout(2, TimeUnit.SECONDS).join();
    }
}
