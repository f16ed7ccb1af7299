package dev.gatehouse.crawler;

import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.ratelimit.redis.RedisSettings;
import dev.gatehouse.ratelimit.redis.RedisSharedCache;
import dev.gatehouse.testing.RequiresRedis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two instances' crawler verifiers sharing outcomes through Redis: one DNS verification per address between them. */
@RequiresRedis
class SharedCrawlerVerificationIT {

    private TestDnsServer dns;
    private RedisSharedCache firstCache;
    private RedisSharedCache secondCache;

    @BeforeEach
    void start() {
        dns = TestDnsServer.start();
        RedisSettings settings = RedisSettings.builder().keyPrefix("gh-crawl-" + UUID.randomUUID()).timeout(Duration.ofSeconds(1)).build();
        firstCache = RedisSharedCache.create(settings, Clock.systemUTC(), new SimpleMeterRegistry());
        secondCache = RedisSharedCache.create(settings, Clock.systemUTC(), new SimpleMeterRegistry());
    }

    @AfterEach
    void stop() {
        firstCache.close();
        secondCache.close();
        dns.close();
    }

    private CrawlerVerifier verifier(RedisSharedCache shared) {
        return CrawlerVerifier.builder().dnsServers(List.of(dns.address())).timeout(Duration.ofSeconds(5)).dnsTimeout(Duration.ofSeconds(2))
                .sharedCache(shared).meterRegistry(new SimpleMeterRegistry()).build();
    }

    private static Signals enrich(CrawlerVerifier verifier, String ip) {
        RequestFacts facts = RequestFacts.builder(IpAddress.parse(ip)).userAgent(CrawlerVerifierIT.GOOGLEBOT).build();
        return verifier.enrich(facts, Signals.of(facts.clientIp())).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }

    @Test
    void secondInstance_readsTheFirstInstancesOutcome_withoutAskingDns() {
        dns.ptr("192.0.2.10", "crawl-192-0-2-10.googlebot.com").address("crawl-192-0-2-10.googlebot.com", "192.0.2.10");
        try (CrawlerVerifier first = verifier(firstCache); CrawlerVerifier second = verifier(secondCache)) {
            Signals a = enrich(first, "192.0.2.10");
            assertThat(a.value(Signal.BOT_VERIFIED)).isEqualTo("verified");
            assertThat(dns.queryCount("192.0.2.10", "PTR")).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    secondCache.get(new dev.gatehouse.api.SharedCache.Key(SharedOutcomes.NAMESPACE, SharedOutcomes.VERSION,
                            "192.0.2.10|google.com,googlebot.com")).join().isPresent());

            Signals b = enrich(second, "192.0.2.10");

            assertThat(b.value(Signal.BOT_VERIFIED)).isEqualTo("verified");
            assertThat(b.value(Signal.BOT_VERIFIED_BY)).isEqualTo("rdns");
            assertThat(dns.queryCount("192.0.2.10", "PTR")).as("one DNS verification between the two").isEqualTo(1);
        }
    }

    @Test
    void spoofedOutcome_isSharedToo_butADnsFailureIsNot() {
        dns.ptr("198.51.100.8", "crawl.evilgooglebot.com").address("crawl.evilgooglebot.com", "198.51.100.8");
        dns.servfail("203.0.113.7");
        try (CrawlerVerifier first = verifier(firstCache); CrawlerVerifier second = verifier(secondCache)) {
            assertThat(enrich(first, "198.51.100.8").value(Signal.BOT_VERIFIED)).isEqualTo("spoofed");
            assertThat(enrich(first, "203.0.113.7").value(Signal.BOT_VERIFIED)).isEqualTo("unknown");
            long servfailQueries = dns.queryCount("203.0.113.7", "PTR");
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    secondCache.get(new dev.gatehouse.api.SharedCache.Key(SharedOutcomes.NAMESPACE, SharedOutcomes.VERSION,
                            "198.51.100.8|google.com,googlebot.com")).join().isPresent());

            assertThat(enrich(second, "198.51.100.8").value(Signal.BOT_VERIFIED)).isEqualTo("spoofed");
            assertThat(dns.queryCount("198.51.100.8", "PTR")).isEqualTo(1);
            assertThat(enrich(second, "203.0.113.7").value(Signal.BOT_VERIFIED)).isEqualTo("unknown");
            assertThat(dns.queryCount("203.0.113.7", "PTR")).as("the second instance asks DNS itself").isGreaterThan(servfailQueries);
        }
    }

    @Test
    void outcomeCodec_roundTrips_andRejectsForeignBytes() {
        ForwardConfirmedRdns.Outcome o = new ForwardConfirmedRdns.Outcome(ForwardConfirmedRdns.Result.CONFIRMED, "crawl.googlebot.com", null);
        assertThat(SharedOutcomes.decode(SharedOutcomes.encode(o))).contains(o);
        assertThat(SharedOutcomes.decode("{\"result\":\"MAYBE\"}".getBytes())).isEmpty();
        assertThat(SharedOutcomes.decode(new byte[] {1, 2})).isEmpty();
    }
}
