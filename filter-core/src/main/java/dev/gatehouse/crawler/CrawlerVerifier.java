package dev.gatehouse.crawler;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.gatehouse.api.BotVerification;
import dev.gatehouse.api.BotVerifiedBy;
import dev.gatehouse.api.Enricher;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.SharedCache;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.crawler.CrawlerCatalog.Crawler;
import dev.gatehouse.crawler.UserAgentClassifier.BotClaim;
import dev.gatehouse.net.IpAddress;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import org.xbill.DNS.ResolverConfig;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Checks the crawler a User-Agent claims to be, and names crawlers found by address alone.
 *
 * <p>For a claim ({@link UserAgentClassifier}) it sets {@code ua_claims_bot}, {@code known_bot},
 * {@code bot_name} and {@code bot_category} (source {@code ua}), then {@code bot_verified}:
 * <ul>
 * <li>{@code verified}, {@code bot_verified_by=ip_range}: the address is in a published range that proves
 *     this crawler ({@link CrawlerCatalog});</li>
 * <li>{@code verified}, {@code bot_verified_by=rdns}: forward-confirmed reverse DNS under a documented suffix;</li>
 * <li>{@code spoofed}: the vendor documents ranges or rDNS and the address fails both;</li>
 * <li>{@code unknown}: DNS timed out or failed and the ranges did not decide, the verifier ran out of time,
 *     or the claimed crawler publishes nothing to check against.</li>
 * </ul>
 * Without a claim, an address in published ranges is named ({@code bot_verified=verified} by
 * {@code ip_range}) unless an earlier source already did; otherwise the signals pass unchanged (an
 * absent {@code bot_verified} means {@code none}).
 *
 * <p>DNS is asynchronous (dnsjava), with a timeout per try and retries across servers. Outcomes are
 * cached per address and suffix set (verified long, spoofed shorter, unknown briefly) and concurrent
 * checks of one address share one lookup. {@link #enrich} waits at most {@link Builder#timeout}; a
 * lookup still running then completes in the background and fills the cache for the next request.
 *
 * <pre>{@code
 * CrawlerVerifier verifier = CrawlerVerifier.builder()
 *         .dnsServers(List.of(new InetSocketAddress("127.0.0.1", 5353)))   // default: the system resolvers
 *         .timeout(Duration.ofMillis(25))                                 // keep below the Gatehouse budget
 *         .build();
 * IntelligenceEngine engine = Engines.layered(EmbeddedEngine.loadDefault(), scorer, List.of(verifier));
 * }</pre>
 */
public final class CrawlerVerifier implements Enricher {

    static final String SOURCE_UA = "ua";
    static final String SOURCE_RANGES = "embedded:crawlers";
    static final String SOURCE_RDNS = "rdns";

    /** The outcome of one check, as it goes into the signals; {@code dns} when reverse DNS was consulted. */
    record Verification(BotVerification status, BotVerifiedBy method, String note, boolean dns) {
        Verification(BotVerification status, BotVerifiedBy method, String note) {
            this(status, method, note, false);
        }
    }

    private record RdnsKey(IpAddress ip, List<String> suffixes) {}

    private final Supplier<CrawlerCatalog> catalogSource;
    private final UserAgentClassifier classifier;
    private final ForwardConfirmedRdns rdns;
    private final Duration timeout;
    private final AsyncCache<RdnsKey, ForwardConfirmedRdns.Outcome> cache;
    private final MeterRegistry registry;
    private final Counter timeouts;
    private final SharedOutcomes shared;

    private CrawlerVerifier(Builder b) {
        this.catalogSource = b.catalogSource;
        this.classifier = b.classifier;
        this.timeout = b.timeout;
        this.registry = b.registry;
        this.rdns = new ForwardConfirmedRdns(new DnsLookup(b.servers(), b.dnsTimeout, b.dnsRetries, b.registry, System::nanoTime));
        Duration verifiedTtl = b.verifiedTtl;
        Duration spoofedTtl = b.spoofedTtl;
        Duration unknownTtl = b.unknownTtl;
        this.cache = Caffeine.newBuilder()
                .maximumSize(b.cacheSize)
                .ticker(b.ticker)
                .expireAfter(Expiry.<RdnsKey, ForwardConfirmedRdns.Outcome>creating((k, v) -> switch (v.result()) {
                    case CONFIRMED -> verifiedTtl;
                    case REFUTED -> spoofedTtl;
                    case INDETERMINATE -> unknownTtl;
                }))
                .buildAsync();
        this.shared = new SharedOutcomes(b.sharedCache, verifiedTtl, spoofedTtl);
        this.timeouts = Counter.builder("gatehouse.crawler.verifier.timeouts")
                .description("Checks that outlived the verifier timeout and were answered unknown (the lookup goes on and fills the cache)")
                .register(registry);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public CompletionStage<Signals> enrich(RequestFacts facts, Signals known) {
        Objects.requireNonNull(facts, "facts");
        IpAddress ip = facts.clientIp();
        Optional<BotClaim> claim = classifier.classify(facts.userAgent());
        CrawlerCatalog current = catalogSource.get(); // one catalog per request, even if a refresh swaps it meanwhile
        if (claim.isEmpty()) {
            return CompletableFuture.completedFuture(withoutClaim(current, ip, known));
        }
        BotClaim c = claim.get();
        return verify(current, ip, c, known).thenApply(v -> {
            count(c.name(), v);
            Signals.Builder b = known.toBuilder()
                    .put(Signal.UA_CLAIMS_BOT, Boolean.TRUE, SOURCE_UA)
                    .put(Signal.KNOWN_BOT, Boolean.TRUE, SOURCE_UA)
                    .put(Signal.BOT_NAME, c.name(), SOURCE_UA)
                    .put(Signal.BOT_CATEGORY, c.category().id(), SOURCE_UA)
                    .botVerification(v.status(), v.method(), sourceOf(v));
            if (v.note() != null) {
                b.note("crawler " + c.name() + ": " + v.note());
            }
            if (v.dns()) {
                b.source(new Signals.SourceStatus(SOURCE_RDNS, null, v.status() == BotVerification.UNKNOWN ? v.note() : null));
            }
            return b.build();
        }).exceptionally(e -> known.toBuilder().note("crawler verification failed: " + e).build());
    }

    private Signals withoutClaim(CrawlerCatalog catalog, IpAddress ip, Signals known) {
        if (known.value(Signal.BOT_VERIFIED) != null) {
            return known; // an earlier source (the embedded engine, a provider) already decided
        }
        Optional<Crawler> byIp = catalog.byAddress(ip);
        if (byIp.isEmpty() || known.value(Signal.BOT_NAME) != null) {
            return known; // nothing to add: an absent bot_verified means none, to policies and scoring alike
        }
        Crawler c = byIp.get();
        return known.toBuilder()
                .put(Signal.KNOWN_BOT, Boolean.TRUE, SOURCE_RANGES)
                .put(Signal.BOT_NAME, c.name(), SOURCE_RANGES)
                .put(Signal.BOT_CATEGORY, c.category().id(), SOURCE_RANGES)
                .botVerification(BotVerification.VERIFIED, BotVerifiedBy.IP_RANGE, SOURCE_RANGES)
                .build();
    }

    /** Who said it: the published ranges, or reverse DNS (also for an outcome that DNS could not reach). */
    private static String sourceOf(Verification v) {
        return v.method() == BotVerifiedBy.IP_RANGE ? SOURCE_RANGES : SOURCE_RDNS;
    }

    private CompletableFuture<Verification> verify(CrawlerCatalog catalog, IpAddress ip, BotClaim claim, Signals known) {
        Optional<Crawler> maybe = catalog.byName(claim.name());
        if (maybe.isEmpty()) {
            return done(BotVerification.UNKNOWN, null, claim.name() + " publishes no IP ranges or reverse-DNS scheme; the claim cannot be checked");
        }
        Crawler crawler = maybe.get();
        if (known.botVerification() == BotVerification.VERIFIED && known.botVerifiedBy() == BotVerifiedBy.PROVIDER
                && catalog.byName(known.string(Signal.BOT_NAME)).map(k -> k.vendor().equals(crawler.vendor())).orElse(false)) {
            return done(BotVerification.VERIFIED, BotVerifiedBy.PROVIDER, null);
        }
        CrawlerCatalog.RangeEvidence ranges = catalog.rangeEvidence(crawler, ip);
        if (ranges == CrawlerCatalog.RangeEvidence.PUBLISHED) {
            return done(BotVerification.VERIFIED, BotVerifiedBy.IP_RANGE, null);
        }
        if (ranges == CrawlerCatalog.RangeEvidence.OUTSIDE_PREFILTER) {
            return done(BotVerification.SPOOFED, null, ip + " is outside the " + crawler.vendor() + " network");
        }
        if (!crawler.hasRdns()) {
            return ranges != CrawlerCatalog.RangeEvidence.OUTSIDE
                    ? done(BotVerification.UNKNOWN, null, crawler.vendor() + " publishes no authoritative IP ranges or reverse-DNS scheme for " + crawler.name())
                    : done(BotVerification.SPOOFED, null, ip + " is not in the published ranges of " + crawler.name()
                            + " and " + crawler.vendor() + " documents no reverse-DNS scheme");
        }
        RdnsKey key = new RdnsKey(ip, crawler.rdnsSuffixes().stream().sorted().toList());
        CompletableFuture<ForwardConfirmedRdns.Outcome> lookup = cache.get(key, (k, executor) ->
                shared.getOrCheck(k.ip(), k.suffixes(), () -> rdns.check(k.ip(), k.suffixes())).exceptionally(e ->
                        new ForwardConfirmedRdns.Outcome(ForwardConfirmedRdns.Result.INDETERMINATE, null, "rDNS check failed: " + e)));
        return lookup.thenApply(o -> switch (o.result()) {
                    case CONFIRMED -> new Verification(BotVerification.VERIFIED, BotVerifiedBy.RDNS, o.note(), true);
                    case REFUTED -> new Verification(BotVerification.SPOOFED, null, o.note(), true);
                    case INDETERMINATE -> new Verification(BotVerification.UNKNOWN, null, o.note(), true);
                })
                .completeOnTimeout(null, timeout.toNanos(), TimeUnit.NANOSECONDS)
                .thenApply(v -> {
                    if (v != null) {
                        return v;
                    }
                    timeouts.increment();
                    return new Verification(BotVerification.UNKNOWN, null, "reverse DNS did not answer within " + timeout.toMillis() + " ms", true);
                });
    }

    private void count(String bot, Verification v) {
        Counter.builder("gatehouse.crawler.verifications")
                .description("Crawler claims checked, by claimed bot, outcome and method")
                .tag("bot", bot)
                .tag("outcome", v.status().id())
                .tag("method", v.method() == null ? "none" : v.method().id())
                .register(registry).increment();
    }

    private static CompletableFuture<Verification> done(BotVerification status, BotVerifiedBy method, String note) {
        return CompletableFuture.completedFuture(new Verification(status, method, note));
    }

    @Override
    public String name() {
        return "rdns";
    }

    @Override
    public void close() {
        cache.synchronous().invalidateAll();
    }

    /** Configures a verifier; every setting has a default. */
    public static final class Builder {
        private CrawlerCatalog catalog;
        private Supplier<CrawlerCatalog> catalogSource;
        private UserAgentClassifier classifier;
        private List<InetSocketAddress> dnsServers = List.of();
        private Duration timeout = Duration.ofMillis(25);
        private Duration dnsTimeout = Duration.ofSeconds(1);
        private int dnsRetries = 1;
        private Duration verifiedTtl = Duration.ofHours(6);
        private Duration spoofedTtl = Duration.ofHours(1);
        private Duration unknownTtl = Duration.ofSeconds(30);
        private long cacheSize = 100_000;
        private Ticker ticker = Ticker.systemTicker();
        private MeterRegistry registry = Metrics.globalRegistry;
        private SharedCache sharedCache = SharedCache.none();

        private Builder() {
        }

        /** Explicit DNS servers (e.g. 127.0.0.1:5353); empty = the system resolvers. */
        public Builder dnsServers(List<InetSocketAddress> servers) {
            Objects.requireNonNull(servers, "dnsServers");
            for (InetSocketAddress s : servers) {
                if (s == null || s.isUnresolved()) {
                    throw new IllegalArgumentException("dnsServers must be resolved addresses (IP literals), not " + s);
                }
            }
            this.dnsServers = List.copyOf(servers);
            return this;
        }

        /** The crawler catalog (default {@link CrawlerCatalog#loadDefault()}). */
        public Builder catalog(CrawlerCatalog catalog) {
            this.catalog = Objects.requireNonNull(catalog, "catalog");
            return this;
        }

        /**
         * Where the current crawler catalog comes from, asked once per request: use it to share the catalog
         * an {@code EmbeddedEngine} refreshes ({@code catalogSource(engine::crawlerCatalog)}), so ranges
         * refreshed there verify crawlers here too. Not together with {@link #catalog}.
         */
        public Builder catalogSource(Supplier<CrawlerCatalog> source) {
            this.catalogSource = Objects.requireNonNull(source, "catalogSource");
            return this;
        }

        /** The User-Agent classifier (default {@link UserAgentClassifier#loadDefault()}). */
        public Builder classifier(UserAgentClassifier classifier) {
            this.classifier = Objects.requireNonNull(classifier, "classifier");
            return this;
        }

        /** How long {@code enrich} waits for DNS before answering {@code unknown}. Default 25 ms: keep it below the Gatehouse budget. */
        public Builder timeout(Duration timeout) {
            this.timeout = positive("timeout", timeout);
            return this;
        }

        /** Timeout of one DNS query try. Default 1 s. */
        public Builder dnsTimeout(Duration dnsTimeout) {
            this.dnsTimeout = positive("dnsTimeout", dnsTimeout);
            return this;
        }

        /** Extra tries after a timeout or SERVFAIL, rotating through the servers. Default 1. */
        public Builder dnsRetries(int dnsRetries) {
            if (dnsRetries < 0 || dnsRetries > 5) {
                throw new IllegalArgumentException("dnsRetries must be within 0..5, not " + dnsRetries);
            }
            this.dnsRetries = dnsRetries;
            return this;
        }

        /** How long a confirmed rDNS result is kept. Default 6 h. */
        public Builder verifiedTtl(Duration ttl) {
            this.verifiedTtl = positive("verifiedTtl", ttl);
            return this;
        }

        /** How long a refuted rDNS result (spoofed) is kept. Default 1 h. */
        public Builder spoofedTtl(Duration ttl) {
            this.spoofedTtl = positive("spoofedTtl", ttl);
            return this;
        }

        /** How long a DNS failure (unknown) is kept before asking again. Default 30 s. */
        public Builder unknownTtl(Duration ttl) {
            this.unknownTtl = positive("unknownTtl", ttl);
            return this;
        }

        /** Maximum addresses whose rDNS outcome is cached. Default 100,000. */
        public Builder cacheSize(long cacheSize) {
            if (cacheSize < 1) {
                throw new IllegalArgumentException("cacheSize must be >= 1, not " + cacheSize);
            }
            this.cacheSize = cacheSize;
            return this;
        }

        /** The time source of the cache (tests move it by hand). Default the system ticker. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * A cache shared with the other instances of a fleet (e.g. {@code RedisSharedCache}): confirmed and
         * refuted rDNS outcomes are written there with their TTLs and read before asking DNS, so N instances
         * check an address once between them. Default {@link SharedCache#none()}.
         */
        public Builder sharedCache(SharedCache sharedCache) {
            this.sharedCache = Objects.requireNonNull(sharedCache, "sharedCache");
            return this;
        }

        /** Where metrics go. Default {@link Metrics#globalRegistry}. */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "meterRegistry");
            return this;
        }

        public CrawlerVerifier build() {
            if (!(verifiedTtl.compareTo(spoofedTtl) >= 0 && spoofedTtl.compareTo(unknownTtl) >= 0)) {
                throw new IllegalStateException("TTLs must satisfy verifiedTtl >= spoofedTtl >= unknownTtl, not "
                        + verifiedTtl + ", " + spoofedTtl + ", " + unknownTtl);
            }
            if (catalog != null && catalogSource != null) {
                throw new IllegalStateException("catalog(...) and catalogSource(...) cannot both be set");
            }
            if (catalogSource == null) {
                CrawlerCatalog fixed = catalog != null ? catalog : CrawlerCatalog.loadDefault();
                catalogSource = () -> fixed;
            }
            if (classifier == null) {
                classifier = UserAgentClassifier.loadDefault();
            }
            return new CrawlerVerifier(this);
        }

        List<InetSocketAddress> servers() {
            if (!dnsServers.isEmpty()) {
                return dnsServers;
            }
            List<InetSocketAddress> system = ResolverConfig.getCurrentConfig().servers();
            if (system.isEmpty()) {
                throw new IllegalStateException("no DNS servers configured and none found in the system configuration");
            }
            return system;
        }

        private static Duration positive(String setting, Duration d) {
            Objects.requireNonNull(d, setting);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(setting + " must be positive, not " + d);
            }
            return d;
        }
    }
}
