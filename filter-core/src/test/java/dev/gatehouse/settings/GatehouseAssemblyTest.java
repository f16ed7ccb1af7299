package dev.gatehouse.settings;

import dev.gatehouse.api.Policy;
import dev.gatehouse.policy.PolicyLoader;
import dev.gatehouse.policy.ReloadablePolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatehouseAssemblyTest {

    private static final String POLICY = """
            default: allow
            rules:
              - name: block-tor
                when:
                  tor: true
                action: block
            """;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private static final ClassLoader EMPTY = new URLClassLoader(new URL[0], null);

    @Test
    void policy_missingFile_saysNoSuchFileAndWhereItLooked(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        GatehouseSettings settings = GatehouseSettings.custom().policy(missing).build();

        assertThatThrownBy(() -> GatehouseAssembly.policy(settings, PolicyLoader.defaults(), EMPTY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("policy: no such file: " + missing + " (looked for " + missing.toAbsolutePath().normalize() + ")");
    }

    @Test
    void policy_bundledDefaultMissing_saysWhichJarBringsIt() {
        assertThatThrownBy(() -> GatehouseAssembly.policy(GatehouseSettings.ofDefaults(), PolicyLoader.defaults(), EMPTY))
                .hasMessageContaining("gatehouse-policies");
    }

    @Test
    void policy_file_isWatchedOrManualAsPolicyReloadSays(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("p.yaml"), POLICY);

        Policy watched = GatehouseAssembly.policy(GatehouseSettings.custom().policy(file).build(), PolicyLoader.defaults(), EMPTY);
        Policy manual = GatehouseAssembly.policy(GatehouseSettings.custom().policy(file).policyReload(false).build(),
                PolicyLoader.defaults(), EMPTY);
        try {
            assertThat(watched).isInstanceOf(ReloadablePolicy.class);
            assertThat(manual).isInstanceOf(ReloadablePolicy.class);
            assertThat(manual.version()).isEqualTo(watched.version());
        } finally {
            ((ReloadablePolicy) watched).close();
            ((ReloadablePolicy) manual).close();
        }
    }

    @Test
    void policyLoader_redisWithoutAStore_isRefusedNamingTheKey() {
        GatehouseSettings settings = GatehouseSettings.custom().rateLimit(new GatehouseSettings.RateLimitSettings(
                GatehouseSettings.RateLimitStoreKind.REDIS, 10, dev.gatehouse.ratelimit.redis.RedisSettings.defaults())).build();
        assertThatThrownBy(() -> GatehouseAssembly.policyLoader(settings, registry, null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("rate-limit.store: redis");
    }

    @Test
    void assemble_fromSettings_buildsThePipelineAsConfigured(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("p.yaml"), POLICY);
        GatehouseSettings settings = SettingsBinder.bind(SettingsSources.yaml("""
                policy: p.yaml
                budget: 70ms
                fail-mode: closed
                trusted-proxies: [loopback]
                forwarded-headers: forwarded
                """, "gatehouse.yaml", dir), java.util.List.of(), w -> { });

        try (GatehouseAssembly.Assembled built = GatehouseAssembly.assemble(settings, registry, null, EMPTY)) {
            assertThat(built.gatehouse().budget()).isEqualTo(Duration.ofMillis(70));
            assertThat(built.gatehouse().failOpen()).isFalse();
            assertThat(built.reloadable()).isNotNull();
            assertThat(built.policy().name()).contains(file.getFileName().toString());
            assertThat(built.resolver().headers()).isEqualTo(dev.gatehouse.net.ForwardedHeaders.FORWARDED);
            assertThat(built.resolver().trustedProxies().isTrusted(dev.gatehouse.net.IpAddress.parse("127.0.0.1"))).isTrue();
        }
    }
}
