package dev.gatehouse.testing;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServicesTest {

    @Test
    void require_availableService_passes() {
        assertThatCode(() -> Services.require(true, "anything")).doesNotThrowAnyException();
    }

    @Test
    void require_missingService_skipsLocallyAndFailsWhenCiRequiresServices() {
        Class<? extends Throwable> expected = Services.required() ? AssertionFailedError.class : TestAbortedException.class;
        assertThatThrownBy(() -> Services.require(false, "Redis at 127.0.0.1:1"))
                .isInstanceOf(expected)
                .hasMessageContaining("Redis at 127.0.0.1:1")
                .hasMessageContaining(Services.REQUIRE_ENV);
    }

    @Test
    void redisAnswers_somethingThatIsNotRedis_isFalse() throws IOException {
        try (ServerSocket silent = new ServerSocket(0)) {
            // accepts (the backlog) but never answers PING
            org.assertj.core.api.Assertions.assertThat(Services.redisAnswers("127.0.0.1", silent.getLocalPort())).isFalse();
        }
    }
}
