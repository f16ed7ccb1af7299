package dev.gatehouse.engine.provider;

/** The enricher contract against a server answering as the ipinsights.io document shows. */
class IpInsightsEnricherContractTest extends ProviderEnricherContractTest {

    @Override
    String provider() {
        return "ipinsights";
    }

    @Override
    String exampleBody() {
        return Seeds.IPINSIGHTS_LOOKUP;
    }
}
