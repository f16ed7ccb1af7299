package dev.gatehouse.engine;

import dev.gatehouse.api.Enricher;
import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.ThreatScorer;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnginesTest {

    private static final IpAddress IP = IpAddress.parse("192.0.2.1");
    private static final RequestFacts FACTS = RequestFacts.forIp(IP);
    private static final ThreatScorer SCORER = s -> s.toBuilder().put(Signal.THREAT_SCORE, 42, "scorer").build();

    private final List<String> calls = new ArrayList<>();

    private IntelligenceEngine base(CompletionStage<Signals> answer) {
        return facts -> {
            calls.add("base");
            return answer;
        };
    }

    private Enricher tagging(String name) {
        return (facts, known) -> {
            calls.add(name);
            return CompletableFuture.completedFuture(known.toBuilder().note(name).build());
        };
    }

    @Test
    void layered_everyStepAnswersAtOnce_completedWithEnrichersInOrderThenScored() {
        IntelligenceEngine engine = Engines.layered(base(CompletableFuture.completedFuture(Signals.of(IP))), SCORER,
                List.of(tagging("a"), tagging("b")));

        CompletableFuture<Signals> result = engine.lookup(FACTS).toCompletableFuture();

        assertThat(result).isDone();
        assertThat(calls).containsExactly("base", "a", "b");
        assertThat(result.join().notes()).containsExactly("a", "b");
        assertThat(result.join().threatScore()).isEqualTo(42);
    }

    @Test
    void layered_pendingBase_enrichesAndScoresWhenItCompletes() {
        CompletableFuture<Signals> pending = new CompletableFuture<>();
        IntelligenceEngine engine = Engines.layered(base(pending), SCORER, List.of(tagging("a"), tagging("b")));

        CompletableFuture<Signals> result = engine.lookup(FACTS).toCompletableFuture();
        assertThat(result).isNotDone();
        assertThat(calls).containsExactly("base");

        pending.complete(Signals.of(IP));
        assertThat(result.join().notes()).containsExactly("a", "b");
        assertThat(result.join().threatScore()).isEqualTo(42);
    }

    @Test
    void layered_pendingEnricher_laterEnrichersWaitForIt() {
        CompletableFuture<Signals> slow = new CompletableFuture<>();
        Enricher waiting = (facts, known) -> {
            calls.add("slow");
            return slow;
        };
        IntelligenceEngine engine = Engines.layered(base(CompletableFuture.completedFuture(Signals.of(IP))), SCORER,
                List.of(tagging("a"), waiting, tagging("c")));

        CompletableFuture<Signals> result = engine.lookup(FACTS).toCompletableFuture();
        assertThat(calls).containsExactly("base", "a", "slow");

        slow.complete(Signals.builder(IP).note("slow").build());
        assertThat(result.join().notes()).containsExactly("slow", "c");
        assertThat(calls).containsExactly("base", "a", "slow", "c");
    }

    @Test
    void layered_enricherThrows_failsTheLookupInsteadOfThrowing() {
        Enricher broken = (facts, known) -> {
            throw new IllegalStateException("enricher bug");
        };
        IntelligenceEngine engine = Engines.layered(base(CompletableFuture.completedFuture(Signals.of(IP))), SCORER,
                List.of(broken, tagging("b")));

        CompletableFuture<Signals> result = engine.lookup(FACTS).toCompletableFuture();

        assertThatThrownBy(result::join).isInstanceOf(CompletionException.class).hasRootCauseMessage("enricher bug");
        assertThat(calls).containsExactly("base");
    }

    @Test
    void layered_scorerThrows_failsTheLookupInsteadOfThrowing() {
        ThreatScorer broken = s -> {
            throw new IllegalStateException("scorer bug");
        };
        IntelligenceEngine engine = Engines.layered(base(CompletableFuture.completedFuture(Signals.of(IP))), broken, List.of());

        assertThatThrownBy(engine.lookup(FACTS).toCompletableFuture()::join)
                .isInstanceOf(CompletionException.class).hasRootCauseMessage("scorer bug");
    }

    @Test
    void layered_baseFailed_failureReachesTheCallerAndNoEnricherRuns() {
        IntelligenceEngine engine = Engines.layered(base(CompletableFuture.failedFuture(new IllegalStateException("down"))), SCORER,
                List.of(tagging("a")));

        assertThatThrownBy(engine.lookup(FACTS).toCompletableFuture()::join).hasRootCauseMessage("down");
        assertThat(calls).containsExactly("base");
    }
}
