package dev.gatehouse.enforcement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RequestIdTest {

    @Test
    void resolve_untrustedPeer_isAlwaysReplaced() {
        assertThat(RequestId.resolve("abc-123", false)).isNotEqualTo("abc-123").hasSize(26);
    }

    @Test
    void resolve_trustedPeerWithAValidId_isKept() {
        assertThat(RequestId.resolve("abc-123", true)).isEqualTo("abc-123");
        assertThat(RequestId.resolve("x".repeat(128), true)).hasSize(128);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "cr\rlf\n", "tab\t", "nul\u0000", "del\u007f", "caf\u00e9", "line\u2028sep"})
    void resolve_trustedPeerWithAnUnsafeId_isReplaced(String sent) {
        assertThat(RequestId.resolve(sent, true)).isNotEqualTo(sent).hasSize(26);
    }

    @Test
    void resolve_trustedPeerWithATooLongId_isReplaced() {
        assertThat(RequestId.resolve("x".repeat(129), true)).hasSize(26);
        assertThat(RequestId.resolve(null, true)).hasSize(26);
    }

    @Test
    void generate_isUniqueAndTimeOrdered() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            assertThat(ids.add(RequestId.generate())).isTrue();
        }
        Random random = new Random(1);
        String earlier = RequestId.generate(1_700_000_000_000L, random);
        String later = RequestId.generate(1_700_000_000_001L, random);
        assertThat(earlier).matches("[0-9a-hjkmnp-tv-z]{26}").isLessThan(later);
        assertThat(RequestId.isValid(earlier)).isTrue();
    }
}
