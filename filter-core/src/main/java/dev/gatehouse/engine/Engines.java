package dev.gatehouse.engine;

import dev.gatehouse.RequestFacts;

import java.util.List;
import java.util.Objects;
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
            for (Enricher enricher : enrichers) {
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
