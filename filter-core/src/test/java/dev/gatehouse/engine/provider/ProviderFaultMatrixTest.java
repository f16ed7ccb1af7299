package dev.gatehouse.engine.provider;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.engine.Engines;
import dev.gatehouse.engine.embedded.Scoring;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.testing.TestPolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The provider rows of the fault matrix in {@code docs/reliability.md}: a real HTTP server answering
 * as IP Trust's documentation says, misbehaving per case, behind the whole pipeline ({@link Gatehouse}
 * over the embedded signals and the provider layer). For every fault, each of a stream of requests
 * still gets its decision (within the budget plus generous slack — the outcome is asserted, not the
 * time), decided on the embedded signals (a Tor exit stays blocked), and the fault is counted in
 * {@code gatehouse.provider.calls{provider, outcome}}. The provider-level details (one call per 429
 * storm, the breaker's probe, stale answers) are in {@link ProviderResilienceTest}.
 */
class ProviderFaultMatrixTest {

    static final Duration BUDGET = Duration.ofMillis(300);
    static final int REQUESTS = 30;

    enum Fault {
        HANGING("unavailable"),
        SERVER_ERROR_5XX("unavailable"),
        STORM_429("rate_limited"),
        GARBAGE_BODY("unavailable"),
        TRUNCATED_JSON("unavailable"),
        CLOSED_MID_BODY("unavailable"),
        CLOSED_WITHOUT_ANSWER("unavailable"),
        GONE("unavailable");

        final String outcome;

        Fault(String outcome) {
            this.outcome = outcome;
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void providerFault_everyRequestStillDecidedOnEmbeddedSignals_andTheFaultCounted(Fault fault) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (FakeProvider server = new FakeProvider()) {
            String baseUrl = server.baseUrl();
            switch (fault) {
                case HANGING -> server.answer(server.hang());
                case SERVER_ERROR_5XX -> server.answer(503, "{\"error\": \"upstream unavailable\"}");
                case STORM_429 -> server.answer(FakeProvider.json(429, "{\"error\": \"Too many requests\"}", Map.of("Retry-After", "600")));
                case GARBAGE_BODY -> server.answer(FakeProvider.json(200, "<html><body>502 Bad Gateway</body></html>"));
                case TRUNCATED_JSON -> server.answer(200, Seeds.IPTRUST_ESSENTIAL.substring(0, Seeds.IPTRUST_ESSENTIAL.length() / 2));
                case CLOSED_MID_BODY -> server.answer(FakeProvider.closeMidBody(Seeds.IPTRUST_ESSENTIAL));
                case CLOSED_WITHOUT_ANSWER -> server.answer(exchange -> exchange.getHttpContext().getServer()); // closed, nothing sent
                case GONE -> {
                    try (ServerSocket s = new ServerSocket(0)) {
                        baseUrl = "http://127.0.0.1:" + s.getLocalPort(); // nothing listens there once closed
                    }
                }
            }
            ProviderSettings settings = ProviderSettings.builder("iptrust").apiKey(Harness.KEY).baseUrl(baseUrl)
                    .when(ProviderSettings.When.ALWAYS).timeout(Duration.ofMillis(100)).callTimeout(Duration.ofMillis(500)).build();
            try (Providers providers = Providers.create(List.of(settings), Harness.HTTP, Clock.systemUTC(), Ticker.systemTicker(), registry,
                    BUDGET, Scoring.defaults())) {
                IntelligenceEngine embedded = facts -> CompletableFuture.completedFuture(
                        Signals.builder(facts.clientIp()).put(Signal.TOR, true, "embedded:tor").build());
                try (Gatehouse gatehouse = Gatehouse.builder().engine(Engines.layered(embedded, Scoring.defaults(), providers.enrichers()))
                        .policy(TestPolicy.torBlocking()).budget(BUDGET).meterRegistry(registry).build()) {
                    for (int i = 1; i <= REQUESTS; i++) {
                        Decision d = gatehouse.decide(RequestFacts.forIp(IpAddress.parse("74.148.39." + i)))
                                .get(BUDGET.toMillis() + 5_000, TimeUnit.MILLISECONDS);
                        assertThat(d.verdict()).as("request %d", i).isEqualTo(Verdict.BLOCK);
                        assertThat(d.signals().answers()).noneMatch(a -> a.source().equals("provider:iptrust"));
                    }
                    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> calls(registry, fault.outcome) >= 1);
                    assertThat(registry.find("gatehouse.engine.errors").counter().count()).isZero();
                    if (fault == Fault.STORM_429) {
                        assertThat(server.requests()).as("a 429 pauses the provider: one call").isEqualTo(1);
                        assertThat(providers.health().get(0).state()).isEqualTo("paused");
                    }
                    if (fault == Fault.SERVER_ERROR_5XX) {
                        assertThat(server.requests()).as("the breaker stops the calls").isLessThan(REQUESTS);
                        assertThat(calls(registry, "skipped")).isPositive();
                    }
                }
            }
        }
    }

    private static double calls(SimpleMeterRegistry registry, String outcome) {
        Counter c = registry.find("gatehouse.provider.calls").tag("provider", "iptrust").tag("outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }
}
