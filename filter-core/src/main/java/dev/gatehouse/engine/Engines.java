package dev.gatehouse.engine;

import dev.gatehouse.RequestFacts;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/** Ways to compose engines. */
public final class Engines {

    private Engines() {
    }

    /**
     * An engine that asks {@code base}, then each enricher in turn with what is known so far, then
     * applies {@code scorer} once to the result.
     */
    public static IntelligenceEngine layered(IntelligenceEngine base, ThreatScorer scorer, List<? extends Enricher> enrichers) {
        return new Layered(base, scorer, List.copyOf(enrichers));
    }

    private record Layered(IntelligenceEngine base, ThreatScorer scorer, List<Enricher> enrichers) implements IntelligenceEngine {
        Layered {
            Objects.requireNonNull(base, "base");
            Objects.requireNonNull(scorer, "scorer");
        }

        @Override
        public CompletionStage<Signals> lookup(RequestFacts facts) {
            CompletionStage<Signals> stage = base.lookup(facts);
            int next = 0;
            // While each step has already answered (the embedded engine and a verifier that needs no DNS do),
            // go on at once: thenCompose on a completed stage costs a future and a lambda per enricher.
            while (stage instanceof CompletableFuture<Signals> done && done.isDone() && !done.isCompletedExceptionally()) {
                Signals known = done.join();
                try {
                    if (next == enrichers.size()) {
                        return CompletableFuture.completedFuture(scorer.score(known));
                    }
                    stage = Objects.requireNonNull(enrichers.get(next++).enrich(facts, known), "an enricher returned no stage");
                } catch (RuntimeException e) {
                    // as thenCompose / thenApply would: a step that throws fails the lookup, it does not throw from it
                    return CompletableFuture.failedFuture(e instanceof CompletionException ? e : new CompletionException(e));
                }
            }
            for (Enricher enricher : enrichers.subList(next, enrichers.size())) {
                stage = stage.thenCompose(known -> enricher.enrich(facts, known));
            }
            return stage.thenApply(scorer::score);
        }

        @Override
        public String name() {
            return base.name();
        }

        @Override
        public List<Signals.SourceStatus> sources() {
            return base.sources();
        }

        @Override
        public void close() {
            enrichers.forEach(Enricher::close);
            base.close();
        }
    }
}
