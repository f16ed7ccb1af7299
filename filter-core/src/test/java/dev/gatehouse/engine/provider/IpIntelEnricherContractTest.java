package dev.gatehouse.engine.provider;

/** The enricher contract against a server answering as the IPIntel.ai document shows. */
class IpIntelEnricherContractTest extends ProviderEnricherContractTest {

    @Override
    String provider() {
        return "ipintel";
    }

    @Override
    String exampleBody() {
        return Seeds.IPINTEL_IP;
    }
}
