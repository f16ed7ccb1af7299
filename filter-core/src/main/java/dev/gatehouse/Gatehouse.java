package dev.gatehouse;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.challenge.ChallengeSettings;
import dev.gatehouse.challenge.Challenger;
import dev.gatehouse.decisionlog.DecisionLog;
import dev.gatehouse.enforcement.Pages;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The decision pipeline every adapter shares: ask the engine within the time budget, evaluate the
 * policy on what is known, time each stage. Adapters resolve the client IP before and enforce the
 * verdict after; they never decide.
 *
 * <pre>{@code
 * Gatehouse gatehouse = Gatehouse.builder()
 *         .engine(EmbeddedEngine.loadDefault())
 *         .policy(() -> policy)
 *         .budget(Duration.ofMillis(50))
 *         .build();
 * Decision decision = gatehouse.decide(facts).join();   // never fails
 * }</pre>
 */
public final class Gatehouse implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gatehouse.class);

    private final IntelligenceEngine engine;
    private final Supplier<Policy> policy;
    private final Duration budget;
    private final boolean failOpen;
    private final LongSupplier nanoTime;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final Executor decider;
    private final MeterRegistry registry;
    private final Counter engineTimeouts;
    private final Counter engineErrors;
    private final Counter policyErrors;
    private final Timer decisionTimer;
    private final Counter[][] decisions; // [verdict][shadowed ? 1 : 0], registered once: no lookup per request
    private final Challenger challenger;
    private final DecisionLog decisionLog;
    private final Pages pages;
    private final List<Consumer<? super Decision>> listeners;
    private final Executor listenerExecutor; // null when there is no listener
    private final ExecutorService ownListenerExecutor; // non-null when Gatehouse made it
    private final Counter listenerErrors;
    private final Counter listenerDropped;

    private Gatehouse(Builder b) {
        this.engine = b.engine;
        this.policy = b.policy;
        this.budget = b.budget;
        this.failOpen = b.failOpen;
        this.nanoTime = b.nanoTime;
        this.ownsScheduler = b.scheduler == null;
        this.scheduler = ownsScheduler ? ownScheduler() : b.scheduler;
        // after close (or a given scheduler's shutdown) decide on the completing thread rather than never
        this.decider = task -> {
            try {
                scheduler.execute(task);
            } catch (RejectedExecutionException e) {
                task.run();
            }
        };
        this.registry = b.registry;
        this.challenger = b.challenger != null ? b.challenger : Challenger.create(ChallengeSettings.ofDefaults(), b.registry);
        this.decisionLog = b.decisionLog;
        this.pages = b.pages;
        this.engineTimeouts = Counter.builder("gatehouse.engine.timeouts")
                .description("Lookups that ran past the time budget; the decision used what was known").register(registry);
        this.engineErrors = Counter.builder("gatehouse.engine.errors")
                .description("Lookups that failed; the decision used what was known").register(registry);
        this.policyErrors = Counter.builder("gatehouse.policy.errors")
                .description("Policy evaluations that threw").register(registry);
        this.decisionTimer = Timer.builder("gatehouse.decision.duration")
                .description("From lookup start to decision").register(registry);
        this.decisions = new Counter[Verdict.values().length][2];
        for (Verdict verdict : Verdict.values()) {
            for (int shadow = 0; shadow < 2; shadow++) {
                decisions[verdict.ordinal()][shadow] = Counter.builder("gatehouse.decisions")
                        .description("Decisions by verdict; shadow=true: allowed, but the policy would have refused")
                        .tag("verdict", verdict.id()).tag("shadow", String.valueOf(shadow == 1)).register(registry);
            }
        }
        this.listeners = List.copyOf(b.listeners);
        this.ownListenerExecutor = listeners.isEmpty() || b.listenerExecutor != null ? null : ownListenerExecutor();
        this.listenerExecutor = listeners.isEmpty() ? null : b.listenerExecutor != null ? b.listenerExecutor : ownListenerExecutor;
        this.listenerErrors = Counter.builder("gatehouse.decision.listener.errors")
                .description("Decision listeners that threw; the request was not affected").register(registry);
        this.listenerDropped = Counter.builder("gatehouse.decision.listener.dropped")
                .description("Decisions not passed to the listeners because their queue was full").register(registry);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Decides for one request. The returned future always completes normally, within the budget plus
     * the policy's own (sub-microsecond) time: an engine that is slow or fails yields a decision on
     * the signals known without it, and a policy that throws yields the fail-open or fail-closed
     * decision.
     *
     * <p>The policy runs on the caller's thread when the engine answers at once (the embedded engine
     * usually does); otherwise on the {@linkplain Builder#scheduler scheduler}, never on an engine's
     * thread nor on the JDK's shared {@code CompletableFuture} delay thread. When the budget runs out,
     * an engine that reports its progress ({@link IntelligenceEngine.Progress}, as
     * {@link dev.gatehouse.engine.Engines#layered layered} engines do) is decided on with what its
     * sources had answered by then; any other on the client address alone.
     */
    public CompletableFuture<Decision> decide(RequestFacts facts) {
        CompletableFuture<Decision> decision = decide(facts, false);
        if (listenerExecutor != null) {
            if (decision.isDone()) {
                notifyListeners(decision.join());
            } else {
                decision.thenAccept(this::notifyListeners);
            }
        }
        return decision;
    }

    /**
     * Hands an enforced decision to the {@linkplain Builder#decisionListener listeners} on their
     * executor: the request never waits for them, and neither a listener that throws nor a full queue
     * reaches it (they are counted and, for errors, logged).
     */
    private void notifyListeners(Decision decision) {
        try {
            listenerExecutor.execute(() -> {
                for (Consumer<? super Decision> listener : listeners) {
                    try {
                        listener.accept(decision);
                    } catch (RuntimeException e) {
                        listenerErrors.increment();
                        log.warn("decision listener {} failed for {}: {}", listener, decision.signals().ip(), e.toString());
                    }
                }
            });
        } catch (RuntimeException e) { // RejectedExecutionException: queue full or closed
            listenerDropped.increment();
        }
    }

    /**
     * Like {@link #decide} but the decision's trace carries every rule considered with the values and
     * sources of the signals it tested, and rate limits are looked at without spending a token: what
     * the {@code explain} command and {@code /v1/explain} show. Slower; not for traffic.
     */
    public CompletableFuture<Decision> explain(RequestFacts facts) {
        return decide(facts, true);
    }

    private CompletableFuture<Decision> decide(RequestFacts facts, boolean explain) {
        Objects.requireNonNull(facts, "facts");
        long start = nanoTime.getAsLong();
        CompletableFuture<Signals> lookup;
        try {
            lookup = engine.lookup(facts).toCompletableFuture();
        } catch (RuntimeException e) {
            lookup = CompletableFuture.failedFuture(e);
        }
        if (lookup.isDone()) {
            // The usual case (the embedded engine answers at once): decide on this thread, without the
            // copy, timeout and handle stages the general path needs.
            Signals answer = null;
            Throwable error = null;
            try {
                answer = lookup.join();
            } catch (CompletionException | CancellationException e) {
                error = e;
            }
            return CompletableFuture.completedFuture(outcome(facts, lookup, Optional.ofNullable(answer), error, start, explain));
        }
        // A copy (thenApply): our timeout must not complete the engine's own future. The decision runs on
        // the scheduler whoever completes the copy (the engine's thread, the timer), so neither a slow
        // policy nor a token it spends ever holds an engine's or the JDK's shared timer thread.
        CompletionStage<Signals> progress = lookup;
        CompletableFuture<Optional<Signals>> answered = lookup.thenApply(Optional::ofNullable);
        CompletableFuture<Decision> decision = answered.handleAsync(
                (answer, error) -> outcome(facts, progress, answer, error, start, explain), decider);
        ScheduledFuture<?> timer;
        try {
            timer = scheduler.schedule(() -> answered.complete(null), budget.toNanos(), TimeUnit.NANOSECONDS); // null = no answer in time
        } catch (RejectedExecutionException e) {
            answered.complete(null); // closed: decide now on what is known rather than wait without a bound
            return decision;
        }
        answered.whenComplete((answer, error) -> timer.cancel(false));
        return decision;
    }

    /** {@link #onEngineOutcome}, but never throwing: the decision future must not fail, even on a bug in our own code. */
    private Decision outcome(RequestFacts facts, CompletionStage<Signals> lookup, Optional<Signals> answer, Throwable error,
                             long start, boolean explain) {
        try {
            return onEngineOutcome(facts, lookup, answer, error, start, explain);
        } catch (RuntimeException e) {
            log.error("decision failed for {}", facts, e);
            return lastResort(facts, e, start);
        }
    }

    private Decision onEngineOutcome(RequestFacts facts, CompletionStage<Signals> lookup, Optional<Signals> answer,
                                     Throwable error, long start, boolean explain) {
        long engineDone = nanoTime.getAsLong();
        boolean timedOut = answer == null && error == null;
        if (timedOut) {
            engineTimeouts.increment();
            Signals partial = knownSoFar(lookup);
            Signals known = (partial == null ? Signals.builder(facts.clientIp()) : partial.toBuilder())
                    .note("engine did not answer within the " + describe(budget) + " budget; decided on what was known"
                            + (partial == null ? "" : " from the sources that had answered"))
                    .build();
            return evaluate(facts, known, start, engineDone, true, explain);
        }
        if (error == null && answer.isPresent()) {
            return evaluate(facts, answer.get(), start, engineDone, false, explain);
        }
        Throwable cause = error == null ? new IllegalStateException("engine " + engine.name() + " completed without signals")
                : error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        engineErrors.increment();
        log.warn("engine {} failed for {}: {}", engine.name(), facts.clientIp(), cause.toString());
        if (!failOpen) {
            return failClosed("error/engine", "engine failed: " + cause, Signals.of(facts.clientIp()), start, engineDone, false);
        }
        Signals partial = knownSoFar(lookup);
        Signals known = (partial == null ? Signals.builder(facts.clientIp()) : partial.toBuilder())
                .note("engine failed (" + cause + "); decided on what was known").build();
        return evaluate(facts, known, start, engineDone, false, explain);
    }

    /** What a layered engine's sources had answered so far, or {@code null}. */
    private static Signals knownSoFar(CompletionStage<Signals> lookup) {
        return lookup instanceof IntelligenceEngine.Progress progress ? progress.knownSoFar() : null;
    }

    private Decision evaluate(RequestFacts facts, Signals signals, long start, long engineDone, boolean budgetExceeded,
                              boolean explain) {
        Decision decision;
        try {
            Policy current = policy.get();
            signals = challenger.markPass(facts, signals); // challenge_passed, for the policy to test
            decision = Objects.requireNonNull(explain ? current.explain(facts, signals) : current.evaluate(facts, signals),
                    "the policy returned no decision");
        } catch (RuntimeException e) {
            policyErrors.increment();
            log.error("policy evaluation failed for {}", facts, e);
            if (!failOpen) {
                return failClosed("error/policy", "policy failed: " + e, signals, start, engineDone, budgetExceeded);
            }
            decision = new Decision(Verdict.ALLOW, "error/policy", Decision.Response.PASS, null, signals,
                    List.of(new Decision.TraceStep("error/policy", true, "policy failed: " + e + "; fail-open allows")),
                    Decision.Timings.NONE);
        }
        return timed(decision, start, engineDone, budgetExceeded);
    }

    private Decision lastResort(RequestFacts facts, RuntimeException e, long start) {
        long now = nanoTime.getAsLong();
        Decision.Timings timings = new Decision.Timings(now - start, 0, now - start, false);
        List<Decision.TraceStep> trace = List.of(new Decision.TraceStep("error/internal", true, e.toString()));
        return failOpen
                ? new Decision(Verdict.ALLOW, "error/internal", Decision.Response.PASS, null, Signals.of(facts.clientIp()), trace, timings)
                : new Decision(Verdict.BLOCK, "error/internal", new Decision.Response(503, Map.of(), "Service unavailable"), null,
                        Signals.of(facts.clientIp()), trace, timings);
    }

    private static String describe(Duration d) {
        return d.toMillis() > 0 ? d.toMillis() + " ms" : d.toNanos() / 1000 + " µs";
    }

    private Decision failClosed(String rule, String why, Signals signals, long start, long engineDone, boolean budgetExceeded) {
        Decision decision = new Decision(Verdict.BLOCK, rule, new Decision.Response(503, Map.of(), "Service unavailable"),
                null, signals, List.of(new Decision.TraceStep(rule, true, why)), Decision.Timings.NONE);
        return timed(decision, start, engineDone, budgetExceeded);
    }

    private Decision timed(Decision decision, long start, long engineDone, boolean budgetExceeded) {
        long end = nanoTime.getAsLong();
        decisionTimer.record(end - start, TimeUnit.NANOSECONDS);
        decisions[decision.verdict().ordinal()][decision.shadowed() == null ? 0 : 1].increment();
        return decision.withTimings(new Decision.Timings(engineDone - start, end - engineDone, end - start, budgetExceeded));
    }

    public IntelligenceEngine engine() {
        return engine;
    }

    /** The policy in force now (it may change under hot reload). */
    public Policy policy() {
        return policy.get();
    }

    public Duration budget() {
        return budget;
    }

    /** Whether an engine or policy failure allows the request (true) or blocks it with 503 (false). */
    public boolean failOpen() {
        return failOpen;
    }

    public MeterRegistry meterRegistry() {
        return registry;
    }

    /** Serves {@code challenge} decisions and checks passes; adapters hand it challenge decisions and its endpoint's requests. */
    public Challenger challenger() {
        return challenger;
    }

    /** Where adapters log the decisions they enforce ({@link DecisionLog#off()} unless configured). */
    public DecisionLog decisionLog() {
        return decisionLog;
    }

    /** The page adapters answer with themselves (refusals, and the proxy's own errors). */
    public Pages pages() {
        return pages;
    }

    /**
     * Closes the engine and, when Gatehouse made them, the scheduler and the listeners' thread (decisions
     * already queued for the listeners are still passed on); later decisions still complete.
     */
    @Override
    public void close() {
        try {
            engine.close();
        } finally {
            if (ownsScheduler) {
                scheduler.shutdownNow();
            }
            if (ownListenerExecutor != null) {
                ownListenerExecutor.shutdown();
            }
            decisionLog.close(); // writes what is queued
        }
    }

    /** Queue bound of the listeners' own thread: beyond it decisions are dropped (and counted), never waited for. */
    static final int LISTENER_QUEUE = 10_000;

    private static ExecutorService ownListenerExecutor() {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(LISTENER_QUEUE), task -> {
            Thread t = new Thread(task, "gatehouse-decision-listeners");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    private static ScheduledExecutorService ownScheduler() {
        AtomicInteger count = new AtomicInteger();
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(2, task -> {
            Thread t = new Thread(task, "gatehouse-decide-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true); // a lookup that answers in time leaves no timer behind
        executor.setKeepAliveTime(30, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true); // an idle Gatehouse (only fast engines) holds no thread
        return executor;
    }

    /** Configures a {@link Gatehouse}; every setting is checked when it is made. */
    public static final class Builder {
        private IntelligenceEngine engine;
        private Supplier<Policy> policy;
        private Duration budget = Duration.ofMillis(50);
        private boolean failOpen = true;
        private LongSupplier nanoTime = System::nanoTime;
        private ScheduledExecutorService scheduler;
        private MeterRegistry registry = Metrics.globalRegistry;
        private Challenger challenger;
        private DecisionLog decisionLog = DecisionLog.off();
        private Pages pages = Pages.defaults();
        private final List<Consumer<? super Decision>> listeners = new ArrayList<>();
        private Executor listenerExecutor;

        private Builder() {
        }

        public Builder engine(IntelligenceEngine engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
            return this;
        }

        /** A fixed policy. */
        public Builder policy(Policy policy) {
            Objects.requireNonNull(policy, "policy");
            this.policy = () -> policy;
            return this;
        }

        /** A policy read on every request, e.g. one that hot reload swaps. */
        public Builder policy(Supplier<Policy> policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** How long a request may wait for signals (default 50 ms). */
        public Builder budget(Duration budget) {
            Objects.requireNonNull(budget, "budget");
            if (budget.isNegative() || budget.isZero()) {
                throw new IllegalArgumentException("budget must be positive, was " + budget);
            }
            this.budget = budget;
            return this;
        }

        /** On an engine or policy error: allow (true, the default) or block with 503 (false). */
        public Builder failOpen(boolean failOpen) {
            this.failOpen = failOpen;
            return this;
        }

        /** The clock for timings, in nanoseconds; tests pass a fake. */
        public Builder nanoTime(LongSupplier nanoTime) {
            this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
            return this;
        }

        /**
         * Times the budget and runs the policy for lookups that do not answer at once. Default: two daemon
         * threads ({@code gatehouse-decide-N}) that this Gatehouse owns and {@link Gatehouse#close() closes}; a
         * scheduler given here is not shut down by Gatehouse. Tests pass one whose time they move by hand.
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Adds a listener told of every enforced decision ({@link Gatehouse#decide}, not
         * {@link Gatehouse#explain}), e.g. to report blocked attackers to a provider
         * ({@code Providers.reporter()}). Listeners run after the decision, off the request's path, on
         * the {@linkplain #listenerExecutor listener executor}, one decision at a time, in the order
         * added; one that throws is logged and counted ({@code gatehouse.decision.listener.errors}) and
         * never affects the request. Keep them quick: start slow work asynchronously.
         */
        public Builder decisionListener(Consumer<? super Decision> listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Where {@linkplain #decisionListener decision listeners} run. Default: one daemon thread
         * ({@code gatehouse-decision-listeners}) that this Gatehouse owns and closes, with a queue of
         * {@value Gatehouse#LISTENER_QUEUE} decisions beyond which decisions are dropped and counted
         * ({@code gatehouse.decision.listener.dropped}) rather than waited for. An executor given here must
         * not run tasks on the caller's thread if listeners may be slow; it is not shut down by Gatehouse.
         */
        public Builder listenerExecutor(Executor executor) {
            this.listenerExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * How {@code challenge} decisions are served and passes checked (default: {@link ChallengeSettings#ofDefaults()},
         * a secret made for this process).
         */
        public Builder challenger(Challenger challenger) {
            this.challenger = Objects.requireNonNull(challenger, "challenger");
            return this;
        }

        /** Where adapters log decisions (default {@link DecisionLog#off()}); {@link Gatehouse#close()} closes it. */
        public Builder decisionLog(DecisionLog decisionLog) {
            this.decisionLog = Objects.requireNonNull(decisionLog, "decisionLog");
            return this;
        }

        /** The page for refusals and the proxy's own errors (default {@link Pages#defaults()}). */
        public Builder pages(Pages pages) {
            this.pages = Objects.requireNonNull(pages, "pages");
            return this;
        }

        public Gatehouse build() {
            if (engine == null) {
                throw new IllegalStateException("engine is required");
            }
            if (policy == null) {
                throw new IllegalStateException("policy is required");
            }
            return new Gatehouse(this);
        }
    }
}
