package dev.gatehouse.crawler;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the User-Agent classifier (Jazzer). Saved inputs live under
 * {@code src/test/resources/dev/gatehouse/crawler/UserAgentClassifierFuzzTestInputs/<method>/}; see
 * docs/reliability.md, "Fuzzing", for the fuzzing command.
 */
class UserAgentClassifierFuzzTest {

    /** Generous even on a loaded CI machine; a classification takes microseconds (one automaton pass, RE2/J confirms). */
    private static final long BOUND_NANOS = 2_000_000_000L;

    private static final UserAgentClassifier CACHED = UserAgentClassifier.loadDefault();
    private static final UserAgentClassifier UNCACHED = UserAgentClassifier.builder().cacheSize(0).build();

    /**
     * Any User-Agent: classification never throws, gives a named claim of a known category or nothing,
     * does not depend on the cache, looks only at the first {@value UserAgentClassifier#MAX_EXAMINED_LENGTH}
     * characters, and stays within a time bound even for the text repeated to that length.
     */
    @FuzzTest
    @Timeout(10) // a hang is a finding: fuzzing reports an input slower than this (libFuzzer -timeout)
    void classify_anyUserAgent_neverThrowsAndIsBounded(byte[] input) {
        String ua = new String(input, StandardCharsets.UTF_8);

        Optional<UserAgentClassifier.BotClaim> claim = UNCACHED.classify(ua);

        claim.ifPresent(c -> {
            assertThat(c.name()).isNotBlank();
            assertThat(c.category()).isNotNull(); // a BotCategory: the design contract's categories and no other
        });
        assertThat(CACHED.classify(ua)).isEqualTo(claim);
        if (ua.isEmpty()) {
            return;
        }
        String repeated = ua.repeat(UserAgentClassifier.MAX_EXAMINED_LENGTH / ua.length() + 2);
        long start = System.nanoTime();
        Optional<UserAgentClassifier.BotClaim> long1 = UNCACHED.classify(repeated);
        long elapsed = System.nanoTime() - start;
        assertThat(elapsed).as("nanos to classify %s characters", repeated.length()).isLessThan(BOUND_NANOS);
        assertThat(UNCACHED.classify(repeated.substring(0, UserAgentClassifier.MAX_EXAMINED_LENGTH))).isEqualTo(long1);
    }
}
