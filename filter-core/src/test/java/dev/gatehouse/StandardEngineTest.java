package dev.gatehouse;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class StandardEngineTest {

    @Test
    void verifierTimeout_isSixtyPercentOfTheBudget() {
        assertThat(StandardEngine.verifierTimeout(Duration.ofMillis(50))).isEqualTo(Duration.ofMillis(30));
        assertThat(StandardEngine.verifierTimeout(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void verifierTimeout_tinyBudget_staysPositive() {
        assertThat(StandardEngine.verifierTimeout(Duration.ofNanos(1))).isPositive();
    }
}
