package dev.gatehouse.ratelimit.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One Lettuce connection to Redis and what Gatehouse knows about its health.
 *
 * <p>A request never waits longer than the timeout: {@link #await} gives up then. Once Redis is known
 * to be away (refused connection, a refusal such as OOM or READONLY, three timeouts in a row) the link
 * is <em>down</em> and callers skip Redis at once ({@link #isUp()} is false) instead of paying the
 * timeout on every request. While down, a probe writes a short-lived key every {@code probeInterval}
 * (a write, so a read-only replica or a full Redis does not pass for healthy), reconnecting when there
 * is no connection or the server answered READONLY (a failover moved the primary); Lettuce also
 * reconnects on its own after a dropped connection. The first probe that succeeds in time brings the
 * link up again.
 */
final class RedisLink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisLink.class);

    /** Consecutive timeouts after which the link counts as down (one slow answer is not an outage). */
    static final int TIMEOUTS_TO_DOWN = 3;

    /** How long a connect may take (at start-up, and in the probe while down), whatever the request timeout. */
    private static final Duration CONNECT_WAIT = Duration.ofSeconds(2);

    /** Why Redis could not answer; the {@code reason} tag of the metrics. */
    enum Failure {
        TIMEOUT, UNREACHABLE, REFUSED_OOM, REFUSED_READONLY, ERROR;

        String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Thrown by {@link #await} when Redis did not answer usefully in time. */
    static final class Unavailable extends RuntimeException {
        private final Failure failure;

        Unavailable(Failure failure, String message, Throwable cause) {
            super(message, cause, false, false);
            this.failure = failure;
        }

        Failure failure() {
            return failure;
        }
    }

    private record Down(Failure failure, String detail, Instant since) {}

    private final RedisSettings settings;
    private final String use;
    private final Clock clock;
    private final Duration timeout;
    private final Duration probeInterval;
    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final byte[] probeKey;
    private final ScheduledExecutorService prober;
    private final MeterRegistry registry;
    private final AtomicInteger consecutiveTimeouts = new AtomicInteger();
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile StatefulRedisConnection<byte[], byte[]> connection; // null until the first connect succeeds
    private volatile Down down; // null while up
    private volatile boolean closed;

    /**
     * Connects (waiting at most two seconds: a Redis that is away at start-up only means the link starts down).
     *
     * @param use "rate-limit" or "shared-cache": the {@code use} tag of the metrics and the probe key
     * @throws IllegalStateException when {@code password-env} names a variable that is not set
     */
    RedisLink(RedisSettings settings, String use, Clock clock, MeterRegistry registry, Function<String, String> env, Duration probeInterval) {
        this.settings = settings;
        this.use = use;
        this.clock = clock;
        this.registry = registry;
        this.timeout = settings.timeout();
        this.probeInterval = probeInterval;
        this.uri = RedisURI.create(settings.url());
        settings.aclUser().ifPresent(uri::setUsername);
        settings.password(env).ifPresent(uri::setPassword);
        Duration commandCap = max(Duration.ofSeconds(1), timeout.multipliedBy(10));
        uri.setTimeout(commandCap);
        this.resources = ClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                // Lettuce's default backs off to 30 s between reconnects; a fleet wants Redis back within a second
                .reconnectDelay(Delay.exponential(Duration.ofMillis(20), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // fail at once while disconnected instead of queueing: the fallback decides, nobody waits
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                // commands a request stopped waiting for still end: a bounded queue, never a leak
                .timeoutOptions(TimeoutOptions.enabled(commandCap))
                .socketOptions(SocketOptions.builder().connectTimeout(max(Duration.ofMillis(500), timeout)).keepAlive(true).build())
                .build());
        this.probeKey = (settings.keyPrefix() + ":probe:" + use).getBytes(StandardCharsets.UTF_8);
        this.prober = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gatehouse-redis-probe-" + use);
            t.setDaemon(true);
            return t;
        });
        Gauge.builder("gatehouse.redis.up", this, l -> l.down == null ? 1 : 0)
                .description("1 while Redis answers; 0 while Gatehouse falls back").tag("use", use).register(registry);
        try {
            connection = connect();
            log.info("Redis {} for {}: connected", settings.safeUrl(), use);
        } catch (RuntimeException e) {
            markDown(classify(e), "cannot connect: " + message(e));
        }
    }

    /** The async commands of the current connection; fails at once when there is none. */
    RedisAsyncCommands<byte[], byte[]> commands() {
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (c == null) {
            throw new RedisConnectionException("not connected to " + settings.safeUrl());
        }
        return c.async();
    }

    /** Whether callers should ask Redis; false (without waiting) while it is known to be away. */
    boolean isUp() {
        if (down != null) {
            return false;
        }
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (c == null || !c.isOpen()) {
            markDown(Failure.UNREACHABLE, "connection lost, reconnecting");
            return false;
        }
        return true;
    }

    /**
     * Waits at most the timeout for {@code stage}.
     *
     * @throws Unavailable when it failed or did not end in time (the link notes the failure)
     */
    <T> T await(CompletionStage<T> stage) {
        try {
            T value = stage.toCompletableFuture().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            consecutiveTimeouts.set(0);
            return value;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable(Failure.ERROR, "interrupted while waiting for Redis", e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            throw failed(e instanceof ExecutionException ? e.getCause() : e);
        }
    }

    /** Notes a failure of a call (for calls not made through {@link #await}) and returns it as {@link Unavailable}. */
    Unavailable failed(Throwable e) {
        Failure failure = classify(e);
        if (failure == Failure.TIMEOUT && consecutiveTimeouts.incrementAndGet() < TIMEOUTS_TO_DOWN) {
            registry.counter("gatehouse.redis.failures", "use", use, "reason", failure.id()).increment();
        } else {
            markDown(failure, message(e));
        }
        return new Unavailable(failure, "Redis " + failure.id() + ": " + message(e), e);
    }

    /** One line for status pages: where Redis is and, while down, since when and why. */
    String describe() {
        Down d = down;
        return d == null ? settings.safeUrl() + " up"
                : settings.safeUrl() + " " + d.failure().id() + " since " + d.since() + " (" + d.detail() + ")";
    }

    boolean isDown() {
        return down != null;
    }

    String use() {
        return use;
    }

    private void markDown(Failure failure, String detail) {
        if (closed) {
            return;
        }
        registry.counter("gatehouse.redis.failures", "use", use, "reason", failure.id()).increment();
        Down previous = down;
        down = new Down(failure, detail, previous == null ? clock.instant() : previous.since());
        if (previous == null) {
            log.warn("Redis {} for {} is {} ({}); falling back until it answers again", settings.safeUrl(), use, failure.id(), detail);
        }
        if (probing.compareAndSet(false, true)) {
            schedule(probeInterval);
        }
    }

    private void markUp() {
        Down previous = down;
        consecutiveTimeouts.set(0);
        down = null;
        if (previous != null) {
            log.info("Redis {} for {} answers again after {} ms", settings.safeUrl(), use,
                    Duration.between(previous.since(), clock.instant()).toMillis());
        }
    }

    private void schedule(Duration delay) {
        try {
            prober.schedule(this::probe, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            probing.set(false); // closed
        }
    }

    /** While down: reconnect when needed, then one write; up again when it succeeds within the timeout. */
    private void probe() {
        if (closed) {
            return;
        }
        try {
            Down d = down;
            StatefulRedisConnection<byte[], byte[]> c = connection;
            if (c == null || (d != null && d.failure() == Failure.REFUSED_READONLY)) {
                if (c != null) {
                    connection = null; // if the new connect fails, the next probe connects again
                    c.closeAsync();
                }
                connection = c = connect();
            }
            if (!c.isOpen()) {
                throw new RedisConnectionException("connection lost, reconnecting");
            }
            c.async().set(probeKey, new byte[] {'1'}, SetArgs.Builder.px(10_000)).toCompletableFuture()
                    .get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            markUp();
            probing.set(false);
            if (down != null && probing.compareAndSet(false, true)) {
                schedule(probeInterval); // a request failed between the write and now
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            Failure failure = classify(cause);
            Down previous = down;
            down = new Down(failure, message(cause), previous == null ? clock.instant() : previous.since());
            schedule(probeInterval);
        }
    }

    private StatefulRedisConnection<byte[], byte[]> connect() {
        Duration wait = max(CONNECT_WAIT, timeout);
        CompletableFuture<StatefulRedisConnection<byte[], byte[]>> connecting =
                client.connectAsync(ByteArrayCodec.INSTANCE, uri).toCompletableFuture();
        try {
            return connecting.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeWhenConnected(connecting);
            throw new RedisConnectionException("interrupted while connecting", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new RedisConnectionException(message(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            closeWhenConnected(connecting); // the probe tries again; a late connection must not leak
            throw new RedisConnectionException("no connection within " + wait.toMillis() + " ms", e);
        }
    }

    private static void closeWhenConnected(CompletableFuture<StatefulRedisConnection<byte[], byte[]>> connecting) {
        connecting.whenComplete((c, e) -> {
            if (c != null) {
                c.closeAsync();
            }
        });
    }

    static Failure classify(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TimeoutException || t instanceof RedisCommandTimeoutException) {
                return Failure.TIMEOUT;
            }
            if (t instanceof RedisCommandExecutionException) {
                String m = String.valueOf(t.getMessage());
                return m.startsWith("OOM") ? Failure.REFUSED_OOM : m.startsWith("READONLY") ? Failure.REFUSED_READONLY : Failure.ERROR;
            }
            if (t instanceof RedisConnectionException || t instanceof IOException
                    || (t instanceof RedisException && String.valueOf(t.getMessage()).contains("not connected"))) {
                return Failure.UNREACHABLE;
            }
        }
        return Failure.ERROR;
    }

    private static String message(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root && root.getMessage() == null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public void close() {
        closed = true;
        prober.shutdownNow();
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
