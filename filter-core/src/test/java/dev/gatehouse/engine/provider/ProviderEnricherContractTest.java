package dev.gatehouse.engine.provider;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.gatehouse.api.Enricher;
import dev.gatehouse.engine.AbstractEnricherContractTest;
import dev.gatehouse.engine.embedded.Scoring;
import dev.gatehouse.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The enricher contract for one remote provider, as the assembly deploys it (the provider layer with
 * that provider alone, fused), against a {@link FakeProvider} that answers the document's example
 * body, never answers, or answers 500. One subclass per provider.
 */
abstract class ProviderEnricherContractTest extends AbstractEnricherContractTest {

    private FakeProvider server;
    private Providers providers;

    /** The provider's name in the settings. */
    abstract String provider();

    /** The example body of the provider's document for a lookup of one address. */
    abstract String exampleBody();

    /**
     * Whether the layer's share of the request budget, rather than the provider's own timeout, is what
     * bounds the wait: the provider's timeout is then far longer than {@code timeout}.
     */
    boolean boundByBudget() {
        return false;
    }

    @Override
    protected Enricher create(Upstream upstream, Duration timeout) throws Exception {
        server = new FakeProvider();
        server.answer(switch (upstream) {
            case ANSWERS -> FakeProvider.json(200, exampleBody());
            case HANGS -> server.hang();
            case FAILS -> FakeProvider.json(500, "{\"error\": \"Internal server error\"}");
        });
        ProviderSettings settings = ProviderSettings.builder(provider()).apiKey(Harness.KEY).baseUrl(server.baseUrl())
                .when(ProviderSettings.When.ALWAYS).timeout(boundByBudget() ? Duration.ofSeconds(30) : timeout).build();
        // the budget whose providers' share is exactly the timeout
        Duration budget = boundByBudget() ? timeout.multipliedBy(100).dividedBy(Providers.BUDGET_SHARE_PERCENT) : null;
        providers = Providers.create(List.of(settings), Harness.HTTP, new MutableClock(Instant.parse("2026-11-30T10:00:00Z")),
                Ticker.systemTicker(), new SimpleMeterRegistry(), budget, Scoring.defaults());
        return providers.enrichers().get(0);
    }

    @AfterEach
    void closeUpstream() {
        if (providers != null) {
            providers.close();
        }
        if (server != null) {
            server.close();
        }
    }
}
