package dev.gatehouse.proxy;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.IpAddress;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The proxy's header rules; the decision headers and refusals themselves are tested in filter-core's enforcement package. */
class GatehouseHandlerTest {

    @Test
    void upstreamHeaders_namesAreTheDesignContracts() {
        assertThat(GatehouseHandler.UPSTREAM_HEADERS)
                .containsExactly("X-Gatehouse-Verdict", "X-Gatehouse-Rule", "X-Gatehouse-Threat-Score", "X-Gatehouse-Bot");
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-Forwarded-For", "x_forwarded_for", "X-Real-IP", "x_real_ip"})
    void forwardingHeaders_alwaysSetByGatehouse(String name) {
        assertThat(ForwardingHeaders.isSetByGatehouse(name)).isTrue();
        assertThat(ForwardingHeaders.isForwarding(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-Forwarded-Host", "X-Forwarded-Proto", "x_forwarded_port", "X-Forwarded-Prefix", "Forwarded", "FORWARDED"})
    void forwardingHeaders_believedOnlyFromTrustedProxies(String name) {
        assertThat(ForwardingHeaders.isForwarding(name)).isTrue();
        assertThat(ForwardingHeaders.isSetByGatehouse(name)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Host", "X-Forwarded", "Forwarded-For", "X-Request-Id", "Via"})
    void forwardingHeaders_otherNamesPass(String name) {
        assertThat(ForwardingHeaders.isForwarding(name)).isFalse();
    }
}
