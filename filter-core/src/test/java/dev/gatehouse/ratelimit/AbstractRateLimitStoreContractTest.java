package dev.gatehouse.ratelimit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every {@link RateLimitStore} passes (local, and Redis in {@code RedisRateLimitStoreIT}): a backend's test
 * extends this class and creates the store on the given nanosecond clock.
 */
public abstract class AbstractRateLimitStoreContractTest {

    protected static final RateLimit FIVE_PER_MINUTE = new RateLimit("five", 5, 5, Duration.ofMinutes(1));

    protected final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    protected RateLimitStore store;

    /** A fresh, empty store whose time is {@code nanoTime}. */
    protected abstract RateLimitStore createStore(java.util.function.LongSupplier nanoTime);

    @BeforeEach
    void createStore() {
        store = createStore(nanos::get);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    protected void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void tryConsume_withinCapacity_allowsAndCountsDown() {
        for (int i = 4; i >= 0; i--) {
            RateLimitResult r = store.tryConsume(FIVE_PER_MINUTE, "k");
            assertThat(r.allowed()).isTrue();
            assertThat(r.remaining()).isEqualTo(i);
            assertThat(r.nanosToRetry()).isZero();
        }
    }

    @Test
    void tryConsume_beyondCapacity_refusesWithRetryAfter() {
        for (int i = 0; i < 5; i++) {
            store.tryConsume(FIVE_PER_MINUTE, "k");
        }
        RateLimitResult r = store.tryConsume(FIVE_PER_MINUTE, "k");
        assertThat(r.allowed()).isFalse();
        assertThat(r.remaining()).isZero();
        assertThat(r.retryAfterSeconds()).isEqualTo(12); // one token per 12 s
        assertThat(r.headers()).containsEntry("Retry-After", "12")
                .containsEntry("RateLimit-Policy", "\"five\";q=5;w=60")
                .containsEntry("RateLimit", "\"five\";r=0;t=60");
    }

    @Test
    void tryConsume_afterRefillPeriod_allowsAgain() {
        for (int i = 0; i < 6; i++) {
            store.tryConsume(FIVE_PER_MINUTE, "k");
        }
        advance(Duration.ofSeconds(12));
        assertThat(store.tryConsume(FIVE_PER_MINUTE, "k").allowed()).isTrue();
        assertThat(store.tryConsume(FIVE_PER_MINUTE, "k").allowed()).isFalse();
    }

    @Test
    void tryConsume_keysAreIndependent() {
        for (int i = 0; i < 5; i++) {
            store.tryConsume(FIVE_PER_MINUTE, "a");
        }
        assertThat(store.tryConsume(FIVE_PER_MINUTE, "a").allowed()).isFalse();
        assertThat(store.tryConsume(FIVE_PER_MINUTE, "b").allowed()).isTrue();
    }

    @Test
    void tryConsume_changedLimitForSameKey_isANewBucket() {
        for (int i = 0; i < 5; i++) {
            store.tryConsume(FIVE_PER_MINUTE, "k");
        }
        RateLimit ten = new RateLimit("five", 10, 10, Duration.ofMinutes(1));
        assertThat(store.tryConsume(ten, "k").remaining()).isEqualTo(9);
    }

    @Test
    void peek_doesNotConsume() {
        store.tryConsume(FIVE_PER_MINUTE, "k");
        RateLimitResult peeked = store.peek(FIVE_PER_MINUTE, "k");
        assertThat(peeked.allowed()).isTrue();
        assertThat(peeked.remaining()).isEqualTo(4);
        assertThat(store.peek(FIVE_PER_MINUTE, "k").remaining()).isEqualTo(4);
    }

    @Test
    void tryConsume_concurrently_neverGrantsMoreThanCapacity() throws Exception {
        RateLimit hundred = new RateLimit("hundred", 100, 1, Duration.ofHours(1));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    int granted = 0;
                    for (int i = 0; i < 100; i++) {
                        if (store.tryConsume(hundred, "shared").allowed()) {
                            granted++;
                        }
                    }
                    return granted;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : futures) {
                total += f.get(30, TimeUnit.SECONDS);
            }
            assertThat(total).isEqualTo(100);
        } finally {
            pool.shutdownNow();
        }
    }
}
