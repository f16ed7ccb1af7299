package dev.gatehouse.engine.embedded;

import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.engine.AbstractIntelligenceEngineContractTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The embedded engine on its bundled data passes the engine contract. */
class EmbeddedEngineContractTest extends AbstractIntelligenceEngineContractTest {

    private static EmbeddedEngine engine;

    @BeforeAll
    static void load() {
        engine = EmbeddedEngine.loadDefault();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Override
    protected IntelligenceEngine engine() {
        return engine;
    }
}
