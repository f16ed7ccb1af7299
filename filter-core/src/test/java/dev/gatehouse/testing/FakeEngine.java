package dev.gatehouse.testing;

import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.net.IpAddress;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An {@link IntelligenceEngine} whose answer per client address the test controls: signals, a
 * failure, a synchronous throw, or no answer at all until the test completes it. Unlisted addresses
 * get {@link Signals#of} (nothing known). Thread-safe; counts lookups.
 *
 * <pre>{@code
 * FakeEngine engine = new FakeEngine()
 *         .tor("192.0.2.66")
 *         .hang("192.0.2.77")
 *         .fail("192.0.2.88", new IllegalStateException("provider down"));
 * }</pre>
 */
public final class FakeEngine implements IntelligenceEngine {

    private final Map<IpAddress, Function<RequestFacts, CompletionStage<Signals>>> answers = new ConcurrentHashMap<>();
    private final Map<IpAddress, CompletableFuture<Signals>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger lookups = new AtomicInteger();
    private volatile boolean closed;

    /** Answers {@code ip} with {@code signals}. */
    public FakeEngine answer(String ip, Function<Signals.Builder, Signals.Builder> signals) {
        IpAddress a = IpAddress.parse(ip);
        answers.put(a, facts -> CompletableFuture.completedFuture(signals.apply(Signals.builder(a)).build()));
        return this;
    }

    /** Says {@code tor = true} for {@code ip}, sourced {@code embedded:tor}. */
    public FakeEngine tor(String ip) {
        return answer(ip, b -> b.put(Signal.TOR, true, "embedded:tor"));
    }

    /** Never answers for {@code ip} until {@link #complete} is called. */
    public FakeEngine hang(String ip) {
        IpAddress a = IpAddress.parse(ip);
        answers.put(a, facts -> pending.computeIfAbsent(a, k -> new CompletableFuture<>()));
        return this;
    }

    /** Completes a {@link #hang hanging} lookup (all current and future lookups of {@code ip}). */
    public void complete(String ip, Signals signals) {
        pending.computeIfAbsent(IpAddress.parse(ip), k -> new CompletableFuture<>()).complete(signals);
    }

    /** Completes exceptionally for {@code ip}. */
    public FakeEngine fail(String ip, RuntimeException error) {
        answers.put(IpAddress.parse(ip), facts -> CompletableFuture.failedFuture(error));
        return this;
    }

    /** Throws from {@link #lookup} itself for {@code ip}, as a buggy engine might. */
    public FakeEngine throwOn(String ip, RuntimeException error) {
        answers.put(IpAddress.parse(ip), facts -> {
            throw error;
        });
        return this;
    }

    @Override
    public CompletionStage<Signals> lookup(RequestFacts facts) {
        lookups.incrementAndGet();
        Function<RequestFacts, CompletionStage<Signals>> answer = answers.get(facts.clientIp());
        return answer == null ? CompletableFuture.completedFuture(Signals.of(facts.clientIp())) : answer.apply(facts);
    }

    /** How many lookups were made. */
    public int lookups() {
        return lookups.get();
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public void close() {
        closed = true;
    }
}
