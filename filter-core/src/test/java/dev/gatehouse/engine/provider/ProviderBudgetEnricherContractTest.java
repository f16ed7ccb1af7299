package dev.gatehouse.engine.provider;

/**
 * The enricher contract when the providers' share of the request budget, not the provider's own
 * (much longer) timeout, bounds the wait: the layer still answers in time, with a note.
 */
class ProviderBudgetEnricherContractTest extends ProviderEnricherContractTest {

    @Override
    boolean boundByBudget() {
        return true;
    }

    @Override
    String provider() {
        return "ipintel";
    }

    @Override
    String exampleBody() {
        return Seeds.IPINTEL_IP;
    }
}
