package dev.gatehouse.policy;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The contract every {@link Policy} passes (the compiled YAML policy, the hot-reloading one, test
 * doubles): it always decides, names its reason in a namespace, and {@link Policy#explain explain}
 * spends no rate-limit token. An implementation's test extends this class and returns, from
 * {@link #policy(int)}, a fresh policy of this shape:
 *
 * <pre>
 * default: allow
 * limits:
 *   hosting: {capacity: CAPACITY, refill: 1, period: 1h, key: ip}
 * rules:
 *   - name: limit-hosting
 *     when: {hosting: true}
 *     action: rate_limit
 *     limit: hosting
 * </pre>
 */
public abstract class AbstractPolicyContractTest {

    protected static final int CAPACITY = 3;

    private static final IpAddress IP = IpAddress.parse("203.0.113.70");
    private static final RequestFacts REQUEST = RequestFacts.builder(IP).path("/page").userAgent("curl/8.5.0").build();
    private static final Signals HOSTING = Signals.builder(IP).put(Signal.HOSTING, true, "embedded:hosting").build();
    private static final Signals NOTHING = Signals.of(IP);

    private Policy policy;

    /** A fresh policy of the shape above, with an empty bucket store. */
    protected abstract Policy policy(int capacity);

    /** Whether the implementation keeps rate-limit buckets; a test double that does not skips the token tests. */
    protected boolean spendsTokens() {
        return true;
    }

    @BeforeEach
    void createPolicy() {
        policy = policy(CAPACITY);
    }

    @Test
    void evaluate_noRuleMatches_allowsByDefault() {
        Decision d = policy.evaluate(REQUEST, NOTHING);

        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.rule()).isEqualTo("default/allow");
        assertThat(d.signals()).isEqualTo(NOTHING);
    }

    @Test
    void evaluate_andExplain_decideAlikeAndNameTheirReasonInANamespace() {
        for (Signals signals : List.of(NOTHING, HOSTING)) {
            Decision explained = policy.explain(REQUEST, signals);
            Decision evaluated = policy.evaluate(REQUEST, signals);

            assertThat(explained.verdict()).isEqualTo(evaluated.verdict());
            assertThat(explained.rule()).isEqualTo(evaluated.rule()).matches("(rule|default|error)/.+");
            assertThat(explained.trace()).isNotNull();
        }
    }

    @Test
    void explain_spendsNoToken() {
        assumeTrue(spendsTokens(), "this policy keeps no rate-limit buckets");
        for (int i = 0; i < CAPACITY + 5; i++) {
            assertThat(policy.explain(REQUEST, HOSTING).verdict()).isEqualTo(Verdict.ALLOW);
        }
        for (int i = 0; i < CAPACITY; i++) {
            assertThat(policy.evaluate(REQUEST, HOSTING).verdict()).as("token %d after explaining", i + 1).isEqualTo(Verdict.ALLOW);
        }
        assertThat(policy.evaluate(REQUEST, HOSTING).verdict()).isEqualTo(Verdict.RATE_LIMIT);
        assertThat(policy.explain(REQUEST, HOSTING).verdict()).as("explain shows an empty bucket").isEqualTo(Verdict.RATE_LIMIT);
    }

    @Test
    void evaluate_concurrentCallers_spendExactlyTheCapacity() throws Exception {
        assumeTrue(spendsTokens(), "this policy keeps no rate-limit buckets");
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Verdict>> verdicts = new ArrayList<>();
            for (int i = 0; i < 4 * CAPACITY; i++) {
                verdicts.add(pool.submit(() -> {
                    go.await();
                    return policy.evaluate(REQUEST, HOSTING).verdict();
                }));
            }
            go.countDown();
            int allowed = 0;
            for (Future<Verdict> v : verdicts) {
                allowed += v.get(10, TimeUnit.SECONDS) == Verdict.ALLOW ? 1 : 0;
            }
            assertThat(allowed).isEqualTo(CAPACITY);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rateLimit_refusal_carriesWhatA429Needs() {
        assumeTrue(spendsTokens(), "this policy keeps no rate-limit buckets");
        for (int i = 0; i < CAPACITY; i++) {
            policy.evaluate(REQUEST, HOSTING);
        }
        Decision refused = policy.evaluate(REQUEST, HOSTING);

        assertThat(refused.verdict()).isEqualTo(Verdict.RATE_LIMIT);
        assertThat(refused.response().status()).isEqualTo(429);
        assertThat(refused.response().headers()).containsKey("Retry-After");
    }

    @Test
    void nameAndVersion_areGiven() {
        assertThat(policy.name()).isNotBlank();
        assertThat(policy.version()).isNotBlank();
    }
}
