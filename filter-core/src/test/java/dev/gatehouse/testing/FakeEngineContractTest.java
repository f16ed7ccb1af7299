package dev.gatehouse.testing;

import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.engine.AbstractIntelligenceEngineContractTest;

/** The test double behaves as a real engine does for addresses it was not told about. */
class FakeEngineContractTest extends AbstractIntelligenceEngineContractTest {

    private final FakeEngine engine = new FakeEngine().tor("203.0.113.10");

    @Override
    protected IntelligenceEngine engine() {
        return engine;
    }
}
