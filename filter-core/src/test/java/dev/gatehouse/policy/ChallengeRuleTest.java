package dev.gatehouse.policy;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.IpAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code action: challenge} in the policy language: its keys, its decision, shadow mode and explain. */
class ChallengeRuleTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PolicyLoader loader = PolicyLoader.builder().meterRegistry(registry).build();

    private static final String POLICY = """
            rules:
              - name: passed
                when: {challenge_passed: true}
                action: allow
              - name: hosting
                when: {hosting: true}
                action: challenge
                difficulty: 20
                fallback: rate_limit
              - name: vpn
                when: {vpn: true}
                action: challenge
                shadow: true
            default: challenge
            """;

    private static final IpAddress IP = IpAddress.parse("203.0.113.7");

    private Decision decide(Signal flag) {
        Signals.Builder b = Signals.builder(IP);
        if (flag != null) {
            b.put(flag, Boolean.TRUE, "test");
        }
        return loader.parse(POLICY, "p.yaml").evaluate(RequestFacts.forIp(IP), b.build());
    }

    @Test
    void evaluate_challengeRule_carriesDifficultyFallbackAndItsStatus() {
        Decision d = decide(Signal.HOSTING);
        assertThat(d.verdict()).isEqualTo(Verdict.CHALLENGE);
        assertThat(d.rule()).isEqualTo("rule/hosting");
        assertThat(d.response().challenge()).isEqualTo(new Decision.Challenge(20, Verdict.RATE_LIMIT));
        assertThat(d.response().status()).isEqualTo(429);
        assertThat(d.response().message()).contains("browser check");
    }

    @Test
    void evaluate_defaultChallenge_usesTheConfiguredDifficultyAndBlocksAsFallback() {
        Decision d = decide(null);
        assertThat(d.verdict()).isEqualTo(Verdict.CHALLENGE);
        assertThat(d.rule()).isEqualTo("default/challenge");
        assertThat(d.response().challenge()).isEqualTo(new Decision.Challenge(0, Verdict.BLOCK));
        assertThat(d.response().status()).isEqualTo(403);
    }

    @Test
    void evaluate_challengePassed_letsALaterRuleRelax() {
        Decision d = decide(Signal.CHALLENGE_PASSED);
        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.rule()).isEqualTo("rule/passed");
    }

    @Test
    void evaluate_shadowedChallenge_allowsAndCountsWouldHaveChallenged() {
        Decision d = decide(Signal.VPN);
        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.shadowed()).isEqualTo(Verdict.CHALLENGE);
        assertThat(registry.get("gatehouse.policy.shadowed").tag("verdict", "challenge").counter().count()).isEqualTo(1);
    }

    @Test
    void explain_challenge_saysHowItIsServed() {
        Decision d = loader.parse(POLICY, "p.yaml").explain(RequestFacts.forIp(IP),
                Signals.builder(IP).put(Signal.HOSTING, Boolean.TRUE, "test").build());
        assertThat(d.trace()).last().satisfies(step -> assertThat(step.detail())
                .contains("challenge at difficulty 20, fallback rate_limit").contains("not to verified crawlers"));
    }

    @Test
    void parse_unknownAction_suggestsChallenge() {
        assertThatThrownBy(() -> loader.parse("default: chalenge\n", "p.yaml")).isInstanceOf(PolicyException.class)
                .hasMessageContaining("did you mean 'challenge'");
    }
}
