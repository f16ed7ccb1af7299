package dev.gatehouse.engine;

import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.Signal;
import dev.gatehouse.testing.FakeEngine;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A layered engine (a base, an enricher that answers later on another thread, a scorer) passes the engine contract. */
class LayeredEngineContractTest extends AbstractIntelligenceEngineContractTest {

    private final IntelligenceEngine engine = Engines.layered(new FakeEngine().tor("203.0.113.10"),
            signals -> signals.toBuilder().put(Signal.THREAT_SCORE, signals.isTrue(Signal.TOR) ? 80 : 0, "scoring").build(),
            List.of((facts, known) -> CompletableFuture.supplyAsync(
                    () -> known.toBuilder().put(Signal.HOSTING, true, "provider:test").build())));

    @Override
    protected IntelligenceEngine engine() {
        return engine;
    }
}
