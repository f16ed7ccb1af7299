package dev.gatehouse.policy;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signals;
import dev.gatehouse.crawler.UserAgentClassifier;
import dev.gatehouse.net.IpAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Regular-expression denial of service: patterns that take exponential time in a backtracking engine
 * ({@code java.util.regex}) against the inputs that trigger it. Policy regexes are compiled with RE2/J,
 * whose matching is linear in the input, and the User-Agent classifier reads a bounded prefix through one
 * automaton pass; so each case here completes. No timing is asserted (a loaded CI machine would make it
 * flaky): a backtracking engine would not finish these inputs within the test run at all, and surefire's
 * timeout would end it. docs/reliability.md, "Security tests".
 */
class ReDoSTest {

    private static final IpAddress IP = IpAddress.parse("203.0.113.9");

    @ParameterizedTest
    @ValueSource(strings = {"(a+)+$", "(a|a)*$", "(a|aa)+$", "(.*a){20}$", "^(([a-z])+.)+[A-Z]([a-z])+$", "(\\\\w+\\\\s?)*$"})
    void policyRegex_pathologicalPatternAndInput_completes(String pattern) {
        Policy policy = PolicyLoader.builder().meterRegistry(new SimpleMeterRegistry()).build().parse("""
                default: allow
                rules:
                  - name: evil-regex
                    when:
                      any:
                        - request.user_agent: {regex: "%s"}
                        - request.path: {regex: "%s"}
                        - request.header.X-Probe: {regex: "%s"}
                    action: block
                """.formatted(pattern, pattern, pattern), "<inline>");
        String attack = "a".repeat(50_000) + "!";

        Decision decision = policy.evaluate(RequestFacts.builder(IP).userAgent(attack).path("/" + attack).header("X-Probe", attack)
                .build(), Signals.of(IP));

        assertThat(decision).isNotNull(); // it finished: that is the assertion
    }

    @Test
    void userAgentClassifier_pathologicalUserAgents_complete() {
        UserAgentClassifier classifier = UserAgentClassifier.builder().cacheSize(0).build();
        for (String ua : new String[]{"Mozilla/5.0 (" .repeat(20_000), "bot".repeat(50_000), "Googlebot/".repeat(30_000) + "!",
                "a".repeat(200_000) + "bot!", "(((((((((((".repeat(10_000), "compatible; ".repeat(20_000)}) {
            assertThat(classifier.classify(ua)).isNotNull();
        }
    }
}
