package dev.gatehouse;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Enricher;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.ThreatScorer;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.engine.Engines;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.testing.FakeEngine;
import dev.gatehouse.testing.ManualScheduler;
import dev.gatehouse.testing.TestPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatehouseTest {

    private static final String TOR = "192.0.2.66";
    private static final String SLOW = "192.0.2.77";
    private static final String BROKEN = "192.0.2.88";
    private static final String THROWS = "192.0.2.99";

    private final FakeEngine engine = new FakeEngine()
            .tor(TOR)
            .hang(SLOW)
            .fail(BROKEN, new IllegalStateException("provider down"))
            .throwOn(THROWS, new IllegalArgumentException("bug in engine"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ManualScheduler scheduler = new ManualScheduler();

    /** A clock that moves 1 ms each time it is read. */
    private final LongSupplier ticking = new LongSupplier() {
        private final AtomicLong now = new AtomicLong(5_000_000_000L);

        @Override
        public long getAsLong() {
            return now.getAndAdd(1_000_000L);
        }
    };

    private Gatehouse.Builder gatehouse() {
        return Gatehouse.builder().engine(engine).policy(TestPolicy.torBlocking()).nanoTime(ticking).meterRegistry(registry)
                .budget(Duration.ofMillis(20)).scheduler(scheduler);
    }

    private static RequestFacts facts(String ip) {
        return RequestFacts.builder(IpAddress.parse(ip)).path("/").build();
    }

    private static Decision decide(Gatehouse g, String ip) throws Exception {
        return g.decide(facts(ip)).get(10, TimeUnit.SECONDS);
    }

    private double counter(String name) {
        return registry.get(name).counter().count();
    }

    @Test
    void decide_torAddress_isBlockedByThePolicy() throws Exception {
        Decision d = decide(gatehouse().build(), TOR);
        assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
        assertThat(d.rule()).isEqualTo("rule/block-tor");
        assertThat(d.response().status()).isEqualTo(403);
        assertThat(d.signals().isTrue(Signal.TOR)).isTrue();
        assertThat(registry.get("gatehouse.decisions").tag("verdict", "block").tag("shadow", "false").counter().count()).isEqualTo(1);
    }

    @Test
    void decide_engineAnswers_timingsComeFromTheInjectedClock() throws Exception {
        Decision d = decide(gatehouse().build(), "203.0.113.5");
        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.rule()).isEqualTo("default/allow");
        // clock reads: start, engine done, end: 1 ms apart
        assertThat(d.timings()).isEqualTo(new Decision.Timings(1_000_000L, 1_000_000L, 2_000_000L, false));
        assertThat(registry.get("gatehouse.decision.duration").timer().count()).isEqualTo(1);
    }

    /** Decides for an engine that does not answer: nothing until the budget has passed on the scheduler. */
    private Decision decideOutOfBudget(Gatehouse g, String ip) {
        CompletableFuture<Decision> future = g.decide(facts(ip));
        scheduler.advance(Duration.ofMillis(19));
        assertThat(future).isNotDone();
        scheduler.advance(Duration.ofMillis(1));
        assertThat(future).isDone();
        return future.join();
    }

    @Test
    void decide_engineSlowerThanBudget_decidesOnWhatIsKnownAndSaysSo() {
        Gatehouse g = gatehouse().build();
        Decision d = decideOutOfBudget(g, SLOW);
        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.timings().budgetExceeded()).isTrue();
        assertThat(d.signals().notes()).singleElement().asString().contains("did not answer within the 20 ms budget");
        assertThat(counter("gatehouse.engine.timeouts")).isEqualTo(1);
        assertThat(counter("gatehouse.engine.errors")).isZero();
    }

    @Test
    void decide_lateEngineAnswer_doesNotChangeTheDecision() throws Exception {
        Gatehouse g = gatehouse().build();
        Decision d = decideOutOfBudget(g, SLOW);
        engine.complete(SLOW, Signals.builder(IpAddress.parse(SLOW)).put(Signal.TOR, true, "late").build());
        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        // the next request sees the (now complete) answer
        assertThat(decide(g, SLOW).verdict()).isEqualTo(Verdict.BLOCK);
    }

    @Test
    void decide_engineAnswersAfterTheCallWithinBudget_decidesOnTheAnswer() throws Exception {
        CompletableFuture<Signals> answer = new CompletableFuture<>();
        Gatehouse g = gatehouse().engine(f -> answer).build();

        CompletableFuture<Decision> future = g.decide(facts(TOR));
        scheduler.advance(Duration.ofMillis(19));
        assertThat(future).isNotDone();
        answer.complete(Signals.builder(IpAddress.parse(TOR)).put(Signal.TOR, true, "test").build());

        Decision d = future.get(10, TimeUnit.SECONDS);
        assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
        assertThat(d.timings().budgetExceeded()).isFalse();
        assertThat(counter("gatehouse.engine.timeouts")).isZero();
        assertThat(scheduler.pending()).as("the budget timer is cancelled").isZero();
    }

    @Test
    void decide_layeredEngineOutOfBudget_decidesOnTheLayersThatAnswered() {
        Enricher hanging = (facts, known) -> new CompletableFuture<>();
        ThreatScorer scorer = s -> s.toBuilder().put(Signal.THREAT_SCORE, s.isTrue(Signal.TOR) ? 80 : 0, "scoring").build();
        Gatehouse g = gatehouse().engine(Engines.layered(engine, scorer, List.of(hanging))).build();

        Decision d = decideOutOfBudget(g, TOR);

        assertThat(d.verdict()).isEqualTo(Verdict.BLOCK); // tor came from the base engine, which had answered
        assertThat(d.signals().threatScore()).isEqualTo(80); // and the partial answer is scored
        assertThat(d.timings().budgetExceeded()).isTrue();
        assertThat(d.signals().notes()).singleElement().asString().contains("from the sources that had answered");
    }

    @Test
    void decide_layeredEngineFails_failOpenDecidesOnTheLayersThatAnswered() throws Exception {
        CompletableFuture<Signals> failing = new CompletableFuture<>();
        Gatehouse g = gatehouse().engine(Engines.layered(engine, ThreatScorer.none(), List.of((facts, known) -> failing))).build();

        CompletableFuture<Decision> future = g.decide(facts(TOR));
        failing.completeExceptionally(new IllegalStateException("enricher broke its contract"));

        Decision d = future.get(10, TimeUnit.SECONDS);
        assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
        assertThat(d.signals().notes()).singleElement().asString().contains("enricher broke its contract");
    }

    @Test
    void decide_outOfBudget_policyRunsOnTheOwnedScheduler_neverTheJdkDelayThread() throws Exception {
        AtomicReference<String> policyThread = new AtomicReference<>();
        Policy recording = TestPolicy.builder().block("record", (r, s) -> {
            policyThread.set(Thread.currentThread().getName());
            return false;
        }).build();
        try (Gatehouse g = Gatehouse.builder().engine(engine).policy(recording).budget(Duration.ofMillis(1))
                .meterRegistry(registry).build()) {
            Decision d = g.decide(facts(SLOW)).get(10, TimeUnit.SECONDS);
            assertThat(d.timings().budgetExceeded()).isTrue();
            assertThat(policyThread.get()).startsWith("gatehouse-decide-");
        }
    }

    @Test
    void decide_engineAnswersOnItsOwnThread_policyRunsOnTheScheduler() throws Exception {
        AtomicReference<String> policyThread = new AtomicReference<>();
        Policy recording = TestPolicy.builder().block("record", (r, s) -> {
            policyThread.set(Thread.currentThread().getName());
            return false;
        }).build();
        CompletableFuture<Signals> answer = new CompletableFuture<>();
        try (Gatehouse g = Gatehouse.builder().engine(f -> answer).policy(recording).budget(Duration.ofMinutes(1))
                .meterRegistry(registry).build()) {
            CompletableFuture<Decision> future = g.decide(facts(TOR));
            Thread engineThread = new Thread(() -> answer.complete(Signals.of(IpAddress.parse(TOR))), "engine-thread");
            engineThread.start();
            engineThread.join();
            future.get(10, TimeUnit.SECONDS);
            assertThat(policyThread.get()).startsWith("gatehouse-decide-");
        }
    }

    @Test
    void decide_afterClose_stillCompletes() throws Exception {
        Gatehouse g = Gatehouse.builder().engine(engine).policy(TestPolicy.torBlocking()).meterRegistry(registry).build();
        g.close();
        Decision d = g.decide(facts(SLOW)).get(10, TimeUnit.SECONDS);
        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.timings().budgetExceeded()).isTrue();
    }

    @Test
    void decide_engineFutureCancelled_isAFailure() throws Exception {
        CompletableFuture<Signals> cancelled = new CompletableFuture<>();
        cancelled.cancel(false);
        Decision d = decide(gatehouse().engine(f -> cancelled).build(), "203.0.113.5");
        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.signals().notes()).singleElement().asString().contains("engine failed").contains("CancellationException");
        assertThat(counter("gatehouse.engine.errors")).isEqualTo(1);
    }

    @Test
    void decide_engineFails_failOpenAllowsWithANote() throws Exception {
        Decision d = decide(gatehouse().build(), BROKEN);
        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.timings().budgetExceeded()).isFalse();
        assertThat(d.signals().notes()).singleElement().asString().contains("engine failed").contains("provider down");
        assertThat(counter("gatehouse.engine.errors")).isEqualTo(1);
    }

    @Test
    void decide_engineThrowsFromLookup_isTreatedAsAFailure() throws Exception {
        Decision d = decide(gatehouse().build(), THROWS);
        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.signals().notes()).singleElement().asString().contains("bug in engine");
        assertThat(counter("gatehouse.engine.errors")).isEqualTo(1);
    }

    @Test
    void decide_engineFails_failClosedBlocksWith503() throws Exception {
        Decision d = decide(gatehouse().failOpen(false).build(), BROKEN);
        assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
        assertThat(d.rule()).isEqualTo("error/engine");
        assertThat(d.response().status()).isEqualTo(503);
        assertThat(d.trace()).singleElement().extracting(Decision.TraceStep::detail).asString().contains("provider down");
    }

    @Test
    void decide_engineCompletesWithoutSignals_isAFailure() throws Exception {
        Gatehouse g = gatehouse().engine(f -> CompletableFuture.completedFuture(null)).failOpen(false).build();
        Decision d = decide(g, "203.0.113.5");
        assertThat(d.rule()).isEqualTo("error/engine");
        assertThat(d.timings().budgetExceeded()).isFalse();
    }

    @Test
    void decide_timeoutWithFailClosed_stillDecidesOnWhatIsKnown() {
        Decision d = decideOutOfBudget(gatehouse().failOpen(false).build(), SLOW);
        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.timings().budgetExceeded()).isTrue();
    }

    @Test
    void decide_policyThrows_failOpenAllowsAsErrorPolicy() throws Exception {
        Gatehouse g = gatehouse().policy(TestPolicy.throwing(new IllegalStateException("bad rule"))).build();
        Decision d = decide(g, "203.0.113.5");
        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.rule()).isEqualTo("error/policy");
        assertThat(d.trace()).singleElement().extracting(Decision.TraceStep::detail).asString().contains("bad rule");
        assertThat(d.timings().totalNanos()).isPositive();
        assertThat(counter("gatehouse.policy.errors")).isEqualTo(1);
    }

    @Test
    void decide_policyThrows_failClosedBlocksWith503() throws Exception {
        Gatehouse g = gatehouse().failOpen(false).policy(TestPolicy.throwing(new IllegalStateException("bad rule"))).build();
        Decision d = decide(g, "203.0.113.5");
        assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
        assertThat(d.rule()).isEqualTo("error/policy");
        assertThat(d.response().status()).isEqualTo(503);
    }

    @Test
    void decide_policyReturnsNull_isAPolicyError() throws Exception {
        Policy nullPolicy = new Policy() {
            @Override
            public Decision evaluate(RequestFacts request, Signals signals) {
                return null;
            }

            @Override
            public String name() {
                return "null";
            }

            @Override
            public String version() {
                return "0";
            }
        };
        Decision d = decide(gatehouse().policy(nullPolicy).build(), "203.0.113.5");
        assertThat(d.rule()).isEqualTo("error/policy");
        assertThat(counter("gatehouse.policy.errors")).isEqualTo(1);
    }

    @Test
    void decide_policySupplier_isReadPerRequest() throws Exception {
        AtomicReference<Policy> current = new AtomicReference<>(TestPolicy.builder().build());
        Gatehouse g = gatehouse().policy(current::get).build();
        assertThat(decide(g, TOR).verdict()).isEqualTo(Verdict.ALLOW);
        current.set(TestPolicy.torBlocking());
        assertThat(decide(g, TOR).verdict()).isEqualTo(Verdict.BLOCK);
        assertThat(g.policy()).isSameAs(current.get());
    }

    @Test
    void decide_shadowRule_allowsAndRecordsWhatWouldHappen() throws Exception {
        Policy shadow = TestPolicy.builder().shadowBlock("block-tor", (r, s) -> s.isTrue(Signal.TOR)).build();
        Decision d = decide(gatehouse().policy(shadow).build(), TOR);
        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.shadowed()).isEqualTo(Verdict.BLOCK);
        assertThat(registry.get("gatehouse.decisions").tag("verdict", "allow").tag("shadow", "true").counter().count()).isEqualTo(1);
    }

    @Test
    void builder_invalidSettings_areRejectedAtOnce() {
        assertThatThrownBy(() -> Gatehouse.builder().budget(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("budget").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> Gatehouse.builder().budget(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Gatehouse.builder().policy(TestPolicy.torBlocking()).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("engine");
        assertThatThrownBy(() -> Gatehouse.builder().engine(engine).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("policy");
    }

    @Test
    void accessors_andClose_closeTheEngine() {
        Gatehouse g = gatehouse().failOpen(false).build();
        assertThat(g.budget()).isEqualTo(Duration.ofMillis(20));
        assertThat(g.failOpen()).isFalse();
        assertThat(g.engine()).isSameAs(engine);
        assertThat(g.meterRegistry()).isSameAs(registry);
        g.close();
        assertThat(engine.isClosed()).isTrue();
    }
}
