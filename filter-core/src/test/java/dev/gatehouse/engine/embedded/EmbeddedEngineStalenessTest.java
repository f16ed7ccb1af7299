package dev.gatehouse.engine.embedded;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.api.Signal;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddedEngineStalenessTest {

    @Test
    void staleness_bundledTorAfterItsMaxAge_reportedWithWarningLine() {
        EmbeddedEngine engine = EmbeddedEngine.builder().only("tor", "bogons").warnStale(false)
                .clock(Clock.fixed(Instant.parse("2026-11-30T00:00:00Z"), ZoneOffset.UTC)).build();
        assertThat(engine.staleness()).extracting(EmbeddedEngine.Staleness::dataSet).containsExactly("tor");
        EmbeddedEngine.Staleness tor = engine.staleness().get(0);
        assertThat(tor.age().toDays()).isEqualTo(99);
        assertThat(tor.warning()).isEqualTo("embedded data set tor is stale: data of 2026-08-22 is 99 days old (stale after 3 days)");
    }

    @Test
    void startUpWarning_fewStaleSets_oneLineEach_manyStaleSets_oneSummaryLine() {
        Clock late = Clock.fixed(Instant.parse("2026-11-30T00:00:00Z"), ZoneOffset.UTC);
        List<String> few = warningsWhileBuilding(EmbeddedEngine.builder().only("tor", "bogons").clock(late));
        assertThat(few).containsExactly("embedded data set tor is stale: data of 2026-08-22 is 99 days old (stale after 3 days)");

        List<String> many = warningsWhileBuilding(EmbeddedEngine.builder().clock(late));
        EmbeddedEngine all = EmbeddedEngine.builder().warnStale(false).clock(late).build();
        assertThat(all.staleness()).hasSizeGreaterThan(EmbeddedEngine.STALE_LINES_MAX);
        assertThat(many).as("one summary line, not one per set").hasSize(1);
        assertThat(many.get(0)).startsWith(all.staleness().size() + " embedded data sets are stale (the oldest, ")
                .contains("nothing refreshes them");
        all.staleness().forEach(s -> assertThat(many.get(0)).contains(s.dataSet()));
    }

    private static List<String> warningsWhileBuilding(EmbeddedEngine.Builder builder) {
        Logger log = Logger.getLogger(EmbeddedEngine.class.getName());
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel() == Level.WARNING) {
                    lines.add(r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(handler);
        try {
            builder.build();
        } finally {
            log.removeHandler(handler);
        }
        return lines;
    }

    @Test
    void staleness_freshData_empty() {
        EmbeddedEngine engine = EmbeddedEngine.builder().only("tor").warnStale(false)
                .clock(Clock.fixed(Instant.parse("2026-08-23T00:00:00Z"), ZoneOffset.UTC)).build();
        assertThat(engine.staleness()).isEmpty();
    }

    @Test
    void fetchInBackground_startsOnBundleThenServesFetchedFeed() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/tor", exchange -> {
            try {
                release.await(10, TimeUnit.SECONDS); // the build must not wait for this answer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "203.0.113.99\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try (EmbeddedEngine engine = EmbeddedEngine.builder().only("tor").warnStale(false).fetchInBackground(true)
                .url("tor", URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/tor")).build()) {
            IpAddress listed = IpAddress.parse("203.0.113.99");
            assertThat(engine.lookup(listed).isTrue(Signal.TOR)).isFalse(); // built on the bundle, fetch still pending
            release.countDown();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!engine.lookup(listed).isTrue(Signal.TOR) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(engine.lookup(listed).isTrue(Signal.TOR)).isTrue();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void publicFeeds_everyKeyIsAFeedOfTheBundle() {
        assertThat(EmbeddedEngine.feedKeys()).containsAll(PublicFeeds.urls().keySet());
        assertThat(PublicFeeds.urls().values()).allSatisfy(u -> assertThat(u.getScheme()).isEqualTo("https"));
    }
}
