package dev.gatehouse.policy;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyEvaluationTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PolicyLoader loader = PolicyLoader.builder().clock(clock).meterRegistry(registry).build();

    private Policy policy(String yaml) {
        return loader.parse(yaml, "<inline>");
    }

    private static IpAddress ip(String text) {
        return IpAddress.parse(text);
    }

    private static RequestFacts request(String ip) {
        return RequestFacts.forIp(ip(ip));
    }

    private static Signals signals(String ip, Object... pairs) {
        Signals.Builder b = Signals.builder(ip(ip));
        for (int i = 0; i < pairs.length; i += 2) {
            b.put((Signal) pairs[i], pairs[i + 1], "embedded:test");
        }
        return b.build();
    }

    private static final String TOR = """
            default: allow
            rules:
              - name: block-tor
                when: {tor: true}
                action: block
            """;

    @Test
    void evaluate_firstMatchWins_andNamesTheRule() {
        Policy p = policy("""
                default: allow
                rules:
                  - name: first
                    when: {tor: true}
                    action: block
                  - name: second
                    when: {tor: true}
                    action: allow
                """);
        Decision d = p.evaluate(request("192.0.2.1"), signals("192.0.2.1", Signal.TOR, true));
        assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
        assertThat(d.rule()).isEqualTo("rule/first");
        assertThat(d.response().status()).isEqualTo(403);
        assertThat(d.response().message()).contains("first");
    }

    @Test
    void evaluate_noRuleMatches_usesDefault() {
        Decision d = policy(TOR).evaluate(request("192.0.2.1"), signals("192.0.2.1"));
        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.rule()).isEqualTo("default/allow");
        assertThat(d.response()).isEqualTo(Decision.Response.PASS);
        assertThat(d.trace()).extracting(Decision.TraceStep::matched).containsExactly(false, true);
    }

    @Test
    void evaluate_combinators() {
        Policy p = policy("""
                default: allow
                rules:
                  - name: r
                    when:
                      all:
                        - any: [{vpn: true}, {proxy: true}]
                        - not: {country: [US, CA]}
                    action: block
                """);
        assertThat(p.evaluate(request("192.0.2.1"), signals("192.0.2.1", Signal.VPN, true, Signal.COUNTRY, "DE")).verdict())
                .isEqualTo(Verdict.BLOCK);
        assertThat(p.evaluate(request("192.0.2.1"), signals("192.0.2.1", Signal.VPN, true, Signal.COUNTRY, "US")).verdict())
                .isEqualTo(Verdict.ALLOW);
        assertThat(p.evaluate(request("192.0.2.1"), signals("192.0.2.1", Signal.COUNTRY, "DE")).verdict())
                .isEqualTo(Verdict.ALLOW);
    }

    @Test
    void evaluate_numericComparisons_absentNeverMatches() {
        Policy p = policy("""
                default: allow
                rules:
                  - name: high
                    when: {threat_score: {gte: 50, lt: 90}}
                    action: block
                  - name: not-zero
                    when: {confidence: "!= 0"}
                    action: block
                """);
        assertThat(p.evaluate(request("192.0.2.1"), signals("192.0.2.1", Signal.THREAT_SCORE, 50)).rule()).isEqualTo("rule/high");
        assertThat(p.evaluate(request("192.0.2.1"), signals("192.0.2.1", Signal.THREAT_SCORE, 90)).rule()).isEqualTo("default/allow");
        assertThat(p.evaluate(request("192.0.2.1"), signals("192.0.2.1")).rule()).isEqualTo("default/allow");
        assertThat(p.evaluate(request("192.0.2.1"), signals("192.0.2.1", Signal.CONFIDENCE, 3)).rule()).isEqualTo("rule/not-zero");
    }

    @Test
    void evaluate_botVerifiedAbsent_isNone() {
        Policy p = policy("""
                default: allow
                rules:
                  - name: plain
                    when: {bot_verified: none}
                    action: block
                """);
        assertThat(p.evaluate(request("192.0.2.1"), signals("192.0.2.1")).rule()).isEqualTo("rule/plain");
        assertThat(p.evaluate(request("192.0.2.1"), signals("192.0.2.1", Signal.BOT_VERIFIED, "verified")).rule())
                .isEqualTo("default/allow");
    }

    @Test
    void evaluate_membershipIsCaseInsensitiveForNames() {
        Policy p = policy("""
                default: allow
                rules:
                  - name: ai
                    when: {bot_name: [GPTBot, ClaudeBot], asn: [64496, 64497]}
                    action: block
                """);
        assertThat(p.evaluate(request("192.0.2.1"), signals("192.0.2.1", Signal.BOT_NAME, "gptbot", Signal.ASN, 64497)).rule())
                .isEqualTo("rule/ai");
        assertThat(p.evaluate(request("192.0.2.1"), signals("192.0.2.1", Signal.BOT_NAME, "GPTBot", Signal.ASN, 1)).rule())
                .isEqualTo("default/allow");
    }

    @Test
    void evaluate_cidrs_ipv4AndIpv6() {
        Policy p = policy("""
                default: allow
                rules:
                  - name: nets
                    when: {ip: [192.0.2.0/24, "2001:db8::/32"]}
                    action: block
                """);
        assertThat(p.evaluate(request("192.0.2.200"), signals("192.0.2.200")).verdict()).isEqualTo(Verdict.BLOCK);
        assertThat(p.evaluate(request("2001:db8:1::5"), signals("2001:db8:1::5")).verdict()).isEqualTo(Verdict.BLOCK);
        assertThat(p.evaluate(request("198.51.100.1"), signals("198.51.100.1")).verdict()).isEqualTo(Verdict.ALLOW);
    }

    @Test
    void evaluate_requestAttributes() {
        Policy p = policy("""
                default: allow
                rules:
                  - name: admin
                    when:
                      request.method: [POST, PUT]
                      request.host: "*.example.com"
                      request.path: /admin/**
                    action: block
                  - name: scanner
                    when:
                      request.user_agent: {regex: "(?i)sqlmap|nikto"}
                    action: block
                  - name: keyless
                    when:
                      request.path: /api/*
                      request.header.X-Api-Key: {present: false}
                    action: block
                  - name: debug
                    when:
                      request.header.X-Debug: "on"
                    action: block
                """);
        IpAddress a = ip("192.0.2.1");
        Signals s = Signals.of(a);
        assertThat(p.evaluate(RequestFacts.builder(a).method("post").host("Shop.Example.com:8443").path("/admin/users/1").build(), s)
                .rule()).isEqualTo("rule/admin");
        assertThat(p.evaluate(RequestFacts.builder(a).method("GET").host("shop.example.com").path("/admin/x").build(), s)
                .rule()).isEqualTo("default/allow");
        assertThat(p.evaluate(RequestFacts.builder(a).userAgent("Mozilla/5.0 SQLMap/1.7").build(), s).rule()).isEqualTo("rule/scanner");
        assertThat(p.evaluate(RequestFacts.builder(a).path("/api/orders").build(), s).rule()).isEqualTo("rule/keyless");
        assertThat(p.evaluate(RequestFacts.builder(a).path("/api/orders/7").build(), s).rule())
                .as("a single * stays within one path segment").isEqualTo("default/allow");
        assertThat(p.evaluate(RequestFacts.builder(a).path("/api/orders").header("x-api-key", "k").build(), s).rule())
                .isEqualTo("default/allow");
        assertThat(p.evaluate(RequestFacts.builder(a).header("X-Debug", "on").build(), s).rule()).isEqualTo("rule/debug");
    }

    @Test
    void evaluate_regexOnHostileInput_isLinearTime() {
        Policy p = policy("""
                default: allow
                rules:
                  - name: evil
                    when:
                      request.user_agent: {regex: "^(a+)+$"}
                    action: block
                """);
        // catastrophic for a backtracking engine; RE2 answers at once
        String ua = "a".repeat(50_000) + "!";
        Decision d = p.evaluate(RequestFacts.builder(ip("192.0.2.1")).userAgent(ua).build(), Signals.of(ip("192.0.2.1")));
        assertThat(d.rule()).isEqualTo("default/allow");
    }

    @Test
    void evaluate_blockWithStatusMessageTemplateAndHeaders() {
        Policy p = policy("""
                default: allow
                rules:
                  - name: geo
                    when: {country: KP}
                    action: block
                    status: 451
                    message: "Not available in {country} for {ip} ({rule}, {status})"
                    headers: {X-Reason: geo}
                """);
        Decision d = p.evaluate(request("192.0.2.9"), signals("192.0.2.9", Signal.COUNTRY, "KP"));
        assertThat(d.response().status()).isEqualTo(451);
        assertThat(d.response().message()).isEqualTo("Not available in KP for 192.0.2.9 (geo, 451)");
        assertThat(d.response().headers()).containsEntry("X-Reason", "geo");
    }

    private static final String LIMITED = """
            default: allow
            limits:
              two:
                capacity: 2
                refill: 1
                period: 10s
                key: ip_prefix
            rules:
              - name: hosting
                when: {hosting: true}
                action: rate_limit
                limit: two
            """;

    @Test
    void evaluate_rateLimit_allowsWithQuotaThen429WithHeaders() {
        Policy p = policy(LIMITED);
        Signals s = signals("192.0.2.1", Signal.HOSTING, true);
        Decision first = p.evaluate(request("192.0.2.1"), s);
        assertThat(first.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(first.rule()).isEqualTo("rule/hosting");
        assertThat(first.response().headers()).containsEntry("RateLimit", "\"two\";r=1;t=10");
        p.evaluate(request("192.0.2.1"), s);
        Decision third = p.evaluate(request("192.0.2.1"), s);
        assertThat(third.verdict()).isEqualTo(Verdict.RATE_LIMIT);
        assertThat(third.response().status()).isEqualTo(429);
        assertThat(third.response().headers()).containsEntry("Retry-After", "10")
                .containsEntry("RateLimit-Policy", "\"two\";q=2;w=20");
    }

    @Test
    void evaluate_rateLimit_keyedByPrefix_andRefillsWithTheClock() {
        Policy p = policy(LIMITED);
        for (int i = 0; i < 2; i++) {
            p.evaluate(request("192.0.2.1"), signals("192.0.2.1", Signal.HOSTING, true));
        }
        assertThat(p.evaluate(request("192.0.2.77"), signals("192.0.2.77", Signal.HOSTING, true)).verdict())
                .as("same /24, same bucket").isEqualTo(Verdict.RATE_LIMIT);
        assertThat(p.evaluate(request("192.0.3.1"), signals("192.0.3.1", Signal.HOSTING, true)).verdict())
                .as("another /24").isEqualTo(Verdict.ALLOW);
        clock.advance(Duration.ofSeconds(10));
        assertThat(p.evaluate(request("192.0.2.1"), signals("192.0.2.1", Signal.HOSTING, true)).verdict()).isEqualTo(Verdict.ALLOW);
    }

    @Test
    void evaluate_rateLimit_onExceedBlock() {
        Policy p = policy(LIMITED.replace("key: ip_prefix", "key: ip\n    on_exceed: block"));
        Signals s = signals("192.0.2.1", Signal.HOSTING, true);
        p.evaluate(request("192.0.2.1"), s);
        p.evaluate(request("192.0.2.1"), s);
        Decision d = p.evaluate(request("192.0.2.1"), s);
        assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
        assertThat(d.response().status()).isEqualTo(403);
        assertThat(d.response().headers()).containsKey("Retry-After");
    }

    @Test
    void evaluate_reloadWithSameLoader_keepsBuckets() {
        Signals s = signals("192.0.2.1", Signal.HOSTING, true);
        Policy before = policy(LIMITED);
        before.evaluate(request("192.0.2.1"), s);
        before.evaluate(request("192.0.2.1"), s);
        Policy after = policy(LIMITED + "\n# an edited comment\n");
        assertThat(after.version()).isNotEqualTo(before.version());
        assertThat(after.evaluate(request("192.0.2.1"), s).verdict()).isEqualTo(Verdict.RATE_LIMIT);
    }

    @Test
    void evaluate_shadowRule_allowsAndRecordsAndCounts() {
        Policy p = policy(TOR.replace("action: block", "action: block\n    shadow: true"));
        Decision d = p.evaluate(request("192.0.2.1"), signals("192.0.2.1", Signal.TOR, true));
        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.shadowed()).isEqualTo(Verdict.BLOCK);
        assertThat(d.rule()).isEqualTo("rule/block-tor");
        assertThat(d.response()).isEqualTo(Decision.Response.PASS);
        assertThat(registry.counter("gatehouse.policy.shadowed", "rule", "rule/block-tor", "verdict", "block").count()).isEqualTo(1);
    }

    @Test
    void evaluate_shadowMode_appliesToEveryRuleAndTheDefault() {
        Policy p = policy("""
                mode: shadow
                default: block
                rules:
                  - name: ok
                    when: {country: NL}
                    action: allow
                """);
        Decision d = p.evaluate(request("192.0.2.1"), signals("192.0.2.1"));
        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.shadowed()).isEqualTo(Verdict.BLOCK);
        assertThat(d.rule()).isEqualTo("default/block");
        Decision nl = p.evaluate(request("192.0.2.1"), signals("192.0.2.1", Signal.COUNTRY, "NL"));
        assertThat(nl.shadowed()).isNull();
    }

    @Test
    void explain_traceShowsEachRuleWithValuesAndSources() {
        Policy p = policy("""
                default: allow
                rules:
                  - name: attackers
                    when: {attacker: true}
                    action: block
                  - name: scores
                    when: {threat_score: ">= 70"}
                    action: block
                  - name: tor
                    when: {all: [{tor: true}, {country: [DE]}]}
                    action: block
                """);
        Decision d = p.explain(request("192.0.2.1"), signals("192.0.2.1", Signal.TOR, true, Signal.THREAT_SCORE, 40,
                Signal.COUNTRY, "DE"));
        assertThat(d.rule()).isEqualTo("rule/tor");
        assertThat(d.trace()).extracting(Decision.TraceStep::rule).containsExactly("attackers", "scores", "tor");
        assertThat(d.trace().get(0).detail()).isEqualTo("attacker: true → absent, so false");
        assertThat(d.trace().get(1).detail()).isEqualTo("threat_score >= 70 → was 40 (embedded:test)");
        assertThat(d.trace().get(2).matched()).isTrue();
        assertThat(d.trace().get(2).detail()).contains("tor: true → was true (embedded:test)").contains("country: DE → was DE");
    }

    @Test
    void explain_doesNotSpendRateLimitTokens() {
        Policy p = policy(LIMITED);
        Signals s = signals("192.0.2.1", Signal.HOSTING, true);
        for (int i = 0; i < 5; i++) {
            Decision d = p.explain(request("192.0.2.1"), s);
            assertThat(d.trace().get(0).detail()).contains("2 of 2 left");
        }
        assertThat(p.evaluate(request("192.0.2.1"), s).verdict()).isEqualTo(Verdict.ALLOW);
    }

    @Test
    void evaluate_fastTrace_isPreparedOnceAndShared() {
        Policy p = policy(TOR);
        Decision a = p.evaluate(request("192.0.2.1"), signals("192.0.2.1", Signal.TOR, true));
        Decision b = p.evaluate(request("192.0.2.2"), signals("192.0.2.2", Signal.TOR, true));
        assertThat(a.trace()).isSameAs(b.trace());
        assertThat(a.response()).isSameAs(b.response());
        assertThat(a.trace().get(0).detail()).isEqualTo("tor: true");
    }

    @Test
    void version_isShortSha256OfTheSource() {
        assertThat(policy(TOR).version()).matches("[0-9a-f]{12}").isEqualTo(policy(TOR).version());
        assertThat(policy(TOR + "\n").version()).isNotEqualTo(policy(TOR).version());
    }
}
