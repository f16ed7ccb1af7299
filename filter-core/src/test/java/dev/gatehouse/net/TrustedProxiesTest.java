package dev.gatehouse.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrustedProxiesTest {

    private static IpAddress ip(String s) {
        return IpAddress.parse(s);
    }

    @Test
    void none_trustsNobody() {
        assertThat(TrustedProxies.none().isTrusted(ip("127.0.0.1"))).isFalse();
        assertThat(TrustedProxies.none()).hasToString("TrustedProxies[none]");
    }

    @Test
    void loopback_trustsLoopbackOnly() {
        TrustedProxies t = TrustedProxies.loopback();
        assertThat(t.isTrusted(ip("127.0.0.1"))).isTrue();
        assertThat(t.isTrusted(ip("127.255.0.9"))).isTrue();
        assertThat(t.isTrusted(ip("::1"))).isTrue();
        assertThat(t.isTrusted(ip("::ffff:127.0.0.1"))).isTrue();
        assertThat(t.isTrusted(ip("128.0.0.1"))).isFalse();
        assertThat(t.isTrusted(ip("::2"))).isFalse();
    }

    @Test
    void privateNetworks_trustsRfc1918AndUla() {
        TrustedProxies t = TrustedProxies.privateNetworks();
        assertThat(t.isTrusted(ip("10.1.2.3"))).isTrue();
        assertThat(t.isTrusted(ip("172.31.255.255"))).isTrue();
        assertThat(t.isTrusted(ip("172.32.0.0"))).isFalse();
        assertThat(t.isTrusted(ip("192.168.0.1"))).isTrue();
        assertThat(t.isTrusted(ip("fd00::1"))).isTrue();
        assertThat(t.isTrusted(ip("127.0.0.1"))).isFalse();
        assertThat(t.isTrusted(ip("8.8.8.8"))).isFalse();
    }

    @Test
    void parse_cidrsAddressesAndNamedSets() {
        TrustedProxies t = TrustedProxies.parse(Arrays.asList(" 203.0.113.0/24 ", "2001:db8::7", "LOOPBACK", "", null, "none"));
        assertThat(t.isTrusted(ip("203.0.113.200"))).isTrue();
        assertThat(t.isTrusted(ip("2001:db8::7"))).isTrue();
        assertThat(t.isTrusted(ip("2001:db8::8"))).isFalse();
        assertThat(t.isTrusted(ip("127.0.0.1"))).isTrue();
        assertThat(t.isTrusted(ip("10.0.0.1"))).isFalse();
        assertThat(TrustedProxies.parse(List.of("private")).isTrusted(ip("10.0.0.1"))).isTrue();
    }

    @Test
    void parse_badEntries_listsEveryProblemWithPosition() {
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/8", "10.0.0.1/8", "proxy.internal", "300.0.0.0/8")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trusted proxy #2").hasMessageContaining("did you mean 10.0.0.0/8?")
                .hasMessageContaining("trusted proxy #3").hasMessageContaining("hostnames are not accepted")
                .hasMessageContaining("trusted proxy #4").hasMessageContaining("over 255");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "*", "0.0.0.0/33", "fe80::1%eth0", "10.0.0.0/8,10.1.0.0/16"})
    void parse_invalidEntry_isRejected(String entry) {
        assertThatThrownBy(() -> TrustedProxies.parse(List.of(entry))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("trusted proxy #1: ");
    }

    @Test
    void or_trustsEither() {
        TrustedProxies t = TrustedProxies.loopback().or(TrustedProxies.from(List.of(Cidr.parse("192.0.2.0/24"))));
        assertThat(t.isTrusted(ip("127.0.0.1"))).isTrue();
        assertThat(t.isTrusted(ip("192.0.2.1"))).isTrue();
        assertThat(t.isTrusted(ip("192.0.3.1"))).isFalse();
        assertThat(t.toString()).contains("127.0.0.0/8").contains("192.0.2.0/24");
    }
}
