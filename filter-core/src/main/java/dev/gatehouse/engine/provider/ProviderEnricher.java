package dev.gatehouse.engine.provider;

import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.gatehouse.api.Enricher;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.ThreatScorer;
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
    record Entry(ProviderAnswer answer, ProviderException failure, long fetchedNanos, Instant fetchedAt, Outcome outcome) {}

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
        Instant at = clock.instant();
        // built once per fetch: a cached answer costs no copy of its values on the request path
        Outcome outcome = new Outcome(answer.found() ? new Signals.SourceAnswer(source, answer.values(), answer.raw()) : null,
                new Signals.SourceStatus(source, at, answer.found() ? null : "no data: " + answer.reason()), null);
        return new Entry(answer, null, ticker.read(), at, outcome);
    }

    private Entry failure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        ProviderException e = cause instanceof ProviderException p ? p
                : new ProviderException(ProviderException.Kind.UNAVAILABLE, cause.toString());
        return new Entry(null, e, ticker.read(), clock.instant(), Outcome.failed(source, e.getMessage()));
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
        CompletableFuture<Outcome> outcome = outcome(known);
        if (outcome == null) {
            return CompletableFuture.completedFuture(known);
        }
        return outcome.isDone() ? CompletableFuture.completedFuture(outcome.join().addTo(known.toBuilder()).build())
                : outcome.thenApply(o -> o.addTo(known.toBuilder()).build());
    }

    /**
     * What this provider adds for {@code known}: {@code null} when it is not asked (private or bogon
     * address, {@code when} says no, {@code background} without a cached answer), else its outcome,
     * complete at once for a cached answer and at the latest after the provider's timeout.
     */
    CompletableFuture<Outcome> outcome(Signals known) {
        IpAddress ip = known.ip();
        if (!askable(ip) || known.isTrue(Signal.BOGON)) {
            return null; // never ask for private or bogon addresses
        }
        CompletableFuture<Entry> cached = cache.getIfPresent(ip);
        if (cached != null && cached.isDone() && !cached.isCompletedExceptionally() && cached.join().failure() == null) {
            Entry entry = cached.join();
            if (entry.answer().found() && ticker.read() - entry.fetchedNanos() > ttlNanos && client.available()) {
                cache.synchronous().refresh(ip); // stale: served now, refreshed once in the background
            }
            return CompletableFuture.completedFuture(entry.outcome());
        }
        if (settings.when() == ProviderSettings.When.INCONCLUSIVE && !Escalation.inconclusive(known, provisional)) {
            return null;
        }
        if (!client.available()) {
            return CompletableFuture.completedFuture(Outcome.failed(source, client.health().detail()));
        }
        CompletableFuture<Entry> call = cached != null ? cached : cache.get(ip);
        if (settings.when() == ProviderSettings.When.BACKGROUND) {
            return null; // the call fills the cache for the next request
        }
        if (call.isDone()) {
            return CompletableFuture.completedFuture(outcome(call));
        }
        return call.handle((entry, error) -> error == null ? entry.outcome() : Outcome.failed(source, reason(error)))
                .completeOnTimeout(Outcome.failed(source, "no answer within " + settings.timeout().toMillis()
                        + " ms (the call goes on to fill the cache)"), settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    private Outcome outcome(CompletableFuture<Entry> done) {
        try {
            return done.join().outcome();
        } catch (CompletionException e) {
            return Outcome.failed(source, reason(e));
        }
    }

    /** What one provider adds to the signals: its own answer (or none), its source status, a note on failure. */
    record Outcome(Signals.SourceAnswer answer, Signals.SourceStatus status, String note) {
        static Outcome failed(String source, String why) {
            return new Outcome(null, new Signals.SourceStatus(source, null, why), source + ": " + why);
        }

        Signals.Builder addTo(Signals.Builder b) {
            if (answer != null) {
                b.answer(answer);
            }
            b.source(status);
            if (note != null) {
                b.note(note);
            }
            return b;
        }
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
