package dev.gatehouse.crawler;

import dev.gatehouse.api.Enricher;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.engine.AbstractEnricherContractTest;
import dev.gatehouse.net.IpAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;

import java.time.Duration;
import java.util.List;

/** The crawler verifier, against a local DNS server, passes the enricher contract. */
class CrawlerVerifierContractTest extends AbstractEnricherContractTest {

    private static final String IP = "203.0.113.60"; // outside Google's published ranges: the claim needs reverse DNS
    private static final String HOST = "crawl-203-0-113-60.googlebot.com";

    private TestDnsServer dns;

    @Override
    protected Enricher create(Upstream upstream, Duration timeout) {
        dns = TestDnsServer.start();
        switch (upstream) {
            case ANSWERS -> dns.ptr(IP, HOST).address(HOST, IP);
            case HANGS -> dns.dropAll(true);
            case FAILS -> dns.servfail(IP);
        }
        return CrawlerVerifier.builder().dnsServers(List.of(dns.address())).timeout(timeout)
                .dnsTimeout(timeout.multipliedBy(20)).meterRegistry(new SimpleMeterRegistry()).build();
    }

    @Override
    protected RequestFacts request() {
        return RequestFacts.builder(IpAddress.parse(IP)).userAgent(CrawlerVerifierIT.GOOGLEBOT).build();
    }

    @AfterEach
    void stopDns() {
        if (dns != null) {
            dns.close();
        }
    }
}
