package dev.gatehouse.crawler;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.StandardEngine;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.testing.TestPolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The DNS rows of the fault matrix in {@code docs/reliability.md}, through the product's wiring
 * ({@link StandardEngine}: embedded engine, crawler verification with its share of the budget) and
 * {@link Gatehouse}: a Googlebot claim from outside Google's ranges needs reverse DNS, and the resolver
 * misbehaves. Each time the decision comes back (within the budget plus generous slack, never a timing
 * assertion), the claim is {@code unknown} (neither trusted nor called spoofed), the request is
 * decided on the rest, and the failure is counted.
 */
class DnsFaultMatrixTest {

    static final String GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    static final String CLIENT = "81.2.69.170"; // public, outside every crawler range
    static final Duration BUDGET = Duration.ofMillis(300);

    enum Fault {
        /** The resolver never answers this name. */
        SILENT("gatehouse.crawler.verifier.timeouts", null),
        /** Answers REFUSED. */
        REFUSED("gatehouse.crawler.dns.failures", "refused"),
        /** Answers SERVFAIL (after a retry). */
        SERVFAIL("gatehouse.crawler.dns.failures", "servfail"),
        /** Nothing listens on the resolver's port: counted whichever way the lookup ends (timeout or port unreachable). */
        NO_SERVER(null, null);

        final String counter;
        final String reason;

        Fault(String counter, String reason) {
            this.counter = counter;
            this.reason = reason;
        }
    }

    private TestDnsServer dns;
    private SimpleMeterRegistry registry;
    private Gatehouse gatehouse;

    @BeforeEach
    void start() {
        dns = TestDnsServer.start();
        registry = new SimpleMeterRegistry();
    }

    @AfterEach
    void stop() {
        if (gatehouse != null) {
            gatehouse.close();
        }
        dns.close();
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void resolverFault_decisionComesBackUnknown_andTheFailureIsCounted(Fault fault) throws Exception {
        InetSocketAddress resolver = dns.address();
        switch (fault) {
            case SILENT -> dns.silent(CLIENT);
            case REFUSED -> dns.refused(CLIENT);
            case SERVFAIL -> dns.servfail(CLIENT);
            case NO_SERVER -> {
                try (DatagramSocket closed = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                    resolver = new InetSocketAddress(InetAddress.getLoopbackAddress(), closed.getLocalPort());
                }
            }
        }
        gatehouse = Gatehouse.builder()
                .engine(StandardEngine.create(BUDGET, List.of(resolver), registry))
                .policy(TestPolicy.torBlocking())
                .budget(BUDGET)
                .meterRegistry(registry)
                .build();

        Decision decision = gatehouse.decide(RequestFacts.builder(IpAddress.parse(CLIENT)).userAgent(GOOGLEBOT).build())
                .get(BUDGET.toMillis() + 5_000, TimeUnit.MILLISECONDS);

        assertThat(decision.verdict()).isEqualTo(Verdict.ALLOW); // decided on the rest: not a Tor exit
        assertThat(decision.signals().value(Signal.BOT_NAME)).isEqualTo("Googlebot");
        assertThat(decision.signals().value(Signal.BOT_VERIFIED)).isEqualTo("unknown");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> count(fault) >= 1);
    }

    private double count(Fault fault) {
        if (fault.counter == null) {
            return registry.find("gatehouse.crawler.verifier.timeouts").counters().stream().mapToDouble(Counter::count).sum()
                    + registry.find("gatehouse.crawler.dns.failures").counters().stream().mapToDouble(Counter::count).sum();
        }
        Counter counter = fault.reason == null ? registry.find(fault.counter).counter()
                : registry.find(fault.counter).tag("reason", fault.reason).counter();
        return counter == null ? 0 : counter.count();
    }
}
