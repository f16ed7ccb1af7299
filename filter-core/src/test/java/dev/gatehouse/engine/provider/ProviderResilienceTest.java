package dev.gatehouse.engine.provider;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.engine.Engines;
import dev.gatehouse.engine.embedded.Scoring;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.testing.TestPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** What the documents never promise but the internet does, and the cost controls around every call. */
class ProviderResilienceTest {

    @Test
    void thousandConcurrentLookupsOfOneUncachedIp_makeOneCall() throws Exception {
        try (Harness h = new Harness("ipintel")) {
            CountDownLatch release = new CountDownLatch(1);
            h.server.answer(exchange -> {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                FakeProvider.json(200, Seeds.IPINTEL_IP).respond(exchange);
            });
            ExecutorService pool = Executors.newFixedThreadPool(16);
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<Signals>> all = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                all.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return h.layer.enrich(RequestFacts.forIp(IpAddress.parse("20.204.24.249")),
                            Signals.of(IpAddress.parse("20.204.24.249"))).toCompletableFuture();
                }, pool).thenCompose(f -> f));
            }
            start.countDown();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> h.server.requests() == 1);
            release.countDown();
            for (CompletableFuture<Signals> f : all) {
                assertThat(f.get(10, TimeUnit.SECONDS).value(Signal.THREAT_SCORE)).isEqualTo(22);
            }
            assertThat(h.server.requests()).isEqualTo(1);
            pool.shutdownNow();
        }
    }

    @Test
    void dailyQuota_isNeverExceededByAFloodOfRandomIps() throws Exception {
        try (Harness h = new Harness("ipintel", b -> b.quotaPerDay(3))) {
            h.server.answer(200, Seeds.IPINTEL_IP);
            for (int i = 1; i <= 10; i++) {
                h.enrich("20.204.24." + i);
            }
            assertThat(h.server.requests()).isEqualTo(3);
            assertThat(h.enrich("20.204.25.1").notes()).anyMatch(n -> n.contains("quota spent"));
            h.advance(Duration.ofDays(1));
            h.enrich("20.204.25.2");
            assertThat(h.server.requests()).isEqualTo(4);
        }
    }

    @Test
    void breaker_opensAfterFailures_thenProbesAfterItsWait() throws Exception {
        try (Harness h = new Harness("iptrust")) {
            h.server.answer(500, "{}");
            for (int i = 1; i <= 10; i++) {
                h.enrich("74.148.39." + i);
            }
            assertThat(h.health().state()).isEqualTo("breaker_open");
            h.enrich("74.148.40.1");
            assertThat(h.server.requests()).isEqualTo(10);
            h.advance(Duration.ofSeconds(31));
            h.server.answer(200, Seeds.IPTRUST_PREMIUM);
            assertThat(h.enrich("74.148.40.2").value(Signal.TOR)).isEqualTo(true);
            assertThat(h.server.requests()).isEqualTo(11);
        }
    }

    @Test
    void staleAnswer_isServedAtOnce_andRefreshedOnce_withinMaxStale() throws Exception {
        try (Harness h = new Harness("ipintel", b -> b.cacheTtl(Duration.ofHours(1)).cacheMaxStale(Duration.ofHours(1)))) {
            h.server.answer(200, Seeds.IPINTEL_IP);
            h.enrich("20.204.24.249");
            h.advance(Duration.ofMinutes(30));
            h.enrich("20.204.24.249");
            assertThat(h.server.requests()).isEqualTo(1); // fresh
            h.advance(Duration.ofMinutes(60));
            h.server.answer(200, Seeds.IPINTEL_IP.replace("\"threat_score\": 22", "\"threat_score\": 64"));
            assertThat(h.enrich("20.204.24.249").value(Signal.THREAT_SCORE)).isEqualTo(22); // stale, served now
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> h.server.requests() == 2);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> Integer.valueOf(64).equals(h.enrich("20.204.24.249").value(Signal.THREAT_SCORE)));
            h.advance(Duration.ofHours(3)); // past TTL + max staleness: gone, asked again and waited for
            assertThat(h.enrich("20.204.24.249").value(Signal.THREAT_SCORE)).isEqualTo(64);
            assertThat(h.server.requests()).isEqualTo(3);
        }
    }

    @Test
    void hangingServer_costsAtMostTheTimeout_andTheCallFillsTheCacheLater() throws Exception {
        try (Harness h = new Harness("ipintel", b -> b.timeout(Duration.ofMillis(100)))) {
            h.server.answer(h.server.hang());
            long start = System.nanoTime();
            Signals s = h.enrich("20.204.24.249");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(s.notes()).anyMatch(n -> n.contains("no answer within 100 ms"));
            assertThat(s.answers()).isEmpty();
        }
    }

    @Test
    void closedMidBody_malformed_andHugeJson_areOutages() throws Exception {
        try (Harness h = new Harness("ipintel")) {
            h.server.answer(FakeProvider.closeMidBody(Seeds.IPINTEL_IP));
            assertThat(h.enrich("20.204.24.1").notes()).anyMatch(n -> n.contains("provider:ipintel"));
            h.server.answer(200, "{\"ip\": \"20.204.24.2\", \"threat_score\": ");
            assertThat(h.enrich("20.204.24.2").notes()).anyMatch(n -> n.contains("not JSON"));
            h.server.answer(200, "{\"ip\": \"20.204.24.3\", \"pad\": \"" + "x".repeat(400_000) + "\"}");
            assertThat(h.enrich("20.204.24.3").notes()).anyMatch(n -> n.contains("larger than"));
            assertThat(h.enrich("20.204.24.4").answers()).isEmpty();
        }
    }

    @Test
    void storm429_stopsAfterTheFirst() throws Exception {
        try (Harness h = new Harness("ipinsights")) {
            h.server.answer(FakeProvider.json(429, "{\"success\": false, \"error\": \"Rate limit exceeded\"}", Map.of("Retry-After", "600")));
            for (int i = 1; i <= 100; i++) {
                h.enrich("8.8." + (i / 250) + "." + (i % 250));
            }
            assertThat(h.server.requests()).isEqualTo(1);
            assertThat(h.health().detail()).contains("2026-11-30T10:10:00Z");
        }
    }

    @Test
    void privateAndBogonAddresses_areNeverAsked() throws Exception {
        try (Harness h = new Harness("ipintel")) {
            h.server.answer(200, Seeds.IPINTEL_IP);
            for (String ip : List.of("10.0.0.1", "192.168.1.1", "127.0.0.1", "100.64.0.1", "fd00::1", "fe80::1", "::1")) {
                h.enrich(ip);
            }
            h.enrich(Signals.builder(IpAddress.parse("198.51.100.7")).put(Signal.BOGON, true, "embedded:bogons").build());
            assertThat(h.server.requests()).isZero();
        }
    }

    @Test
    void inconclusive_asksOnlyWhenEmbeddedSignalsLeaveItOpen() throws Exception {
        try (Harness h = new Harness("ipintel", b -> b.when(ProviderSettings.When.INCONCLUSIVE))) {
            h.server.answer(200, Seeds.IPINTEL_IP);
            h.enrich(Signals.builder(IpAddress.parse("20.204.24.1")).put(Signal.TOR, true, "embedded:tor").build());
            h.enrich(Signals.builder(IpAddress.parse("20.204.24.2")).put(Signal.BOT_VERIFIED, "verified", "rdns").build());
            h.enrich(Signals.builder(IpAddress.parse("20.204.24.3")).put(Signal.PROXY, true, "embedded:proxy")
                    .put(Signal.PROXY_TYPE, "open", "embedded:proxy").build());
            assertThat(h.server.requests()).isZero();
            h.enrich(Signals.builder(IpAddress.parse("20.204.24.4")).put(Signal.HOSTING, true, "embedded:hosting").build());
            assertThat(h.server.requests()).isEqualTo(1);
        }
    }

    @Test
    void background_neverWaits_andAnswersFromTheCacheNextTime() throws Exception {
        try (Harness h = new Harness("ipintel", b -> b.when(ProviderSettings.When.BACKGROUND))) {
            CountDownLatch release = new CountDownLatch(1);
            h.server.answer(exchange -> {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                FakeProvider.json(200, Seeds.IPINTEL_IP).respond(exchange);
            });
            assertThat(h.layer.enrich(RequestFacts.forIp(IpAddress.parse("20.204.24.249")), Signals.of(IpAddress.parse("20.204.24.249")))
                    .toCompletableFuture().isDone()).isTrue();
            release.countDown();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> Integer.valueOf(22).equals(h.enrich("20.204.24.249").value(Signal.THREAT_SCORE)));
            assertThat(h.server.requests()).isEqualTo(1);
        }
    }

    @Test
    void everyProviderHanging_gatehouseStillDecidesWithinBudget_onEmbeddedSignals() throws Exception {
        List<FakeProvider> servers = new ArrayList<>();
        List<ProviderSettings> settings = new ArrayList<>();
        for (String name : ProviderSettings.NAMES) {
            FakeProvider server = new FakeProvider();
            server.answer(server.hang());
            servers.add(server);
            settings.add(ProviderSettings.builder(name).apiKey("k").baseUrl(server.baseUrl()).when(ProviderSettings.When.ALWAYS)
                    .timeout(Duration.ofSeconds(5)).build());
        }
        Duration budget = Duration.ofMillis(200);
        Harness clocks = new Harness("ipbot");
        try (Providers providers = Providers.create(settings, Harness.HTTP, clocks.clock, clocks.ticker, clocks.registry, budget,
                Scoring.defaults())) {
            IntelligenceEngine embedded = facts -> CompletableFuture.completedFuture(
                    Signals.builder(facts.clientIp()).put(Signal.TOR, true, "embedded:tor").build());
            IntelligenceEngine engine = Engines.layered(embedded, Scoring.defaults(), providers.enrichers());
            Gatehouse gatehouse = Gatehouse.builder().engine(engine).policy(TestPolicy.torBlocking()).budget(budget).build();
            long start = System.nanoTime();
            Decision d = gatehouse.decide(RequestFacts.forIp(IpAddress.parse("20.204.24.249"))).get(5, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(d.signals().isTrue(Signal.TOR)).isTrue(); // the embedded answer survived the hanging providers
            assertThat(d.timings().budgetExceeded()).isFalse();
        } finally {
            clocks.close();
            servers.forEach(FakeProvider::close);
        }
    }
}
