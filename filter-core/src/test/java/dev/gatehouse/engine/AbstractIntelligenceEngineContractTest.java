package dev.gatehouse.engine;

import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every {@link IntelligenceEngine} passes (embedded, layered, the test doubles, and the
 * remote providers as they land): an implementation's test extends this class and returns the engine
 * from {@link #engine()}. The engine must answer requests it has no data for without failing.
 *
 * <pre>{@code
 * class EmbeddedEngineContractTest extends AbstractIntelligenceEngineContractTest {
 *     private static final EmbeddedEngine ENGINE = EmbeddedEngine.loadDefault();
 *
 *     @Override
 *     protected IntelligenceEngine engine() {
 *         return ENGINE;
 *     }
 * }
 * }</pre>
 */
public abstract class AbstractIntelligenceEngineContractTest {

    /** How long a lookup may take in these tests; engines that need the network get local, answering servers. */
    protected static final long ANSWER_SECONDS = 5;

    /**
     * The engine under test, ready to answer. It may be shared between tests (loading data is slow); the
     * suite never closes it, the implementation's test does.
     */
    protected abstract IntelligenceEngine engine();

    /** A request from {@code ip} as a browser would send it. */
    protected RequestFacts request(String ip) {
        return RequestFacts.builder(IpAddress.parse(ip)).method("GET").host("example.com").path("/")
                .userAgent("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
                .header("accept", "text/html").build();
    }

    private Signals lookup(RequestFacts facts) throws Exception {
        return engine().lookup(facts).toCompletableFuture().get(ANSWER_SECONDS, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"203.0.113.10", "2001:db8::10"})
    void lookup_anyAddress_signalsAreForTheClientAddress(String ip) throws Exception {
        Signals s = lookup(request(ip));

        assertThat(s.ip()).isEqualTo(IpAddress.parse(ip));
        assertThat(s.string(Signal.IP)).isEqualTo(IpAddress.parse(ip).toString());
        assertThat(s.integer(Signal.IP_VERSION, 0)).isEqualTo(ip.contains(":") ? 6 : 4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1", "0.0.0.0", "10.1.2.3", "255.255.255.255", "fe80::1"})
    void lookup_specialUseAddress_completesNormally(String ip) throws Exception {
        assertThat(lookup(request(ip)).ip()).isEqualTo(IpAddress.parse(ip));
    }

    @Test
    void lookup_bareAddressWithoutHeaders_completesNormally() throws Exception {
        assertThat(lookup(RequestFacts.forIp(IpAddress.parse("198.51.100.20"))).ip()).isEqualTo(IpAddress.parse("198.51.100.20"));
    }

    @Test
    void lookup_everyObservation_namesItsSources() throws Exception {
        Signals s = lookup(request("203.0.113.11"));

        assertThat(s.observations()).allSatisfy(o -> assertThat(o.sources()).isNotEmpty().allSatisfy(src -> assertThat(src).isNotBlank()));
    }

    @Test
    void lookup_concurrentCallers_allAnswered() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Signals>> answers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            CompletableFuture<Signals> answer = new CompletableFuture<>();
            answers.add(answer);
            String ip = "203.0.113." + (20 + i % 2);
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    engine().lookup(request(ip)).whenComplete((s, e) -> {
                        if (e == null) {
                            answer.complete(s);
                        } else {
                            answer.completeExceptionally(e);
                        }
                    });
                } catch (Throwable e) {
                    answer.completeExceptionally(e);
                }
            });
            threads.add(t);
            t.start();
        }
        go.countDown();
        for (int i = 0; i < answers.size(); i++) {
            assertThat(answers.get(i).get(ANSWER_SECONDS, TimeUnit.SECONDS).ip()).isEqualTo(IpAddress.parse("203.0.113." + (20 + i % 2)));
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    @Test
    void name_isNotBlank_andSourcesAreNamed() {
        assertThat(engine().name()).isNotBlank();
        assertThat(engine().sources()).isNotNull().allSatisfy(s -> assertThat(s.name()).isNotBlank());
    }
}
