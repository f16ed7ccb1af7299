package dev.gatehouse.engine.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.text.OneLine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.local.LocalBucketBuilder;
import io.github.bucket4j.TimeMeter;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Calls one provider: admits a call only when the provider is on, not paused by a rate limit, its
 * circuit breaker closed, its hourly and daily quota (Bucket4j) not spent and a concurrency permit
 * free; then sends the request, bounds the body, and turns the answer into a {@link ProviderAnswer}
 * or a {@link ProviderException} whose kind updates that state. No caching here: that is
 * {@link ProviderEnricher}'s.
 */
final class ProviderClient {

    private static final Logger log = LoggerFactory.getLogger(ProviderClient.class);

    private final ProviderApi api;
    private final ProviderSettings settings;
    private final HttpClient http;
    private final Clock clock;
    private final Ticker ticker;
    private final CircuitBreaker breaker;
    private final Bucket quota; // null when unlimited
    private final Semaphore permits;
    private volatile String offReason;       // non-null: turned off until the configuration changes
    private volatile Instant pausedUntil = Instant.MIN;
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final Timer callTimer;

    ProviderClient(ProviderApi api, HttpClient http, Clock clock, Ticker ticker, MeterRegistry registry) {
        this.api = api;
        this.settings = api.settings;
        this.http = http;
        this.clock = clock;
        this.ticker = ticker;
        this.registry = registry;
        this.breaker = CircuitBreaker.of("provider:" + settings.name(), CircuitBreakerConfig.custom()
                .slidingWindow(20, 10, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(30))
                .permittedNumberOfCallsInHalfOpenState(2)
                .clock(clock)
                .build());
        this.quota = quota(settings, ticker);
        this.permits = new Semaphore(settings.maxConcurrent());
        this.callTimer = Timer.builder("gatehouse.provider.call.duration").tag("provider", settings.name())
                .description("HTTP calls to a remote provider, from send to mapped answer").register(registry);
        Gauge.builder("gatehouse.provider.up", this, c -> c.health().up() ? 1 : 0).tag("provider", settings.name())
                .description("1 when the provider may be asked, 0 when it is off, paused or its breaker open").register(registry);
    }

    private static Bucket quota(ProviderSettings s, Ticker ticker) {
        if (s.quotaPerHour() == 0 && s.quotaPerDay() == 0) {
            return null;
        }
        LocalBucketBuilder b = Bucket.builder();
        if (s.quotaPerHour() > 0) {
            b.addLimit(l -> l.capacity(s.quotaPerHour()).refillIntervally(s.quotaPerHour(), Duration.ofHours(1)));
        }
        if (s.quotaPerDay() > 0) {
            b.addLimit(l -> l.capacity(s.quotaPerDay()).refillIntervally(s.quotaPerDay(), Duration.ofDays(1)));
        }
        return b.withCustomTimePrecision(new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return ticker.read();
            }

            @Override
            public boolean isWallClockBased() {
                return false;
            }
        }).build();
    }

    ProviderSettings settings() {
        return settings;
    }

    ProviderApi api() {
        return api;
    }

    /** Asks for one address. The future fails with a {@link ProviderException}; it never fails otherwise. */
    CompletableFuture<ProviderAnswer> lookup(IpAddress ip) {
        return call(1, () -> api.lookupRequest(ip), api.maxBodyBytes(), body -> masked(api.map(body)), answer -> answer, false);
    }

    /** Asks for up to {@link ProviderApi#bulkLimit()} addresses in one call; each costs one unit of quota. */
    CompletableFuture<Map<IpAddress, ProviderAnswer>> bulk(List<IpAddress> ips) {
        if (ips.size() > api.bulkLimit()) {
            throw new IllegalArgumentException(settings.name() + " takes at most " + api.bulkLimit() + " addresses per bulk call");
        }
        return call(ips.size(), () -> api.bulkRequest(ips), api.maxBodyBytes(), body -> {
            Map<IpAddress, ProviderAnswer> answers = new java.util.LinkedHashMap<>();
            api.mapBulk(body).forEach((ip, answer) -> answers.put(ip, masked(answer)));
            return answers;
        }, answer -> Map.of(), false);
    }

    /** Sends a prepared request for its status only (ipinsights reports); costs one unit of quota. */
    CompletableFuture<Integer> send(HttpRequest request) {
        return call(1, () -> request, 64 * 1024, body -> 201, answer -> Integer.parseInt(answer.reason().substring(0, 3)), true);
    }

    /** The state for health pages. */
    ProviderHealth health() {
        String off = offReason;
        if (off != null) {
            return new ProviderHealth(settings.name(), "off", off);
        }
        Instant until = pausedUntil;
        if (until.isAfter(clock.instant())) {
            return new ProviderHealth(settings.name(), "paused", "rate limited until " + until);
        }
        return switch (breaker.getState()) {
            case OPEN, FORCED_OPEN -> new ProviderHealth(settings.name(), "breaker_open",
                    "circuit breaker open after " + Math.round(breaker.getMetrics().getFailureRate()) + " % failed calls");
            case HALF_OPEN -> new ProviderHealth(settings.name(), "breaker_half_open", "probing after failures");
            default -> new ProviderHealth(settings.name(), "up", quota == null ? "no quota" : quota.getAvailableTokens() + " calls left in quota");
        };
    }

    /**
     * Whether the provider is neither off nor paused (no state is changed). The breaker is left to
     * {@link #lookup}: only asking it lets an open breaker move to half-open after its wait.
     */
    boolean available() {
        return offReason == null && !pausedUntil.isAfter(clock.instant());
    }

    private <T> CompletableFuture<T> call(int units, java.util.function.Supplier<HttpRequest> request, int maxBody,
                                          Function<JsonNode, T> onOk, Function<ProviderAnswer, T> onNoData, boolean okIsCreated) {
        ProviderException refused = admit(units);
        if (refused != null) {
            count("skipped");
            return CompletableFuture.failedFuture(refused);
        }
        long start = ticker.read();
        CompletableFuture<HttpResponse<byte[]>> sent;
        try {
            sent = http.sendAsync(request.get(), info -> limited(maxBody));
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.handle((response, error) -> {
            try {
                return outcome(response, error, start, onOk, onNoData, okIsCreated);
            } finally {
                permits.release();
                callTimer.record(ticker.read() - start, TimeUnit.NANOSECONDS);
            }
        });
    }

    private ProviderException admit(int units) {
        if (offReason != null) {
            return new ProviderException(ProviderException.Kind.SKIPPED, settings.name() + " is off: " + offReason);
        }
        Instant until = pausedUntil;
        if (until.isAfter(clock.instant())) {
            return new ProviderException(ProviderException.Kind.SKIPPED, settings.name() + " is rate limited until " + until);
        }
        if (!permits.tryAcquire()) {
            return new ProviderException(ProviderException.Kind.SKIPPED, settings.name() + ": " + settings.maxConcurrent()
                    + " calls already in flight (max-concurrent)");
        }
        if (!breaker.tryAcquirePermission()) {
            permits.release();
            return new ProviderException(ProviderException.Kind.SKIPPED, settings.name() + ": circuit breaker open");
        }
        if (quota != null && !quota.tryConsume(units)) {
            breaker.releasePermission();
            permits.release();
            return new ProviderException(ProviderException.Kind.SKIPPED, settings.name() + ": quota spent (quota-per-hour "
                    + settings.quotaPerHour() + ", quota-per-day " + settings.quotaPerDay() + ")");
        }
        return null;
    }

    private <T> T outcome(HttpResponse<byte[]> response, Throwable error, long start, Function<JsonNode, T> onOk,
                          Function<ProviderAnswer, T> onNoData, boolean created) {
        long took = ticker.read() - start;
        Instant now = clock.instant();
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            String why = cause instanceof HttpTimeoutException ? "no answer within " + settings.callTimeout().toMillis() + " ms"
                    : cause instanceof BodyTooLarge ? cause.getMessage()
                    : cause instanceof IOException ? "connection failed: " + cause
                    : "call failed: " + cause;
            throw failed(new ProviderException(ProviderException.Kind.UNAVAILABLE, scrub(why)), took);
        }
        int status = response.statusCode();
        JsonNode body = json(response.body());
        Instant exhausted = api.exhaustedUntil(response.headers(), body, now);
        if (exhausted != null) {
            pause(exhausted, "usage counters at their limit");
        }
        if (status == 200 || (created && status == 201)) {
            if (body == null && !created) {
                throw failed(new ProviderException(ProviderException.Kind.UNAVAILABLE, "200 with a body that is not JSON"), took);
            }
            try {
                T value = onOk.apply(body);
                breaker.onSuccess(took, TimeUnit.NANOSECONDS);
                count("ok");
                return value;
            } catch (ProviderException e) {
                throw failed(e, took);
            } catch (RuntimeException e) {
                throw failed(new ProviderException(ProviderException.Kind.UNAVAILABLE, "unreadable answer: " + e), took);
            }
        }
        try {
            ProviderAnswer noData = ProviderAnswer.noData(scrub(api.onError(status, response.headers(), body, now).reason()));
            breaker.onSuccess(took, TimeUnit.NANOSECONDS);
            count("no_data");
            return onNoData.apply(noData);
        } catch (ProviderException e) {
            throw failed(e, took);
        } catch (RuntimeException e) { // a mapping bug must still end as a provider error, never escape the future
            throw failed(new ProviderException(ProviderException.Kind.UNAVAILABLE, "unreadable " + status + " answer: " + e), took);
        }
    }

    private ProviderException failed(ProviderException e, long took) {
        ProviderException clean = new ProviderException(e.kind(), scrub(e.getMessage()), e.until(), null);
        switch (e.kind()) {
            case KEY_REJECTED, PLAN_GATED -> {
                breaker.releasePermission();
                turnOff(clean);
            }
            case RATE_LIMITED -> {
                breaker.releasePermission();
                pause(e.until() == null ? clock.instant().plus(api.defaultCooldown()) : e.until(), clean.getMessage());
            }
            case UNAVAILABLE -> breaker.onError(took, TimeUnit.NANOSECONDS, clean);
            case SKIPPED -> breaker.releasePermission();
        }
        count(e.kind().name().toLowerCase(java.util.Locale.ROOT));
        throw new CompletionException(clean);
    }

    private synchronized void turnOff(ProviderException e) {
        if (offReason == null) {
            offReason = (e.kind() == ProviderException.Kind.KEY_REJECTED ? "API key rejected (" : "plan lacks this endpoint (")
                    + e.getMessage() + "); fix providers." + settings.name() + " and reload";
            log.error("provider {} turned off until its configuration changes: {}", settings.name(), offReason);
        }
    }

    private synchronized void pause(Instant until, String why) {
        if (until.isAfter(pausedUntil)) {
            boolean wasPaused = pausedUntil.isAfter(clock.instant());
            pausedUntil = until;
            if (!wasPaused) {
                log.warn("provider {} paused until {}: {}", settings.name(), until, why);
            }
        }
    }

    /**
     * Every message about a call goes through here before it is logged, counted or shown: the API key is
     * masked, and control characters a provider sent (an escape sequence in its error text) are escaped so
     * the message stays one plain log line.
     */
    private String scrub(String message) {
        String key = settings.apiKey();
        if (message == null) {
            return null;
        }
        String masked = key == null || key.isEmpty() ? message : message.replace(key, "****").replace(ProviderApi.encode(key), "****");
        return OneLine.of(masked);
    }

    /**
     * The answer with the API key masked wherever a provider echoed it (a per-address error of a bulk
     * answer, a field shown by {@code explain}); the same answer when it holds no key, which is always in
     * practice. A "no data" reason is also made one line, as {@link #scrub} does for every message.
     */
    private ProviderAnswer masked(ProviderAnswer answer) {
        if (!answer.found()) { // a per-address error of a bulk answer: one line like every other message
            return ProviderAnswer.noData(scrub(answer.reason()));
        }
        String key = settings.apiKey();
        if (key == null || key.isEmpty() || !String.valueOf(answer).contains(key) && !String.valueOf(answer).contains(ProviderApi.encode(key))) {
            return answer;
        }
        Map<dev.gatehouse.api.Signal, Object> values = new java.util.EnumMap<>(dev.gatehouse.api.Signal.class);
        answer.values().forEach((signal, v) -> values.put(signal, v instanceof String text ? scrub(text) : v));
        Map<String, Object> raw = new java.util.LinkedHashMap<>();
        answer.raw().forEach((field, v) -> raw.put(scrub(field), v instanceof String || v instanceof List || v instanceof Map ? scrub(String.valueOf(v)) : v));
        return new ProviderAnswer(true, values, raw, answer.reason());
    }

    private void count(String outcome) {
        outcomes.computeIfAbsent(outcome, o -> Counter.builder("gatehouse.provider.calls").tag("provider", settings.name())
                .tag("outcome", o).description("Calls to a remote provider by outcome").register(registry)).increment();
    }

    private static JsonNode json(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode node = ProviderApi.MAPPER.readTree(body);
            return node == null || node.isMissingNode() ? null : node;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** An answer bigger than the limit is abandoned as it arrives, never buffered whole. */
    static final class BodyTooLarge extends IOException {
        BodyTooLarge(int limit) {
            super("answer larger than " + limit + " bytes");
        }
    }

    private static HttpResponse.BodySubscriber<byte[]> limited(int limit) {
        return new HttpResponse.BodySubscriber<>() {
            private final CompletableFuture<byte[]> result = new CompletableFuture<>();
            private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            private Flow.Subscription subscription;

            @Override
            public CompletionStage<byte[]> getBody() {
                return result;
            }

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(List<ByteBuffer> items) {
                for (ByteBuffer b : items) {
                    if (out.size() + b.remaining() > limit) {
                        subscription.cancel();
                        result.completeExceptionally(new BodyTooLarge(limit));
                        return;
                    }
                    byte[] chunk = new byte[b.remaining()];
                    b.get(chunk);
                    out.writeBytes(chunk);
                }
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                result.complete(out.toByteArray());
            }
        };
    }
}
