package dev.gatehouse.engine.embedded;

import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.crawler.CrawlerVerifier;
import dev.gatehouse.engine.AbstractIntelligenceEngineContractTest;
import dev.gatehouse.engine.Engines;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * What the adapters build (embedded data, then crawler verification, then the scoring table) passes the
 * engine contract. The contract's requests name no crawler, so the resolver below is never asked.
 */
class EmbeddedLayeredEngineContractTest extends AbstractIntelligenceEngineContractTest {

    private static IntelligenceEngine engine;

    @BeforeAll
    static void build() {
        EmbeddedEngine embedded = EmbeddedEngine.loadDefault();
        CrawlerVerifier verifier = CrawlerVerifier.builder().catalogSource(embedded::crawlerCatalog)
                .dnsServers(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9)))
                .meterRegistry(new SimpleMeterRegistry()).build();
        engine = Engines.layered(embedded, Scoring.defaults(), List.of(verifier));
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
