package dev.gatehouse.engine.provider;

/** The enricher contract against a server answering as the IP Trust document shows. */
class IpTrustEnricherContractTest extends ProviderEnricherContractTest {

    @Override
    String provider() {
        return "iptrust";
    }

    /**
     * The document's Essential-plan example: its Premium example reports a Tor exit, which fusion rightly
     * adds as a second source of the {@code tor} signal the suite expects untouched (that body's mapping is
     * tested in {@link ProviderAdaptersTest}).
     */
    @Override
    String exampleBody() {
        return Seeds.IPTRUST_ESSENTIAL;
    }
}
