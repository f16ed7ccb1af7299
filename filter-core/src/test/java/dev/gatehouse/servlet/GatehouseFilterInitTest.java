package dev.gatehouse.servlet;

import dev.gatehouse.net.ForwardedHeaders;
import dev.gatehouse.net.IpAddress;
import jakarta.servlet.FilterConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/** A container-created filter reads the keys of docs/configuration.md as init-params and builds through GatehouseAssembly. */
class GatehouseFilterInitTest {

    @Test
    void init_initParams_configureTheAssembledPipeline(@TempDir Path dir) throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "default: allow\nrules: []\n");
        Map<String, String> params = new LinkedHashMap<>();
        params.put("policy", policy.toString());
        params.put("policy-reload", "false");
        params.put("budget", "30ms");
        params.put("fail-mode", "closed");
        params.put("trusted-proxies", "loopback, 10.0.0.0/8");
        params.put("forwarded-headers", "forwarded");
        params.put("explain-header", "true");
        params.put("rate-limit.max-keys", "1000");

        GatehouseFilter filter = new GatehouseFilter();
        filter.init(config(params));
        try {
            assertThat(filter.gatehouse().budget()).isEqualTo(Duration.ofMillis(30));
            assertThat(filter.gatehouse().failOpen()).isFalse();
            assertThat(filter.gatehouse().policy().name()).contains("policy.yaml");
            assertThat(filter.resolver().headers()).isEqualTo(ForwardedHeaders.FORWARDED);
            assertThat(filter.resolver().trustedProxies().isTrusted(IpAddress.parse("10.1.2.3"))).isTrue();
            assertThat(filter.options().explainHeader()).isTrue();
        } finally {
            filter.destroy();
        }
    }

    private static FilterConfig config(Map<String, String> params) {
        FilterConfig config = mock(FilterConfig.class);
        when(config.getFilterName()).thenReturn("gatehouse");
        when(config.getInitParameterNames()).thenReturn(Collections.enumeration(params.keySet()));
        params.forEach((k, v) -> when(config.getInitParameter(k)).thenReturn(v));
        return config;
    }
}
