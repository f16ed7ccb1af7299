package dev.gatehouse.proxy;

import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ListenerSettingsTest {

    private static final HostPort TLS = HostPort.parse("127.0.0.1:8443", -1);

    @Test
    void defaults_plainHttpWithH2c_noTls_noProxyProtocol_20sDrain() {
        ListenerSettings d = ListenerSettings.DEFAULTS;

        assertThat(d.listen()).isEqualTo(HostPort.parse("127.0.0.1:8080", -1));
        assertThat(d.tls()).isNull();
        assertThat(d.http2()).isTrue();
        assertThat(d.h2c()).isTrue();
        assertThat(d.redirectToHttps()).isFalse();
        assertThat(d.proxyProtocol().enabled()).isFalse();
        assertThat(d.shutdownTimeout()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void tls_pemAndKeystoreTogether_isAConflict() {
        assertThatThrownBy(() -> new ListenerSettings.Tls(TLS, Path.of("a.pem"), Path.of("k.pem"), Path.of("ks.p12"), null, true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("tls: give either certificate + private-key (PEM) or keystore, not both");
    }

    @Test
    void tls_certificateWithoutKey_namesTheMissingKey() {
        assertThatThrownBy(() -> new ListenerSettings.Tls(TLS, Path.of("a.pem"), null, null, null, true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("tls: private-key is missing (PEM needs both certificate and private-key)");
        assertThatThrownBy(() -> new ListenerSettings.Tls(TLS, null, null, null, null, true))
                .hasMessage("tls: needs certificate + private-key (PEM files) or keystore");
    }

    @Test
    void tls_passwordVariableWithoutKeystore_isAConflict() {
        assertThatThrownBy(() -> new ListenerSettings.Tls(TLS, Path.of("a.pem"), Path.of("k.pem"), null, "PW", true))
                .hasMessage("tls.keystore-password-env is only for a keystore");
    }

    @Test
    void tls_onThePlainListenersAddress_isRefused() {
        ListenerSettings.Builder b = ListenerSettings.builder().listen(TLS)
                .tls(ListenerSettings.Tls.pem(TLS, Path.of("a.pem"), Path.of("k.pem"), true));

        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
                .hasMessage("tls.listen must differ from listen, both were 127.0.0.1:8443");
    }

    @Test
    void shutdownTimeout_negative_isRefused_zeroIsAllowed() {
        assertThatThrownBy(() -> ListenerSettings.builder().shutdownTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shutdown-timeout must not be negative, was PT-1S");
        assertThat(ListenerSettings.builder().shutdownTimeout(Duration.ZERO).build().shutdownTimeout()).isZero();
    }

    @Test
    void proxyProtocol_trustsOnlyTheListedBalancers() {
        ListenerSettings.ProxyProtocol pp = ListenerSettings.ProxyProtocol.trusting(List.of("10.0.0.0/8", "192.0.2.7"));

        assertThat(pp.enabled()).isTrue();
        assertThat(pp.trusted().isTrusted(IpAddress.parse("10.1.2.3"))).isTrue();
        assertThat(pp.trusted().isTrusted(IpAddress.parse("192.0.2.7"))).isTrue();
        assertThat(pp.trusted().isTrusted(IpAddress.parse("192.0.2.8"))).isFalse();
        assertThatThrownBy(() -> ListenerSettings.ProxyProtocol.trusting(List.of("none")))
                .hasMessageStartingWith("proxy-protocol.trusted must name the load balancers");
    }

    @Test
    void toBuilder_roundTrips() {
        ListenerSettings s = ListenerSettings.builder().listen(HostPort.parse("0.0.0.0:80", -1))
                .tls(ListenerSettings.Tls.pem(HostPort.parse("0.0.0.0:443", -1), Path.of("f.pem"), Path.of("k.pem"), false))
                .http2(false).h2c(false).redirectToHttps(true).shutdownTimeout(Duration.ofSeconds(5)).build();

        assertThat(s.toBuilder().build()).isEqualTo(s);
    }
}
