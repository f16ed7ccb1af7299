package dev.gatehouse.servlet;

import dev.gatehouse.net.ForwardedHeaders;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.settings.GatehouseSettings;
import dev.gatehouse.settings.SettingsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InitParamsTest {

    private final List<String> warnings = new ArrayList<>();

    private static Map<String, String> params(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("policy", "policies/default.yaml");
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private GatehouseSettings parse(Map<String, String> params) {
        return InitParams.parse(params, warnings::add);
    }

    @Test
    void parse_onlyPolicy_givesDefaults() {
        GatehouseSettings p = parse(params());
        assertThat(p.policyFile()).isEqualTo(Path.of("policies/default.yaml"));
        assertThat(p.budget()).isEqualTo(Duration.ofMillis(50));
        assertThat(p.failOpen()).isTrue();
        assertThat(p.forwardedHeaders()).isEqualTo(ForwardedHeaders.X_FORWARDED_FOR);
        assertThat(p.trustedProxySet().isTrusted(IpAddress.parse("127.0.0.1"))).isFalse();
        assertThat(FilterOptions.from(p).explainHeader()).isFalse();
        assertThat(FilterOptions.from(p).upstreamHeaders()).isTrue();
    }

    @Test
    void parse_noPolicy_meansTheBundledDefault() {
        assertThat(parse(Map.of()).policy()).isNull();
    }

    @Test
    void parse_everything() {
        GatehouseSettings p = parse(params("trusted-proxies", " 10.0.0.0/8,\n loopback  192.0.2.7 ", "forwarded-headers", "BOTH",
                "budget", "120ms", "fail-mode", "closed", "explain-header", "true", "upstream-headers", "false",
                "data.refresh", "6h", "rate-limit.max-keys", "500"));
        assertThat(p.trustedProxySet().isTrusted(IpAddress.parse("10.9.9.9"))).isTrue();
        assertThat(p.trustedProxySet().isTrusted(IpAddress.parse("::1"))).isTrue();
        assertThat(p.trustedProxySet().isTrusted(IpAddress.parse("192.0.2.7"))).isTrue();
        assertThat(p.trustedProxySet().isTrusted(IpAddress.parse("192.0.2.8"))).isFalse();
        assertThat(p.forwardedHeaders()).isEqualTo(ForwardedHeaders.BOTH);
        assertThat(p.budget()).isEqualTo(Duration.ofMillis(120));
        assertThat(p.failOpen()).isFalse();
        assertThat(p.explainHeader()).isTrue();
        assertThat(p.upstreamHeaders()).isFalse();
        assertThat(p.data().refresh()).isEqualTo(Duration.ofHours(6));
        assertThat(p.rateLimit().maxKeys()).isEqualTo(500);
        assertThat(warnings).isEmpty();
    }

    @Test
    void parse_oldNames_stillWorkWithAWarning() {
        GatehouseSettings p = parse(params("budget-ms", "120", "fail-open", "False"));
        assertThat(p.budget()).isEqualTo(Duration.ofMillis(120));
        assertThat(p.failOpen()).isFalse();
        assertThat(warnings).hasSize(2).allMatch(w -> w.contains("deprecated"));
    }

    @Test
    void parse_unknownParam_suggestsTheClosest() {
        assertThatThrownBy(() -> parse(params("trusted-proxy", "10.0.0.0/8")))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("init-param 'trusted-proxy': trusted-proxy: unknown key").hasMessageContaining("did you mean 'trusted-proxies'?");
        assertThatThrownBy(() -> parse(params("colour", "blue")))
                .hasMessageContaining("init-param 'colour': colour: unknown key").hasMessageNotContaining("did you mean");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "budget|0ms|within 1ms..60s",
            "budget|61s|within 1ms..60s",
            "budget|fast|expected a duration",
            "fail-mode|yes|expected one of open, closed",
            "explain-header|1|true or false",
            "forwarded-headers|x-real-ip|expected one of x-forwarded-for, forwarded, both",
            "trusted-proxies|10.0.0.1/8|did you mean 10.0.0.0/8?",
            "trusted-proxies|proxy.internal|hostnames are not accepted",
    })
    void parse_badValue_namesTheParamAndValue(String name, String value, String message) {
        assertThatThrownBy(() -> parse(params(name, value))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("init-param '" + name + "'").hasMessageContaining(message);
    }
}
