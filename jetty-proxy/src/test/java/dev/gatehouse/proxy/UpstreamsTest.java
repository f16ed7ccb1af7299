package dev.gatehouse.proxy;

import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UpstreamsTest {

    private final UpstreamsIT.MutableClock clock = new UpstreamsIT.MutableClock();

    private Upstreams upstreams(String... urls) {
        UpstreamSettings.Builder b = UpstreamSettings.builder();
        for (String url : urls) {
            b.target(URI.create(url));
        }
        return new Upstreams(b.build(), clock);
    }

    private static List<String> picks(Upstreams upstreams, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Upstreams.Upstream u = upstreams.pick(Set.of());
            out.add(u == null ? "none" : u.toString());
        }
        return out;
    }

    @Test
    void pick_roundRobin() {
        assertThat(picks(upstreams("http://a:1", "http://b:1", "http://c:1"), 6))
                .containsExactly("http://a:1", "http://b:1", "http://c:1", "http://a:1", "http://b:1", "http://c:1");
    }

    @Test
    void connectFailed_outForTheBackoff_thenBack() {
        Upstreams upstreams = upstreams("http://a:1", "http://b:1");
        upstreams.connectFailed(upstreams.all().get(0), new ConnectException("refused"));

        assertThat(picks(upstreams, 3)).containsOnly("http://b:1");
        assertThat(upstreams.nextRevival()).isEqualTo(UpstreamSettings.Health.DEFAULT_BACKOFF);
        clock.advance(Duration.ofSeconds(4));
        assertThat(upstreams.nextRevival()).isEqualTo(Duration.ofSeconds(6));
        clock.advance(Duration.ofSeconds(6));
        assertThat(picks(upstreams, 4)).containsOnly("http://a:1", "http://b:1").contains("http://a:1");
    }

    @Test
    void connectFailed_singleUpstreamStaysIn() {
        Upstreams upstreams = upstreams("http://a:1");
        upstreams.connectFailed(upstreams.all().get(0), new ConnectException("refused"));

        assertThat(picks(upstreams, 2)).containsOnly("http://a:1");
        assertThat(upstreams.readinessWhenDegraded()).isNull();
    }

    @Test
    void pick_skipsTriedAndDown_noneLeftIsNull() {
        Upstreams upstreams = upstreams("http://a:1", "http://b:1");
        upstreams.connectFailed(upstreams.all().get(1), new ConnectException("refused"));

        assertThat(upstreams.pick(Set.of(upstreams.all().get(0)))).isNull();
        assertThat(upstreams.readiness()).startsWith("upstreams: 1/2 healthy; http://a:1 up; http://b:1 down (connect failed: ");
    }

    @Test
    void checked_unhealthyAfterAndHealthyAfterInARow() {
        Upstreams upstreams = new Upstreams(UpstreamSettings.builder().target(URI.create("http://a:1")).target(URI.create("http://b:1"))
                .health(new UpstreamSettings.Health(Duration.ofSeconds(10), "/healthz", Duration.ofSeconds(5), Duration.ofSeconds(2), 2, 3))
                .build(), clock);
        Upstreams.Upstream b = upstreams.all().get(1);

        upstreams.checked(b, "500");
        upstreams.checked(b, null); // a pass resets the failures
        upstreams.checked(b, "500");
        assertThat(picks(upstreams, 2)).contains("http://b:1");
        upstreams.checked(b, "500");
        assertThat(picks(upstreams, 2)).containsOnly("http://a:1");
        upstreams.checked(b, null);
        upstreams.checked(b, null);
        assertThat(picks(upstreams, 2)).containsOnly("http://a:1");
        upstreams.checked(b, null);
        assertThat(picks(upstreams, 2)).contains("http://b:1");
    }

    @Test
    void settings_checkTheirValues() {
        assertThatThrownBy(() -> new UpstreamSettings(List.of(), true, UpstreamSettings.Health.DEFAULTS))
                .hasMessageContaining("at least one URL");
        assertThatThrownBy(() -> UpstreamSettings.builder().target(URI.create("http://a:1/?q")))
                .hasMessageContaining("must not have a query");
        assertThatThrownBy(() -> new UpstreamSettings.Health(Duration.ZERO, null, Duration.ofSeconds(1), Duration.ofSeconds(1), 1, 1))
                .hasMessageContaining("upstream-health.backoff must be positive");
    }

    @Test
    void isConnectFailure_onlyWhenTheConnectionWasNotMade() {
        assertThat(UpstreamProxy.isConnectFailure(new ConnectException("refused"))).isTrue();
        assertThat(UpstreamProxy.isConnectFailure(new java.io.IOException("x", new java.net.UnknownHostException("h")))).isTrue();
        assertThat(UpstreamProxy.isConnectFailure(new java.net.SocketTimeoutException("Connect Timeout"))).isTrue();
        assertThat(UpstreamProxy.isConnectFailure(new java.util.concurrent.TimeoutException("Total timeout 30000 ms elapsed"))).isFalse();
        assertThat(UpstreamProxy.isConnectFailure(new java.io.EOFException("closed"))).isFalse();
    }
}
