package dev.gatehouse.policy;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.Cidr;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 9 item 14: an IPv6 client holds a whole /64 and can rotate through it, so "one client" must be a
 * prefix. {@code ip_prefix: {v4: 32, v6: 64}} keys an IPv4 client by its address and an IPv6 client by its /64.
 */
class IpPrefixKeyTest {

    private static final int ROTATIONS = 80;

    private final PolicyLoader loader = PolicyLoader.builder().clock(new MutableClock(Instant.parse("2026-11-30T10:00:00Z")))
            .meterRegistry(new SimpleMeterRegistry()).build();

    private static String policy(String keyLines) {
        return """
                default: allow
                limits:
                  per-client:
                    capacity: 60
                    period: 1m
                %s
                rules:
                  - name: hosting
                    when: {hosting: true}
                    action: rate_limit
                    limit: per-client
                """.formatted(keyLines.indent(4).stripTrailing());
    }

    private static final String CLIENT = policy("key: ip_prefix\nip_prefix: {v4: 32, v6: 64}");

    /** Sends {@code count} requests, each from the next address spread over {@code cidr}; returns the verdicts. */
    private List<Verdict> rotate(Policy policy, String cidr, int count) {
        Set<IpAddress> used = new HashSet<>();
        List<Verdict> verdicts = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            IpAddress ip = PolicyTestFile.Case.address(Cidr.parse(cidr), i, count);
            assertThat(Cidr.parse(cidr).contains(ip)).isTrue();
            used.add(ip);
            Decision d = policy.evaluate(RequestFacts.forIp(ip), Signals.builder(ip).put(Signal.HOSTING, true, "test").build());
            verdicts.add(d.verdict());
        }
        assertThat(used).as("every request from another address").hasSize(count);
        return verdicts;
    }

    @Test
    void ipPrefix_v6Of64_eightyAddressesOfOneSlash64_areOneClient() {
        List<Verdict> verdicts = rotate(loader.parse(CLIENT, "<test>"), "2001:db8:1:2::/64", ROTATIONS);
        assertThat(verdicts.subList(0, 60)).containsOnly(Verdict.ALLOW);
        assertThat(verdicts.subList(60, ROTATIONS)).containsOnly(Verdict.RATE_LIMIT);
    }

    @Test
    void keyIp_eightyAddressesOfOneSlash64_passAsEightyClients() {
        // why the shipped policies no longer say key: ip — this is the rotation the issue reproduced
        List<Verdict> verdicts = rotate(loader.parse(policy("key: ip"), "<test>"), "2001:db8:1:2::/64", ROTATIONS);
        assertThat(verdicts).containsOnly(Verdict.ALLOW);
    }

    @Test
    void ipPrefix_v6Of64_eightyDifferentSlash64sOfOneSlash48_areEightyClients() {
        // A /48 is a site's or a provider's allocation: its /64s are often different customers (one per VM
        // at a hosting provider), so a /64 stays one client and a /48 is not merged by default.
        List<Verdict> verdicts = rotate(loader.parse(CLIENT, "<test>"), "2001:db8:1::/48", ROTATIONS);
        assertThat(verdicts).containsOnly(Verdict.ALLOW);
    }

    @Test
    void ipPrefix_v6Of48_eightyDifferentSlash64sOfOneSlash48_areOneClient() {
        // a policy that distrusts whole sites says so
        Policy p = loader.parse(policy("key: ip_prefix\nip_prefix: {v4: 24, v6: 48}"), "<test>");
        List<Verdict> verdicts = rotate(p, "2001:db8:1::/48", ROTATIONS);
        assertThat(verdicts.subList(0, 60)).containsOnly(Verdict.ALLOW);
        assertThat(verdicts.subList(60, ROTATIONS)).containsOnly(Verdict.RATE_LIMIT);
    }

    @Test
    void ipPrefix_v4Of32_eightyIpv4Addresses_areEightyClients() {
        assertThat(rotate(loader.parse(CLIENT, "<test>"), "198.51.100.0/24", ROTATIONS)).containsOnly(Verdict.ALLOW);
    }

    @Test
    void ipPrefix_onlyOneFamilyGiven_theOtherKeepsItsDefault() {
        Policy p = loader.parse(policy("key: ip_prefix\nip_prefix: {v6: 56}"), "<test>");
        List<Verdict> v4 = rotate(p, "198.51.100.0/24", ROTATIONS);
        assertThat(v4.subList(60, ROTATIONS)).as("IPv4 still /24").containsOnly(Verdict.RATE_LIMIT);
        List<Verdict> v6 = rotate(p, "2001:db8:1:200::/56", ROTATIONS);
        assertThat(v6.subList(60, ROTATIONS)).containsOnly(Verdict.RATE_LIMIT);
    }

    @Test
    void ipPrefix_olderSpelling_isStillAccepted() {
        List<Verdict> verdicts = rotate(loader.parse(policy("key: ip_prefix\nipv4_prefix: 32\nipv6_prefix: 64"), "<test>"),
                "2001:db8:1:2::/64", ROTATIONS);
        assertThat(verdicts.subList(60, ROTATIONS)).containsOnly(Verdict.RATE_LIMIT);
    }

    @Test
    void ipPrefix_mistakes_areReportedWithTheirPath() {
        assertThatThrownBy(() -> loader.parse(policy("key: ip_prefix\nip_prefix: {v4: 33, v5: 64}"), "<test>"))
                .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.problems())
                        .extracting(PolicyProblem::message)
                        .anySatisfy(m -> assertThat(m).startsWith("limits.per-client.ip_prefix.v4: ").contains("0..32, was 33"))
                        .anySatisfy(m -> assertThat(m).contains("v5").contains("did you mean 'v4'")));
        assertThatThrownBy(() -> loader.parse(policy("key: ip_prefix\nip_prefix: {}"), "<test>"))
                .hasMessageContaining("ip_prefix needs a length for v4, v6 or both");
        assertThatThrownBy(() -> loader.parse(policy("key: ip_prefix\nip_prefix: {v6: 64}\nipv6_prefix: 64"), "<test>"))
                .hasMessageContaining("'ipv6_prefix' is the older spelling of ip_prefix: {v6: …}");
        assertThatThrownBy(() -> loader.parse(policy("key: ip\nip_prefix: {v4: 32, v6: 64}"), "<test>"))
                .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.problems()).singleElement().satisfies(p -> {
                    assertThat(p.kind()).isEqualTo(PolicyProblem.Kind.BAD_VALUE);
                    assertThat(p.message()).contains("apply only to the key part ip_prefix");
                }));
    }

    @Test
    void rotateAddress_spreadsEvenlyOverThePrefix() {
        Cidr slash48 = Cidr.parse("2001:db8:1::/48");
        Set<Cidr> slash64s = new HashSet<>();
        for (int i = 0; i < ROTATIONS; i++) {
            slash64s.add(Cidr.of(PolicyTestFile.Case.address(slash48, i, ROTATIONS), 64));
        }
        assertThat(slash64s).as("each address in its own /64").hasSize(ROTATIONS);
        assertThat(PolicyTestFile.Case.address(Cidr.parse("192.0.2.0/24"), 1, 2)).isEqualTo(IpAddress.parse("192.0.2.128"));
        assertThat(PolicyTestFile.Case.address(Cidr.parse("255.255.255.0/24"), 3, 4)).isEqualTo(IpAddress.parse("255.255.255.192"));
    }
}
