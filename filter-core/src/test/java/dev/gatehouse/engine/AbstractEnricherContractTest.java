package dev.gatehouse.engine;

import dev.gatehouse.api.Enricher;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every {@link Enricher} passes (crawler verification, each remote provider): it answers
 * within its own timeout, and when its upstream hangs or fails it completes normally with what was
 * known plus a note, never failing the lookup.
 *
 * <p>An implementation's test extends this class and implements one method,
 * {@link #create(Upstream, Duration)}: build the enricher with the given timeout against a local
 * upstream (a {@code TestDnsServer}, a JDK {@code HttpServer} on port 0) that behaves as asked. Override
 * {@link #request()} when the enricher only asks its upstream for some requests (the crawler verifier
 * needs a User-Agent that claims a crawler from an address outside its published ranges).
 *
 * <pre>{@code
 * class IpTrustEnricherContractTest extends AbstractEnricherContractTest {
 *     @Override
 *     protected Enricher create(Upstream upstream, Duration timeout) {
 *         server = FakeApi.start(switch (upstream) {
 *             case ANSWERS -> FakeApi.json("{\"threat_score\": 12}");
 *             case HANGS -> FakeApi.neverAnswer();
 *             case FAILS -> FakeApi.status(500);
 *         });
 *         return IpTrustEnricher.builder().baseUrl(server.url()).timeout(timeout).build();
 *     }
 * }
 * }</pre>
 */
public abstract class AbstractEnricherContractTest {

    /** What the enricher's upstream (DNS server, provider API) does during one test. */
    protected enum Upstream {
        /** Answers promptly with a valid answer. */
        ANSWERS,
        /** Accepts the question and never answers. */
        HANGS,
        /** Answers with an error (SERVFAIL, HTTP 500, a refused connection). */
        FAILS
    }

    /** The enricher's own timeout in these tests. */
    protected static final Duration TIMEOUT = Duration.ofMillis(250);

    /** Scheduling slack allowed on a loaded machine beyond {@link #TIMEOUT}. */
    protected static final Duration SLACK = Duration.ofSeconds(2);

    private Enricher enricher;

    /**
     * A new enricher whose own timeout is {@code timeout} and whose upstream behaves as {@code upstream}.
     * Called at most once per test; the suite closes the enricher afterwards (close your upstream in an
     * {@code @AfterEach} of your own).
     */
    protected abstract Enricher create(Upstream upstream, Duration timeout) throws Exception;

    /** The request enriched; by default a browser at 203.0.113.50. */
    protected RequestFacts request() {
        return RequestFacts.builder(IpAddress.parse("203.0.113.50"))
                .userAgent("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0").build();
    }

    /** What earlier layers found: signals an enricher has no reason to touch, and a note. */
    protected Signals known(IpAddress ip) {
        return Signals.builder(ip)
                .put(Signal.TOR, true, "embedded:tor")
                .put(Signal.ASN, 64500, "embedded:asn")
                .note("from an earlier layer")
                .build();
    }

    @AfterEach
    void closeEnricher() {
        if (enricher != null) {
            enricher.close();
        }
    }

    private Signals enrich(Upstream upstream) throws Exception {
        enricher = create(upstream, TIMEOUT);
        RequestFacts facts = request();
        Signals known = known(facts.clientIp());
        long start = System.nanoTime();
        CompletableFuture<Signals> answer = enricher.enrich(facts, known).toCompletableFuture();
        Signals signals = answer.get(TIMEOUT.plus(SLACK).toMillis(), TimeUnit.MILLISECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).as("answered within its own timeout (plus scheduling slack)").isLessThan(TIMEOUT.plus(SLACK));
        assertThat(signals).as("completes with signals").isNotNull();
        assertThat(signals.ip()).isEqualTo(facts.clientIp());
        assertKept(known, signals);
        return signals;
    }

    private static void assertKept(Signals known, Signals signals) {
        assertThat(signals.observation(Signal.TOR)).as("keeps what earlier layers found").isEqualTo(known.observation(Signal.TOR));
        assertThat(signals.observation(Signal.ASN)).as("keeps what earlier layers found").isEqualTo(known.observation(Signal.ASN));
        assertThat(signals.notes()).as("keeps earlier notes").containsAll(known.notes());
    }

    @Test
    void enrich_upstreamAnswers_keepsWhatWasKnown() throws Exception {
        enrich(Upstream.ANSWERS);
    }

    @Test
    void enrich_upstreamHangs_answersWithinItsTimeoutWithWhatWasKnownAndANote() throws Exception {
        Signals signals = enrich(Upstream.HANGS);

        assertThat(signals.notes()).as("says why it has nothing to add").hasSizeGreaterThan(known(signals.ip()).notes().size());
    }

    @Test
    void enrich_upstreamFails_completesNormallyWithWhatWasKnownAndANote() throws Exception {
        Signals signals = enrich(Upstream.FAILS);

        assertThat(signals.notes()).as("says why it has nothing to add").hasSizeGreaterThan(known(signals.ip()).notes().size());
    }

    @Test
    void name_isNotBlank() throws Exception {
        enricher = create(Upstream.ANSWERS, TIMEOUT);
        assertThat(enricher.name()).isNotBlank();
    }
}
