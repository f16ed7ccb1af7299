package dev.gatehouse;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.crawler.TestDnsServer;
import dev.gatehouse.engine.provider.ProviderSettings;
import dev.gatehouse.enforcement.Enforcement;
import dev.gatehouse.enforcement.Refusal;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.ratelimit.LocalRateLimitStore;
import dev.gatehouse.settings.GatehouseAssembly;
import dev.gatehouse.settings.GatehouseSettings;
import dev.gatehouse.testing.Flood;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A flood of distinct client addresses through the filter path — the assembled product
 * ({@link GatehouseAssembly}: embedded engine, crawler verification on a real UDP DNS server, a remote
 * provider on a real HTTP server, the policy with a per-client rate limit) deciding, then
 * {@link Enforcement} turning each decision into a refusal or a pass, as the servlet filter does.
 *
 * <p>It checks that every bounded structure stays within its configured bound while far more distinct
 * clients arrive than it may hold, that the retained heap grows by no more than those bounds allow,
 * and that an attacker's bucket survives the eviction the flood causes: a client hammering throughout,
 * and one that spent its budget before the flood and comes back after it, both stay limited.
 *
 * <p>Short form in every build: 100,000 IPv4 and 20,000 IPv6 clients against a bound of 10,000 buckets.
 * The documented run (figures in {@code docs/reliability.md}), from the repository root:
 * <pre>
 * mvn -o -pl filter-core test -Dtest=FilterFloodTest -Dsurefire.failIfNoSpecifiedTests=false -Dgatehouse.flood=full
 * </pre>
 * (1,000,000 IPv4 and 200,000 IPv6 clients against 100,000 buckets, the default {@code rate-limit.max-keys}).
 * Each run prints a {@code FLOOD …} line with requests/s, latency quantiles, heap after GC and RSS.
 */
class FilterFloodTest {

    static final String GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    static final IpAddress HAMMERING = IpAddress.parse("81.2.69.160");
    static final IpAddress RETURNING = IpAddress.parse("81.2.69.161");
    static final int CAPACITY = 60; // per client and hour: no attacker regains more than a token a minute during the run

    static final String POLICY = """
            default: allow
            limits:
              per-client: {capacity: 60, refill: 60, period: 1h, key: ip_prefix, ip_prefix: {v4: 32, v6: 64}}
            rules:
              - name: block-spoofed-crawlers
                when: {bot_verified: spoofed}
                action: block
              - name: limit-everyone
                action: rate_limit
                limit: per-client
            """;

    static final int DRIVERS = 4;
    static final int ATTACK_EVERY = 50;   // one request in 50 is the hammering attacker's
    static final int CRAWLER_EVERY = 20;  // one flood request in 20 claims to be Googlebot (reverse DNS, then the verifier's cache)

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES) // the full run; the short form takes seconds
    void floodOfDistinctClients_staysWithinTheBounds_andAttackersStayLimited() throws Exception {
        long maxKeys = Flood.FULL ? 100_000 : 10_000;
        long providerCache = maxKeys / 5;
        Path policy = Files.writeString(dir.resolve("flood.yaml"), POLICY);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LocalRateLimitStore store = LocalRateLimitStore.builder().maximumBuckets(maxKeys).build();
        try (TestDnsServer dns = TestDnsServer.start(); Flood.FakeIpTrust iptrust = new Flood.FakeIpTrust()) {
            GatehouseSettings settings = GatehouseSettings.custom()
                    .policy(policy).policyReload(false)
                    .dnsServers(List.of(HostPort.parse("127.0.0.1:" + dns.address().getPort(), 53)))
                    .rateLimit(new GatehouseSettings.RateLimitSettings(GatehouseSettings.RateLimitStoreKind.LOCAL, maxKeys, null))
                    .provider("iptrust", ProviderSettings.builder("iptrust").apiKey("flood-key").baseUrl(iptrust.baseUrl())
                            .when(ProviderSettings.When.BACKGROUND).cacheMaxSize(providerCache).build())
                    .build();
            try (GatehouseAssembly.Assembled built = GatehouseAssembly.assemble(settings, registry, store, getClass().getClassLoader())) {
                Gatehouse gatehouse = built.gatehouse();
                long returningSpent = System.nanoTime();
                for (int i = 0; i < 100; i++) { // the returning attacker spends its budget before the flood
                    enforce(gatehouse, RETURNING, BROWSER);
                }
                for (int i = 0; i < 1_000; i++) { // warm the paths before the heap is measured
                    enforce(gatehouse, IpAddress.ofV4(0x0B000000 + i * 256), i % 2 == 0 ? BROWSER : GOOGLEBOT);
                }
                long heapBefore = Flood.retainedHeap();

                AtomicLong maxStoreSize = new AtomicLong();
                AtomicInteger hammeringAllowed = new AtomicInteger();
                AtomicInteger hammeringRequests = new AtomicInteger();
                AtomicInteger refused = new AtomicInteger();
                AtomicInteger decided = new AtomicInteger();
                List<Flood.Latencies> latencies = new ArrayList<>();
                List<Flood.Latencies> ordinaryLatencies = new ArrayList<>(); // without the Googlebot claims that wait for DNS
                ExecutorService drivers = Executors.newFixedThreadPool(DRIVERS);
                long start = System.nanoTime();
                List<CompletableFuture<Void>> runs = new ArrayList<>();
                for (int d = 0; d < DRIVERS; d++) {
                    int driver = d;
                    Flood.Latencies mine = new Flood.Latencies(Flood.IPV4 / DRIVERS + Flood.IPV6 / DRIVERS + 1024);
                    latencies.add(mine);
                    Flood.Latencies ordinary = new Flood.Latencies(Flood.IPV4 / DRIVERS + Flood.IPV6 / DRIVERS + 1024);
                    ordinaryLatencies.add(ordinary);
                    runs.add(CompletableFuture.runAsync(() -> {
                        Flood.Ipv4Source v4 = new Flood.Ipv4Source(driver * 1_000_000_000L + 1_000_000);
                        int n = Flood.IPV4 / DRIVERS + Flood.IPV6 / DRIVERS;
                        for (int i = 0; i < n; i++) {
                            IpAddress ip = i < Flood.IPV4 / DRIVERS ? v4.next() : Flood.ipv6(driver * 10_000_000L + i);
                            long t0 = System.nanoTime();
                            boolean claim = i % CRAWLER_EVERY == 0;
                            Refusal refusal = enforce(gatehouse, ip, claim ? GOOGLEBOT : BROWSER);
                            long took = System.nanoTime() - t0;
                            mine.add(took);
                            if (!claim) {
                                ordinary.add(took);
                            }
                            decided.incrementAndGet();
                            if (refusal != null) {
                                refused.incrementAndGet();
                            }
                            if (i % ATTACK_EVERY == 0) {
                                hammeringRequests.incrementAndGet();
                                if (enforce(gatehouse, HAMMERING, BROWSER) == null) {
                                    hammeringAllowed.incrementAndGet();
                                }
                            }
                            if (i % 5_000 == 0) {
                                maxStoreSize.accumulateAndGet(store.size(), Math::max);
                            }
                        }
                    }, drivers));
                }
                CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
                long elapsed = System.nanoTime() - start;
                drivers.shutdown();
                maxStoreSize.accumulateAndGet(store.size(), Math::max);

                int returningAllowed = 0;
                for (int i = 0; i < 10; i++) {
                    if (enforce(gatehouse, RETURNING, BROWSER) == null) {
                        returningAllowed++;
                    }
                }
                long heapAfter = Flood.retainedHeap();
                long rss = Flood.rss();
                Flood.Latencies all = Flood.Latencies.merge(latencies);
                System.out.println(Flood.figures("filter path (decide + enforce, " + DRIVERS + " threads, max-keys " + maxKeys + ")",
                        decided.get(), elapsed, all, heapAfter, rss));
                Flood.Latencies browsers = Flood.Latencies.merge(ordinaryLatencies);
                System.out.printf(java.util.Locale.ROOT, "FLOOD filter path, the %,d requests without a crawler claim: p50 %.1f µs, p99 %.1f µs,"
                                + " p99.9 %.1f µs%n", browsers.count(), browsers.quantileMicros(0.5), browsers.quantileMicros(0.99),
                        browsers.quantileMicros(0.999));
                System.out.printf("FLOOD filter path: heap before %s, after %s; buckets at most %d of %d; provider calls %d;"
                                + " DNS queries %d; refused %d; hammering attacker allowed %d of %d; returning attacker allowed %d of 10%n",
                        Flood.mib(heapBefore), Flood.mib(heapAfter), maxStoreSize.get(), maxKeys, iptrust.calls(),
                        dns.queries().size(), refused.get(), hammeringAllowed.get(), hammeringRequests.get(), returningAllowed);

                int expected = (Flood.IPV4 / DRIVERS + Flood.IPV6 / DRIVERS) * DRIVERS;
                assertThat(decided.get()).as("every request decided").isEqualTo(expected);
                assertThat(maxStoreSize.get()).as("rate-limit buckets").isLessThanOrEqualTo(maxKeys);
                assertThat(iptrust.calls()).as("more provider answers than its cache holds: the cache had to evict")
                        .isGreaterThan((int) providerCache);

                // the hammering attacker: its burst, plus at most one token a minute of refill, never a fresh bucket
                long minutes = TimeUnit.NANOSECONDS.toMinutes(elapsed) + 1;
                assertThat(hammeringAllowed.get()).as("hammering attacker's allowed requests")
                        .isLessThanOrEqualTo((int) (CAPACITY + minutes));
                assertThat(hammeringRequests.get()).isGreaterThan(CAPACITY * 2);
                // the returning attacker spent its 60 before the flood: a bucket evicted by the flood would give it 10 of 10
                long minutesAway = TimeUnit.NANOSECONDS.toMinutes(System.nanoTime() - returningSpent) + 1;
                assertThat(returningAllowed).as("returning attacker's allowed requests").isLessThanOrEqualTo((int) minutesAway);

                // retained heap: what the bounded structures may hold at their maxima, generously sized per entry, plus
                // the crawler verifier's cache (one entry per Googlebot claim, below its bound of 100,000 here) and the
                // test DNS server's query log, plus slack for what the JVM itself keeps (code cache is off-heap)
                long claims = expected / CRAWLER_EVERY;
                long bound = maxKeys * 2_048 + providerCache * 4_096 + claims * 2 * 1_024 + 48L * 1024 * 1024;
                assertThat(heapAfter - heapBefore).as("retained heap growth (bound %s)", Flood.mib(bound)).isLessThan(bound);
            }
        }
    }

    /** The filter's two hops after the client address: decide, then enforce. {@code null}: the request passes. */
    static Refusal enforce(Gatehouse gatehouse, IpAddress ip, String userAgent) {
        RequestFacts facts = RequestFacts.builder(ip).method("GET").host("shop.example").path("/products")
                .header("user-agent", userAgent).header("accept", "text/html").build();
        Decision decision = gatehouse.decide(facts).join();
        return Enforcement.answer(decision, facts, null, "", gatehouse.challenger());
    }
}
