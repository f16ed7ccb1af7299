package dev.gatehouse.crawler;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.ThreatScorer;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.engine.Engines;
import dev.gatehouse.net.IpAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The done-when of crawler verification, through the whole decision pipeline with a real DNS server. */
class GatehouseCrawlerIT {

    /** Blocks spoofed crawlers, allows the rest: the stance of the default policy, without depending on it. */
    private static final Policy BLOCK_SPOOFED = new Policy() {
        @Override
        public Decision evaluate(RequestFacts request, Signals signals) {
            boolean spoofed = "spoofed".equals(signals.string(Signal.BOT_VERIFIED));
            return new Decision(spoofed ? Verdict.BLOCK : Verdict.ALLOW, spoofed ? "rule/block-spoofed-crawlers" : "default/allow",
                    spoofed ? new Decision.Response(403, java.util.Map.of(), "spoofed crawler") : Decision.Response.PASS,
                    null, signals, List.of(), Decision.Timings.NONE);
        }

        @Override
        public String name() {
            return "<test>";
        }

        @Override
        public String version() {
            return "test";
        }
    };

    private TestDnsServer dns;
    private Gatehouse gatehouse;

    @BeforeEach
    void start() {
        dns = TestDnsServer.start();
        CrawlerVerifier verifier = CrawlerVerifier.builder()
                .dnsServers(List.of(dns.address()))
                .timeout(Duration.ofMillis(150))
                .dnsTimeout(Duration.ofSeconds(2))
                .meterRegistry(new SimpleMeterRegistry())
                .build();
        IntelligenceEngine base = facts -> CompletableFuture.completedFuture(Signals.of(facts.clientIp()));
        gatehouse = Gatehouse.builder()
                .engine(Engines.layered(base, ThreatScorer.none(), List.of(verifier)))
                .policy(BLOCK_SPOOFED)
                .budget(Duration.ofMillis(500))
                .meterRegistry(new SimpleMeterRegistry())
                .build();
    }

    @AfterEach
    void stop() {
        gatehouse.close();
        dns.close();
    }

    private Decision decide(String ip, String ua) {
        RequestFacts facts = RequestFacts.builder(IpAddress.parse(ip)).userAgent(ua).build();
        return gatehouse.decide(facts).orTimeout(5, TimeUnit.SECONDS).join();
    }

    @Test
    void decide_googlebotWithLyingPtr_blocked() {
        dns.ptr("198.51.100.7", "crawl-66-249-66-1.googlebot.com").address("crawl-66-249-66-1.googlebot.com", "66.249.66.1");

        Decision d = decide("198.51.100.7", CrawlerVerifierIT.GOOGLEBOT);

        assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
        assertThat(d.signals().value(Signal.BOT_VERIFIED)).isEqualTo("spoofed");
    }

    @Test
    void decide_googlebotFromGoogleRange_allowedAsVerified() {
        Decision d = decide("66.249.66.1", CrawlerVerifierIT.GOOGLEBOT);

        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.signals().value(Signal.BOT_VERIFIED_BY)).isEqualTo("ip_range");
    }

    @Test
    void decide_deadResolver_verdictWithinBudgetWithUnknown() {
        dns.dropAll(true);

        Decision d = decide("203.0.113.8", CrawlerVerifierIT.GOOGLEBOT);

        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.signals().value(Signal.BOT_VERIFIED)).isEqualTo("unknown");
        assertThat(d.signals().value(Signal.BOT_NAME)).isEqualTo("Googlebot");
        assertThat(d.timings().budgetExceeded()).isFalse();
    }
}
