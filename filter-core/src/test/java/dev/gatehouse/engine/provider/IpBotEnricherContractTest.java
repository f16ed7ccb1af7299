package dev.gatehouse.engine.provider;

/** The enricher contract against a server answering as the IPBot document shows. */
class IpBotEnricherContractTest extends ProviderEnricherContractTest {

    @Override
    String provider() {
        return "ipbot";
    }

    @Override
    String exampleBody() {
        return Seeds.IPBOT_FULL;
    }
}
