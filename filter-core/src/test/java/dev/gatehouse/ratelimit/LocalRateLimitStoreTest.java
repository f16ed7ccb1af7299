package dev.gatehouse.ratelimit;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalRateLimitStoreTest extends AbstractRateLimitStoreContractTest {

    @Override
    protected RateLimitStore createStore(LongSupplier nanoTime) {
        return LocalRateLimitStore.builder().maximumBuckets(1_000).nanoTime(nanoTime).build();
    }

    @Test
    void size_floodOfRandomKeys_staysBounded() {
        for (int i = 0; i < 20_000; i++) {
            store.tryConsume(FIVE_PER_MINUTE, "ip:" + i);
        }
        assertThat(store.size()).isLessThanOrEqualTo(1_000);
    }

    /**
     * The bug the flood test found: an attacker that spent its budget, then paused while a flood of
     * one-request addresses passed, came back to a fresh bucket (Caffeine evicted it as the coldest; it
     * does not count frequencies before the cache is half full).
     */
    @Test
    void tryConsume_spentBucket_survivesAFloodOfOneRequestKeys() {
        for (int i = 0; i < 6; i++) {
            store.tryConsume(FIVE_PER_MINUTE, "ip:attacker");
        }
        for (int i = 0; i < 50_000; i++) {
            store.tryConsume(FIVE_PER_MINUTE, "ip:" + i);
        }
        assertThat(store.tryConsume(FIVE_PER_MINUTE, "ip:attacker").allowed()).isFalse();
        assertThat(store.peek(FIVE_PER_MINUTE, "ip:attacker").allowed()).isFalse();
        assertThat(store.size()).isLessThanOrEqualTo(1_000);
    }

    @Test
    void tryConsume_bucketMoreThanHalfSpent_isKeptInTheSpentTier_oneRequestKeysAreNot() {
        LocalRateLimitStore local = (LocalRateLimitStore) store;
        store.tryConsume(FIVE_PER_MINUTE, "ip:once");
        store.tryConsume(FIVE_PER_MINUTE, "ip:twice");
        store.tryConsume(FIVE_PER_MINUTE, "ip:twice");
        assertThat(local.spentSize()).isZero();
        store.tryConsume(FIVE_PER_MINUTE, "ip:twice"); // 2 of 5 left: more than half spent
        assertThat(local.spentSize()).isEqualTo(1);
        advance(Duration.ofSeconds(61)); // refilled completely: a fresh bucket is identical, so it may go
        assertThat(store.size()).isZero();
    }

    @Test
    void size_idleBucketsExpireOnceFullyRefilled() {
        store.tryConsume(FIVE_PER_MINUTE, "a");
        store.tryConsume(FIVE_PER_MINUTE, "b");
        assertThat(store.size()).isEqualTo(2);
        advance(Duration.ofSeconds(61));
        assertThat(store.size()).isZero();
    }

    @Test
    void builder_rejectsNonPositiveBound() {
        assertThatThrownBy(() -> LocalRateLimitStore.builder().maximumBuckets(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maximumBuckets").hasMessageContaining("0");
    }

    @Test
    void rateLimit_rejectsBadShapes() {
        assertThatThrownBy(() -> new RateLimit("x", 0, 1, Duration.ofSeconds(1))).hasMessageContaining("capacity");
        assertThatThrownBy(() -> new RateLimit("x", 1, 0, Duration.ofSeconds(1))).hasMessageContaining("refill");
        assertThatThrownBy(() -> new RateLimit("x", 1, 1, Duration.ZERO)).hasMessageContaining("period");
        assertThatThrownBy(() -> new RateLimit("a b", 1, 1, Duration.ofSeconds(1))).hasMessageContaining("name");
    }

    @Test
    void policyHeader_windowIsTimeToRefillCompletely() {
        assertThat(new RateLimit("burst", 600, 10, Duration.ofSeconds(1)).policyHeader()).isEqualTo("\"burst\";q=600;w=60");
    }
}
