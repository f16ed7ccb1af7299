package dev.gatehouse.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostPortTest {

    @Test
    void parse_ipv4AndPort() {
        HostPort hp = HostPort.parse("10.1.2.3:8080", -1);

        assertThat(hp.host().toString()).isEqualTo("10.1.2.3");
        assertThat(hp.port()).isEqualTo(8080);
        assertThat(hp.toSocketAddress().getPort()).isEqualTo(8080);
    }

    @Test
    void parse_bracketedIpv6() {
        HostPort hp = HostPort.parse("[::1]:9090", -1);

        assertThat(hp.host().version()).isEqualTo(6);
        assertThat(hp).hasToString("[::1]:9090");
    }

    @Test
    void parse_localhostAndStar() {
        assertThat(HostPort.parse("localhost:1", -1).host().toString()).isEqualTo("127.0.0.1");
        assertThat(HostPort.parse("*:80", -1).host().toString()).isEqualTo("0.0.0.0");
    }

    @Test
    void parse_defaultPortWhenLeftOut() {
        assertThat(HostPort.parse("9.9.9.9", 53).port()).isEqualTo(53);
        assertThat(HostPort.parse("2001:db8::1", 53).port()).isEqualTo(53);
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com:80", "10.0.0.1:http", "10.0.0.1:70000", "10.0.0.1", "[::1", "[::1]x", "", "300.1.1.1:80"})
    void parse_invalid_throwsNamingTheInput(String text) {
        assertThatThrownBy(() -> HostPort.parse(text, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(text.isEmpty() ? "HOST:PORT" : text);
    }
}
