package dev.gatehouse.engine.provider;

import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.gatehouse.RequestFacts;
import dev.gatehouse.engine.Enricher;
import dev.gatehouse.engine.Signal;
import dev.gatehouse.engine.Signals;
import dev.gatehouse.engine.ThreatScorer;
import dev.gatehouse.net.IpAddress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One provider as a layer of the engine: answers from its own cache when it can, asks the provider
 * (through {@link ProviderClient}) when its {@code when} rule says so, and waits at most its timeout.
 * The answer is recorded as the source's own ({@link Signals.SourceAnswer}); {@link Fusion} turns
 * all sources' answers into signals afterwards.
 *
 * <p>The cache (Caffeine, async) holds each answer for {@code cache-ttl}, then serves it stale for up to
 * {@code cache-max-stale} while one refresh runs; "no data" answers live {@code negative-cache-ttl};
 * failures are not cached. Concurrent lookups of one uncached address share one call. A call that
 * outlives the request's wait goes on and fills the cache for the next request.
 */
final class ProviderEnricher implements Enricher {

    /**
     * A cached answer and when it was fetched, or a failure: failures are shared by the lookups that
     * waited for the same call, then expire at once (they are values, not failed futures, so the cache
     * does not log each one as an error).
     */
    record Entry(ProviderAnswer answer, ProviderException failure, long fetchedNanos, Instant fetchedAt) {}

    private final ProviderClient client;
    private final ProviderSettings settings;
    private final String source;
    private final Ticker ticker;
    private final Clock clock;
    private final ThreatScorer provisional;
    private final AsyncLoadingCache<IpAddress, Entry> cache;
    private final long ttlNanos;

    ProviderEnricher(ProviderClient client, Clock clock, Ticker ticker, ThreatScorer provisional) {
        this.client = client;
        this.settings = client.settings();
        this.source = settings.source();
        this.ticker = ticker;
        this.clock = clock;
        this.provisional = provisional;
        this.ttlNanos = settings.cacheTtl().toNanos();
        long positive = saturatedAdd(ttlNanos, settings.cacheMaxStale().toNanos());
        long negative = settings.negativeCacheTtl().toNanos();
        this.cache = Caffeine.newBuilder()
                .maximumSize(settings.cacheMaxSize())
                .ticker(ticker)
                .executor(Runnable::run) // loads are asynchronous HTTP calls already; maintenance inline
                .expireAfter(new Expiry<IpAddress, Entry>() {
                    @Override
                    public long expireAfterCreate(IpAddress key, Entry value, long currentTime) {
                        if (value.failure() != null) {
                            return 0;
                        }
                        // from the fetch, not from now: a failed refresh that keeps the old entry does not extend it
                        long life = value.answer().found() ? positive : negative;
                        return Math.max(0, saturatedAdd(value.fetchedNanos(), life) - currentTime);
                    }

                    @Override
                    public long expireAfterUpdate(IpAddress key, Entry value, long currentTime, long currentDuration) {
                        return expireAfterCreate(key, value, currentTime);
                    }

                    @Override
                    public long expireAfterRead(IpAddress key, Entry value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .buildAsync(new AsyncCacheLoader<IpAddress, Entry>() {
                    @Override
                    public CompletableFuture<? extends Entry> asyncLoad(IpAddress ip, Executor executor) {
                        return client.lookup(ip).handle((answer, error) -> error == null ? entry(answer) : failure(error));
                    }

                    @Override
                    public CompletableFuture<? extends Entry> asyncReload(IpAddress ip, Entry old, Executor executor) {
                        // a refresh that fails keeps the stale answer until its maximum staleness
                        return client.lookup(ip).handle((answer, error) -> error == null ? entry(answer) : old);
                    }
                });
    }

    private Entry entry(ProviderAnswer answer) {
        return new Entry(answer, null, ticker.read(), clock.instant());
    }

    private Entry failure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        ProviderException e = cause instanceof ProviderException p ? p
                : new ProviderException(ProviderException.Kind.UNAVAILABLE, cause.toString());
        return new Entry(null, e, ticker.read(), clock.instant());
    }

    @Override
    public String name() {
        return source;
    }

    ProviderClient client() {
        return client;
    }

    @Override
    public CompletionStage<Signals> enrich(RequestFacts facts, Signals known) {
        IpAddress ip = known.ip();
        if (!askable(ip) || known.isTrue(Signal.BOGON)) {
            return CompletableFuture.completedFuture(known); // never ask for private or bogon addresses
        }
        CompletableFuture<Entry> cached = cache.getIfPresent(ip);
        if (cached != null && cached.isDone() && !cached.isCompletedExceptionally() && cached.join().failure() == null) {
            Entry entry = cached.join();
            if (entry.answer().found() && ticker.read() - entry.fetchedNanos() > ttlNanos && client.available()) {
                cache.synchronous().refresh(ip); // stale: served now, refreshed once in the background
            }
            return CompletableFuture.completedFuture(merge(known, entry));
        }
        if (settings.when() == ProviderSettings.When.INCONCLUSIVE && !Escalation.inconclusive(known, provisional)) {
            return CompletableFuture.completedFuture(known);
        }
        if (!client.available()) {
            return CompletableFuture.completedFuture(unavailable(known, client.health().detail()));
        }
        CompletableFuture<Entry> call = cached != null ? cached : cache.get(ip);
        if (settings.when() == ProviderSettings.When.BACKGROUND) {
            return CompletableFuture.completedFuture(known); // the call fills the cache for the next request
        }
        if (call.isDone()) {
            return CompletableFuture.completedFuture(outcome(known, call));
        }
        return call.handle((entry, error) -> error == null ? merge(known, entry) : unavailable(known, reason(error)))
                .completeOnTimeout(unavailable(known, "no answer within " + settings.timeout().toMillis() + " ms (the call goes on to fill the cache)"),
                        settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    private Signals outcome(Signals known, CompletableFuture<Entry> done) {
        try {
            return merge(known, done.join());
        } catch (CompletionException e) {
            return unavailable(known, reason(e));
        }
    }

    private Signals merge(Signals known, Entry entry) {
        if (entry.failure() != null) {
            return unavailable(known, entry.failure().getMessage());
        }
        ProviderAnswer answer = entry.answer();
        Signals.Builder b = known.toBuilder();
        if (answer.found()) {
            b.answer(new Signals.SourceAnswer(source, answer.values(), answer.raw()));
        }
        return b.source(new Signals.SourceStatus(source, entry.fetchedAt(), answer.found() ? null : "no data: " + answer.reason()))
                .build();
    }

    private Signals unavailable(Signals known, String why) {
        return known.toBuilder().source(new Signals.SourceStatus(source, null, why)).note(source + ": " + why).build();
    }

    static String reason(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof ProviderException ? cause.getMessage() : cause.toString();
    }

    /** Puts answers fetched in bulk into the cache. */
    void fill(Map<IpAddress, ProviderAnswer> answers) {
        answers.forEach((ip, answer) -> cache.put(ip, CompletableFuture.completedFuture(entry(answer))));
    }

    /** The cached answer, for tests and {@code lookup}: {@code null} when none is done. */
    Entry cached(IpAddress ip) {
        CompletableFuture<Entry> f = cache.getIfPresent(ip);
        return f != null && f.isDone() && !f.isCompletedExceptionally() && f.join().failure() == null ? f.join() : null;
    }

    /**
     * Whether an address may be sent to a provider at all: not private, loopback, link-local,
     * multicast, unspecified, shared (100.64/10) or unique-local (fc00::/7). Other special-use ranges
     * (documentation, benchmarking, …) are caught by the embedded engine's {@code bogon} signal.
     */
    static boolean askable(IpAddress ip) {
        InetAddress a;
        try {
            a = InetAddress.getByAddress(ip.toBytes());
        } catch (UnknownHostException e) {
            return false;
        }
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = ip.toBytes();
        if (ip.isV4()) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first != 0 && !(first == 100 && second >= 64 && second < 128) && first < 240;
        }
        return (b[0] & 0xfe) != 0xfc;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    @Override
    public void close() {
        cache.synchronous().invalidateAll();
    }
}
