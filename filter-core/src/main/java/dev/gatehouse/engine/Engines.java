package dev.gatehouse.engine;

import dev.gatehouse.api.Enricher;
import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.ThreatScorer;

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
            Signals known = null; // the last answer handed to an enricher
            int next = 0;
            // While each step has already answered (the embedded engine and a verifier that needs no DNS do),
            // go on at once: thenCompose on a completed stage costs a future and a lambda per enricher.
            while (stage instanceof CompletableFuture<Signals> done && done.isDone() && !done.isCompletedExceptionally()) {
                known = done.join();
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
            // Still waiting: hand back a stage that can tell what the sources that answered had found, so a
            // caller out of budget decides on the embedded signals rather than on nothing.
            Lookup lookup = new Lookup(scorer, known);
            for (Enricher enricher : enrichers.subList(next, enrichers.size())) {
                stage = stage.thenCompose(answered -> {
                    lookup.known = answered;
                    return enricher.enrich(facts, answered);
                });
            }
            stage.thenApply(scorer::score).whenComplete((signals, error) -> {
                if (error == null) {
                    lookup.complete(signals);
                } else {
                    lookup.completeExceptionally(error);
                }
            });
            return lookup;
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

    /** A layered lookup in flight: completes with the scored answer, and meanwhile knows the layers that answered. */
    private static final class Lookup extends CompletableFuture<Signals> implements IntelligenceEngine.Progress {
        private final ThreatScorer scorer;
        private volatile Signals known;

        Lookup(ThreatScorer scorer, Signals known) {
            this.scorer = scorer;
            this.known = known;
        }

        @Override
        public Signals knownSoFar() {
            Signals now = known;
            return now == null ? null : scorer.score(now);
        }
    }
}
