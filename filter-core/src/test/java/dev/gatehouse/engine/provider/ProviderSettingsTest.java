package dev.gatehouse.engine.provider;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProviderSettingsTest {

    @Test
    void defaults_followTheDocumentsAndFreeTiers() {
        ProviderSettings ipintel = ProviderSettings.builder("ipintel").apiKey("k").build();
        assertThat(ipintel.baseUrl()).hasToString("https://api.ipintel.ai");
        assertThat(ipintel.quotaPerDay()).isEqualTo(500);
        assertThat(ipintel.when()).isEqualTo(ProviderSettings.When.INCONCLUSIVE);
        assertThat(ipintel.cacheMaxStale()).isEqualTo(ipintel.cacheTtl());
        assertThat(ProviderSettings.builder("ipinsights").apiKey("k").build().quotaPerHour()).isEqualTo(600);
        assertThat(ProviderSettings.builder("ipbot").build().hasApiKey()).isFalse(); // anonymous use allowed
    }

    @Test
    void badValues_nameTheKey() {
        assertThatThrownBy(() -> ProviderSettings.builder("iptrust").timeout(Duration.ofMillis(-5)))
                .hasMessage("providers.iptrust.timeout must be positive, was -5ms");
        assertThatThrownBy(() -> ProviderSettings.builder("iptrust").when("sometimes"))
                .hasMessageStartingWith("providers.iptrust.when must be one of always, inconclusive, background");
        assertThatThrownBy(() -> ProviderSettings.builder("iptrust").baseUrl("ftp://x"))
                .hasMessageStartingWith("providers.iptrust.base-url must be an http:// or https:// URL");
        assertThatThrownBy(() -> ProviderSettings.builder("iptrust").quotaPerDay(-1))
                .hasMessageStartingWith("providers.iptrust.quota-per-day");
        assertThatThrownBy(() -> ProviderSettings.builder("iptrust").weight(Double.NaN)).hasMessageStartingWith("providers.iptrust.weight");
        assertThatThrownBy(() -> ProviderSettings.builder("iptrsut")).hasMessageContaining("did you mean 'iptrust'");
        assertThatThrownBy(() -> ProviderSettings.builder("iptrust").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("providers.iptrust.api-key");
        assertThatThrownBy(() -> ProviderSettings.builder("iptrust").apiKey("a").apiKeyEnv("B").build())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ProviderSettings.builder("ipintel").apiKey("a").reportSampleRate(0.5).build())
                .hasMessageContaining("only ipinsights");
    }

    @Test
    void keyFromEnvironment_neverInToString() {
        ProviderSettings s = ProviderSettings.builder("iptrust").apiKeyEnv("IPTRUST_API_KEY")
                .environment(Map.of("IPTRUST_API_KEY", "super-secret-123")::get).build();
        assertThat(s.apiKey()).isEqualTo("super-secret-123");
        assertThat(s.toString()).doesNotContain("super-secret-123").contains("api-key-env IPTRUST_API_KEY");
        assertThatThrownBy(() -> ProviderSettings.builder("iptrust").apiKeyEnv("MISSING").environment(Map.<String, String>of()::get).build())
                .hasMessage("providers.iptrust.api-key-env: the environment variable MISSING is not set");
    }

    @Test
    void fromMap_readsTheAgreedKeys_asYamlOrInitParamsGiveThem() {
        ProviderSettings s = ProviderSettings.fromMap("ipintel", Map.of("api-key-env", "IPINTEL_API_KEY", "when", "background",
                "timeout", "40ms", "cache-ttl", "6h", "negative-cache-ttl", "10m", "cache-max-size", "1000", "quota-per-day", 500,
                "quota-per-hour", "0", "max-concurrent", 4, "weight", "1.5"), Map.of("IPINTEL_API_KEY", "k")::get);
        assertThat(s.when()).isEqualTo(ProviderSettings.When.BACKGROUND);
        assertThat(s.timeout()).isEqualTo(Duration.ofMillis(40));
        assertThat(s.cacheTtl()).isEqualTo(Duration.ofHours(6));
        assertThat(s.negativeCacheTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(s.cacheMaxSize()).isEqualTo(1000);
        assertThat(s.maxConcurrent()).isEqualTo(4);
        assertThat(s.weight()).isEqualTo(1.5);
        assertThatThrownBy(() -> ProviderSettings.fromMap("ipintel", Map.of("api-key", "k", "timout", "40ms"), k -> null))
                .hasMessage("providers.ipintel.timout: unknown key (did you mean 'timeout'?)");
        assertThatThrownBy(() -> ProviderSettings.fromMap("ipintel", Map.of("api-key", "k", "timeout", "40"), k -> null))
                .hasMessageStartingWith("providers.ipintel.timeout must be a duration such as 50ms");
    }

    @Test
    void disabledProvider_needsNoKey() {
        assertThat(ProviderSettings.builder("ipgeolocation").enabled(false).build().enabled()).isFalse();
    }
}
