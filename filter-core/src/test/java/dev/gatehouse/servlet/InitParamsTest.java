package dev.gatehouse.servlet;

import dev.gatehouse.net.ForwardedHeaders;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InitParamsTest {

    private static Map<String, String> params(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("policy", "policies/default.yaml");
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void parse_onlyPolicy_givesDefaults() {
        InitParams p = InitParams.parse(params());
        assertThat(p.policy()).isEqualTo(Path.of("policies/default.yaml"));
        assertThat(p.budget()).isEqualTo(Duration.ofMillis(50));
        assertThat(p.failOpen()).isTrue();
        assertThat(p.forwardedHeaders()).isEqualTo(ForwardedHeaders.X_FORWARDED_FOR);
        assertThat(p.trustedProxies().isTrusted(IpAddress.parse("127.0.0.1"))).isFalse();
        assertThat(p.options().explainHeader()).isFalse();
        assertThat(p.options().upstreamHeaders()).isTrue();
    }

    @Test
    void parse_everything() {
        InitParams p = InitParams.parse(params("trusted-proxies", " 10.0.0.0/8,\n loopback  192.0.2.7 ", "forwarded-headers", "BOTH",
                "budget-ms", "120", "fail-open", "False", "explain-header", "true", "upstream-headers", "false"));
        assertThat(p.trustedProxies().isTrusted(IpAddress.parse("10.9.9.9"))).isTrue();
        assertThat(p.trustedProxies().isTrusted(IpAddress.parse("::1"))).isTrue();
        assertThat(p.trustedProxies().isTrusted(IpAddress.parse("192.0.2.7"))).isTrue();
        assertThat(p.trustedProxies().isTrusted(IpAddress.parse("192.0.2.8"))).isFalse();
        assertThat(p.forwardedHeaders()).isEqualTo(ForwardedHeaders.BOTH);
        assertThat(p.budget()).isEqualTo(Duration.ofMillis(120));
        assertThat(p.failOpen()).isFalse();
        assertThat(p.options().explainHeader()).isTrue();
        assertThat(p.options().upstreamHeaders()).isFalse();
        assertThat(p.resolver().headers()).isEqualTo(ForwardedHeaders.BOTH);
    }

    @Test
    void parse_missingPolicy_isAnError() {
        Map<String, String> m = params();
        m.remove("policy");
        assertThatThrownBy(() -> InitParams.parse(m)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("init-param 'policy' is required");
    }

    @Test
    void parse_unknownParam_suggestsTheClosest() {
        assertThatThrownBy(() -> InitParams.parse(params("trusted-proxy", "10.0.0.0/8")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown init-param 'trusted-proxy'").hasMessageContaining("did you mean 'trusted-proxies'?");
        assertThatThrownBy(() -> InitParams.parse(params("colour", "blue")))
                .hasMessageContaining("unknown init-param 'colour'").hasMessageNotContaining("did you mean");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "budget-ms|0|within 1..60000",
            "budget-ms|60001|within 1..60000",
            "budget-ms|fast|whole number",
            "budget-ms|-5|whole number",
            "fail-open|yes|true or false",
            "explain-header|1|true or false",
            "forwarded-headers|x-real-ip|x-forwarded-for, forwarded or both",
            "trusted-proxies|10.0.0.1/8|did you mean 10.0.0.0/8?",
            "trusted-proxies|proxy.internal|hostnames are not accepted",
    })
    void parse_badValue_namesTheParamAndValue(String name, String value, String message) {
        assertThatThrownBy(() -> InitParams.parse(params(name, value))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("init-param '" + name + "'").hasMessageContaining(message);
    }
}
