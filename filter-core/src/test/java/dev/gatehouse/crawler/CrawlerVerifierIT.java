package dev.gatehouse.crawler;

import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.net.IpAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Crawler verification against a real DNS server over UDP on loopback ({@link TestDnsServer}). */
class CrawlerVerifierIT {

    static final String GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    static final String BINGBOT = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)";
    static final String APPLEBOT = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            + "Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)";
    static final String META = "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)";

    private TestDnsServer dns;
    private FakeTicker ticker;
    private SimpleMeterRegistry registry;
    private CrawlerVerifier verifier;

    @BeforeEach
    void start() {
        dns = TestDnsServer.start();
        ticker = new FakeTicker();
        registry = new SimpleMeterRegistry();
        verifier = verifier(Duration.ofSeconds(5), Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() {
        verifier.close();
        dns.close();
    }

    private CrawlerVerifier verifier(Duration timeout, Duration dnsTimeout) {
        return CrawlerVerifier.builder()
                .dnsServers(List.of(dns.address()))
                .timeout(timeout)
                .dnsTimeout(dnsTimeout)
                .dnsRetries(1)
                .ticker(ticker)
                .meterRegistry(registry)
                .build();
    }

    private Signals enrich(String ip, String ua) {
        RequestFacts facts = RequestFacts.builder(IpAddress.parse(ip)).userAgent(ua).build();
        return verifier.enrich(facts, Signals.of(facts.clientIp())).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }

    @Test
    void enrich_googlebotFromGoogleRange_verifiedByIpRangeWithoutDns() {
        Signals s = enrich("66.249.66.1", GOOGLEBOT);

        assertThat(s.value(Signal.BOT_VERIFIED)).isEqualTo("verified");
        assertThat(s.value(Signal.BOT_VERIFIED_BY)).isEqualTo("ip_range");
        assertThat(s.value(Signal.BOT_NAME)).isEqualTo("Googlebot");
        assertThat(s.value(Signal.BOT_CATEGORY)).isEqualTo("search");
        assertThat(s.isTrue(Signal.UA_CLAIMS_BOT)).isTrue();
        assertThat(s.isTrue(Signal.KNOWN_BOT)).isTrue();
        assertThat(s.observation(Signal.BOT_NAME).sources()).containsExactly("ua");
        assertThat(dns.queries()).isEmpty();
        assertThat(s.sources()).noneMatch(src -> src.name().equals("rdns"));
    }

    @Test
    void enrich_googlebotOutsideRangesWithValidFcrdns_verifiedByRdns() {
        dns.ptr("192.0.2.10", "crawl-192-0-2-10.googlebot.com").address("crawl-192-0-2-10.googlebot.com", "192.0.2.10");

        Signals s = enrich("192.0.2.10", GOOGLEBOT);

        assertThat(s.value(Signal.BOT_VERIFIED)).isEqualTo("verified");
        assertThat(s.value(Signal.BOT_VERIFIED_BY)).isEqualTo("rdns");
        assertThat(s.observation(Signal.BOT_VERIFIED).sources()).containsExactly("rdns");
        assertThat(dns.queries()).containsExactly("10.2.0.192.in-addr.arpa. PTR", "crawl-192-0-2-10.googlebot.com. A");
        assertThat(registry.get("gatehouse.crawler.verifications").tags("bot", "Googlebot", "outcome", "verified", "method", "rdns")
                .counter().count()).isEqualTo(1.0);
    }

    @Test
    void enrich_ptrClaimsGooglebotButForwardLookupDisagrees_spoofed() {
        dns.ptr("198.51.100.7", "crawl-66-249-66-1.googlebot.com").address("crawl-66-249-66-1.googlebot.com", "66.249.66.1");

        Signals s = enrich("198.51.100.7", GOOGLEBOT);

        assertThat(s.value(Signal.BOT_VERIFIED)).isEqualTo("spoofed");
        assertThat(s.value(Signal.BOT_VERIFIED_BY)).isNull();
        assertThat(s.value(Signal.BOT_NAME)).isEqualTo("Googlebot");
        assertThat(s.notes()).anySatisfy(n -> assertThat(n).contains("does not resolve back to 198.51.100.7"));
    }

    @Test
    void enrich_suffixWithoutLabelBoundary_spoofedWithoutForwardLookup() {
        dns.ptr("198.51.100.8", "crawl.evilgooglebot.com").address("crawl.evilgooglebot.com", "198.51.100.8");
        dns.ptr("198.51.100.9", "googlebot.com.evil.net").address("googlebot.com.evil.net", "198.51.100.9");

        assertThat(enrich("198.51.100.8", GOOGLEBOT).value(Signal.BOT_VERIFIED)).isEqualTo("spoofed");
        assertThat(enrich("198.51.100.9", GOOGLEBOT).value(Signal.BOT_VERIFIED)).isEqualTo("spoofed");
        assertThat(dns.queries()).noneMatch(q -> q.endsWith(" A"));
    }

    @Test
    void enrich_severalPtrRecordsOneValid_verifiedByRdns() {
        dns.ptr("192.0.2.20", "static.example.net", "msnbot-192-0-2-20.search.msn.com")
                .address("static.example.net", "192.0.2.20")
                .address("msnbot-192-0-2-20.search.msn.com", "192.0.2.20");

        Signals s = enrich("192.0.2.20", BINGBOT);

        assertThat(s.value(Signal.BOT_NAME)).isEqualTo("Bingbot");
        assertThat(s.value(Signal.BOT_VERIFIED)).isEqualTo("verified");
        assertThat(s.value(Signal.BOT_VERIFIED_BY)).isEqualTo("rdns");
        assertThat(dns.queryCount("static.example.net", "A")).as("only documented names are resolved forward").isZero();
    }

    @Test
    void enrich_applebotWithAppleRdns_verifiedByRdns() {
        dns.ptr("192.0.2.30", "192-0-2-30.applebot.apple.com").address("192-0-2-30.applebot.apple.com", "192.0.2.30");

        Signals s = enrich("192.0.2.30", APPLEBOT);

        assertThat(s.value(Signal.BOT_NAME)).isEqualTo("Applebot");
        assertThat(s.value(Signal.BOT_VERIFIED)).isEqualTo("verified");
    }

    @Test
    void enrich_ipv6CrawlerWithFcrdns_verifiedByRdnsThroughIp6Arpa() {
        dns.ptr("2001:db8::66", "crawl-2001-db8--66.googlebot.com").address("crawl-2001-db8--66.googlebot.com", "2001:db8::66");

        Signals s = enrich("2001:db8::66", GOOGLEBOT);

        assertThat(s.value(Signal.BOT_VERIFIED)).isEqualTo("verified");
        assertThat(s.value(Signal.BOT_VERIFIED_BY)).isEqualTo("rdns");
        assertThat(dns.queries()).anyMatch(q -> q.endsWith(".ip6.arpa. PTR")).anyMatch(q -> q.endsWith(" AAAA"));
    }

    @Test
    void enrich_ptrNxdomain_spoofed() {
        Signals s = enrich("203.0.113.5", GOOGLEBOT);

        assertThat(s.value(Signal.BOT_VERIFIED)).isEqualTo("spoofed");
        assertThat(s.notes()).anySatisfy(n -> assertThat(n).contains("NXDOMAIN"));
    }

    @Test
    void enrich_ptrServfail_unknownAfterRetry() {
        dns.servfail("203.0.113.6");

        Signals s = enrich("203.0.113.6", GOOGLEBOT);

        assertThat(s.value(Signal.BOT_VERIFIED)).isEqualTo("unknown");
        assertThat(s.notes()).anySatisfy(n -> assertThat(n).contains("SERVFAIL"));
        assertThat(s.sources()).anySatisfy(src -> assertThat(src.name()).isEqualTo("rdns"))
                .allSatisfy(src -> assertThat(src.problem()).isNotNull());
        assertThat(dns.queryCount("203.0.113.6", "PTR")).as("one try and one retry").isEqualTo(2);
        assertThat(registry.get("gatehouse.crawler.dns.failures").tags("type", "PTR", "reason", "servfail").counter().count())
                .isEqualTo(1.0);
    }

    @Test
    void enrich_forwardLookupServfail_unknown() {
        dns.ptr("203.0.113.7", "crawl-203-0-113-7.googlebot.com").servfail("crawl-203-0-113-7.googlebot.com");

        assertThat(enrich("203.0.113.7", GOOGLEBOT).value(Signal.BOT_VERIFIED)).isEqualTo("unknown");
    }

    @Test
    void enrich_deadResolver_unknownWithinTheVerifierTimeout() {
        verifier.close();
        verifier = verifier(Duration.ofMillis(200), Duration.ofSeconds(3));
        dns.dropAll(true);
        RequestFacts facts = RequestFacts.builder(IpAddress.parse("203.0.113.8")).userAgent(GOOGLEBOT).build();

        CompletableFuture<Signals> result = verifier.enrich(facts, Signals.of(facts.clientIp())).toCompletableFuture();

        // well before one DNS try (3 s) could time out
        Signals s = result.orTimeout(2, TimeUnit.SECONDS).join();
        assertThat(s.value(Signal.BOT_VERIFIED)).isEqualTo("unknown");
        assertThat(s.value(Signal.BOT_NAME)).isEqualTo("Googlebot");
        assertThat(s.notes()).anySatisfy(n -> assertThat(n).contains("did not answer within 200 ms"));
        assertThat(registry.get("gatehouse.crawler.verifier.timeouts").counter().count()).isEqualTo(1.0);
    }

    @Test
    void enrich_serverNeverAnswersOneName_unknownAfterDnsTimeouts() {
        verifier.close();
        verifier = verifier(Duration.ofSeconds(5), Duration.ofMillis(150));
        dns.silent("203.0.113.9");

        Signals s = enrich("203.0.113.9", GOOGLEBOT);

        assertThat(s.value(Signal.BOT_VERIFIED)).isEqualTo("unknown");
        assertThat(s.notes()).anySatisfy(n -> assertThat(n).contains("timeout"));
        assertThat(registry.get("gatehouse.crawler.dns.failures").tags("type", "PTR", "reason", "timeout").counter().count())
                .isEqualTo(1.0);
    }

    @Test
    void enrich_concurrentChecksOfOneAddress_oneLookup() throws Exception {
        dns.ptr("192.0.2.40", "crawl-192-0-2-40.googlebot.com").address("crawl-192-0-2-40.googlebot.com", "192.0.2.40");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Signals>> results = new ArrayList<>();
        try {
            for (int i = 0; i < 16; i++) {
                results.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return enrich("192.0.2.40", GOOGLEBOT);
                }, pool));
            }
            go.countDown();
            for (CompletableFuture<Signals> r : results) {
                assertThat(r.get(10, TimeUnit.SECONDS).value(Signal.BOT_VERIFIED)).isEqualTo("verified");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(dns.queryCount("192.0.2.40", "PTR")).isEqualTo(1);
    }

    @Test
    void enrich_cachedOutcomes_expireByStatus() {
        dns.ptr("192.0.2.50", "crawl-192-0-2-50.googlebot.com").address("crawl-192-0-2-50.googlebot.com", "192.0.2.50");
        dns.servfail("192.0.2.51");

        enrich("192.0.2.50", GOOGLEBOT);
        enrich("192.0.2.51", GOOGLEBOT);
        ticker.advance(Duration.ofSeconds(31)); // unknown (30 s) expired, verified (6 h) not
        enrich("192.0.2.50", GOOGLEBOT);
        enrich("192.0.2.51", GOOGLEBOT);

        assertThat(dns.queryCount("192.0.2.50", "PTR")).isEqualTo(1);
        assertThat(dns.queryCount("192.0.2.51", "PTR")).isEqualTo(4); // two tries each time

        ticker.advance(Duration.ofHours(6));
        enrich("192.0.2.50", GOOGLEBOT);
        assertThat(dns.queryCount("192.0.2.50", "PTR")).isEqualTo(2);
    }

    @Test
    void enrich_metaClaimInsideAsnWithFcrdns_verifiedButOutsideAsnSpoofedWithoutDns() {
        dns.ptr("31.13.64.10", "fwdproxy-31-13-64-10.fbsv.net").address("fwdproxy-31-13-64-10.fbsv.net", "31.13.64.10");

        Signals inside = enrich("31.13.64.10", META);
        Signals outside = enrich("192.0.2.60", META);

        assertThat(inside.value(Signal.BOT_VERIFIED)).isEqualTo("verified");
        assertThat(inside.value(Signal.BOT_VERIFIED_BY)).isEqualTo("rdns");
        assertThat(outside.value(Signal.BOT_VERIFIED)).isEqualTo("spoofed");
        assertThat(dns.queryCount("192.0.2.60", "PTR")).isZero();
    }
}
