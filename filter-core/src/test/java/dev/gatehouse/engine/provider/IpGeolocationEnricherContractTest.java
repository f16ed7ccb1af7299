package dev.gatehouse.engine.provider;

/** The enricher contract against a server answering as the IPGeolocation.io document shows. */
class IpGeolocationEnricherContractTest extends ProviderEnricherContractTest {

    @Override
    String provider() {
        return "ipgeolocation";
    }

    @Override
    String exampleBody() {
        return Seeds.IPGEO_SECURITY;
    }
}
