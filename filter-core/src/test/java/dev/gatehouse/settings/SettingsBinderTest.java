package dev.gatehouse.settings;

import dev.gatehouse.net.ForwardedHeaders;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.settings.GatehouseSettings.FailMode;
import dev.gatehouse.settings.GatehouseSettings.RateLimitStoreKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsBinderTest {

    static final String EVERY_KEY = """
            policy: /etc/gatehouse/policy.yaml
            policy-reload: false
            budget: 80ms
            fail-mode: closed
            trusted-proxies: [loopback, private, 10.0.0.0/8, 192.0.2.7]
            forwarded-headers: both
            dns-servers: [127.0.0.1:5353, 9.9.9.9]
            data:
              directory: /var/lib/gatehouse
              refresh: 6h
              urls:
                tor: https://example.org/tor.txt
                crawlers/google/common-crawlers.json: https://example.org/google.json
            rate-limit:
              store: redis
              max-keys: 5000
              redis:
                url: redis://127.0.0.1:6379
                timeout: 20ms
            providers:
              iptrust:
                enabled: true
                api-key-env: IPTRUST_API_KEY
                timeout: 40ms
            explain-header: true
            upstream-headers: false
            """;

    private final List<String> warnings = new ArrayList<>();

    private GatehouseSettings yaml(String text) {
        return SettingsBinder.bind(SettingsSources.yaml(text, "gatehouse.yaml", Path.of("/etc/gatehouse")), List.of(), warnings::add,
                Map.of("IPTRUST_API_KEY", "test-key", "GATEHOUSE_REDIS_PASSWORD", "pw")::get);
    }

    private GatehouseSettings params(Map<String, String> params) {
        return SettingsBinder.bind(SettingsSources.flat(params, n -> "init-param '" + n + "'", "init-params"), List.of(), warnings::add,
                Map.of("IPTRUST_API_KEY", "test-key", "GATEHOUSE_REDIS_PASSWORD", "pw")::get);
    }

    @Test
    void bind_everyKey() {
        GatehouseSettings s = yaml(EVERY_KEY);

        assertThat(s.policy()).isEqualTo(Path.of("/etc/gatehouse/policy.yaml").toString());
        assertThat(s.policyReload()).isFalse();
        assertThat(s.budget()).isEqualTo(Duration.ofMillis(80));
        assertThat(s.failMode()).isEqualTo(FailMode.CLOSED);
        assertThat(s.trustedProxySet().isTrusted(IpAddress.parse("::1"))).isTrue();
        assertThat(s.trustedProxySet().isTrusted(IpAddress.parse("172.16.1.1"))).isTrue();
        assertThat(s.trustedProxySet().isTrusted(IpAddress.parse("192.0.2.7"))).isTrue();
        assertThat(s.trustedProxySet().isTrusted(IpAddress.parse("192.0.2.8"))).isFalse();
        assertThat(s.forwardedHeaders()).isEqualTo(ForwardedHeaders.BOTH);
        assertThat(s.dnsServers()).extracting(HostPort::toString).containsExactly("127.0.0.1:5353", "9.9.9.9:53");
        assertThat(s.data().directory()).isEqualTo(Path.of("/var/lib/gatehouse"));
        assertThat(s.data().refresh()).isEqualTo(Duration.ofHours(6));
        assertThat(s.data().urls()).containsEntry("tor", URI.create("https://example.org/tor.txt"))
                .containsEntry("crawlers/google/common-crawlers.json", URI.create("https://example.org/google.json"));
        assertThat(s.rateLimit().store()).isEqualTo(RateLimitStoreKind.REDIS);
        assertThat(s.rateLimit().maxKeys()).isEqualTo(5000);
        assertThat(s.rateLimit().redis().url()).isEqualTo("redis://127.0.0.1:6379");
        assertThat(s.rateLimit().redis().timeout()).isEqualTo(Duration.ofMillis(20));
        assertThat(s.providers()).containsOnlyKeys("iptrust");
        assertThat(s.providers().get("iptrust").enabled()).isTrue();
        assertThat(s.providers().get("iptrust").hasApiKey()).isTrue();
        assertThat(s.providers().get("iptrust").timeout()).isEqualTo(Duration.ofMillis(40));
        assertThat(s.explainHeader()).isTrue();
        assertThat(s.upstreamHeaders()).isFalse();
        assertThat(warnings).isEmpty();
    }

    @Test
    void bind_redisBlockAndSharedCache_typedWithTheirKeysInErrors() {
        GatehouseSettings s = yaml("""
                budget: 50ms
                shared-cache: redis
                rate-limit:
                  store: redis
                  redis: { url: "rediss://cache.internal:6380", key-prefix: shop, timeout: 15ms, fallback: block }
                """);
        assertThat(s.sharedCache()).isEqualTo(GatehouseSettings.SharedCacheKind.REDIS);
        assertThat(s.rateLimit().redis().url()).isEqualTo("rediss://cache.internal:6380");
        assertThat(s.rateLimit().redis().keyPrefix()).isEqualTo("shop");
        assertThat(s.rateLimit().redis().fallback()).isEqualTo(dev.gatehouse.ratelimit.redis.RedisSettings.Fallback.BLOCK);

        assertThatThrownBy(() -> yaml("""
                rate-limit:
                  store: redis
                  redis: { url: "http://x", timout: 5ms, fallback: alow }
                """))
                .hasMessageContaining("rate-limit.redis.timout: unknown key (did you mean 'rate-limit.redis.timeout'?)")
                .hasMessageContaining("rate-limit.redis.url")
                .hasMessageContaining("rate-limit.redis.fallback");
        assertThatThrownBy(() -> yaml("""
                budget: 20ms
                rate-limit: { store: redis, redis: { timeout: 20ms } }
                """)).hasMessageContaining("rate-limit.redis.timeout (20ms) must be below budget (20ms)");
        assertThatThrownBy(() -> yaml("shared-cache: redis\n"))
                .hasMessageContaining("shared-cache: redis uses the rate-limit.redis connection");
    }

    @Test
    void bind_providers_typedWithTheirKeysAndPlacesInErrors() {
        GatehouseSettings s = yaml("""
                providers:
                  ipbot: {}
                  ipintel: { api-key-env: IPTRUST_API_KEY, when: background, weight: 0.5, quota-per-day: 100 }
                """);
        assertThat(s.providers()).containsOnlyKeys("ipbot", "ipintel");
        assertThat(s.providers().get("ipintel").toString()).doesNotContain("test-key");

        assertThatThrownBy(() -> yaml("""
                providers:
                  iptrust: { api-key-env: NOT_SET_ANYWHERE, timout: 5ms }
                  ipintel: { api-key: k, when: sometimes, weight: heavy }
                  ipfoo: { api-key: k }
                """))
                .hasMessageContaining("gatehouse.yaml:2:45: providers.iptrust.timout: unknown key (did you mean 'providers.iptrust.timeout'?)")
                .hasMessageContaining("providers.ipintel.when")
                .hasMessageContaining("providers.ipintel.weight: expected a number such as 1.0, was 'heavy'")
                .hasMessageContaining("gatehouse.yaml:4:10: providers.ipfoo: is not a provider");
        assertThatThrownBy(() -> yaml("providers: { iptrust: { api-key-env: NOT_SET_ANYWHERE } }\n"))
                .hasMessageContaining("gatehouse.yaml:1:38: providers.iptrust.api-key-env: the environment variable NOT_SET_ANYWHERE is not set");
    }

    @Test
    void bind_emptyFile_isTheDefaults() {
        assertThat(yaml("# nothing yet\n")).isEqualTo(GatehouseSettings.ofDefaults());
        GatehouseSettings d = GatehouseSettings.ofDefaults();
        assertThat(d.policy()).isNull();
        assertThat(d.policyReload()).isTrue();
        assertThat(d.budget()).isEqualTo(Duration.ofMillis(50));
        assertThat(d.failOpen()).isTrue();
        assertThat(d.trustedProxies()).isEmpty();
        assertThat(d.data().isBundled()).isTrue();
        assertThat(d.rateLimit().store()).isEqualTo(RateLimitStoreKind.LOCAL);
        assertThat(d.rateLimit().maxKeys()).isEqualTo(100_000);
        assertThat(d.upstreamHeaders()).isTrue();
    }

    @Test
    void bind_sameBlockAsInitParams_givesEqualSettings() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("policy", "/etc/gatehouse/policy.yaml");
        params.put("policy-reload", "false");
        params.put("budget", "80ms");
        params.put("fail-mode", "closed");
        params.put("trusted-proxies", "loopback, private,10.0.0.0/8 192.0.2.7");
        params.put("forwarded-headers", "both");
        params.put("dns-servers", "127.0.0.1:5353,9.9.9.9");
        params.put("data.directory", "/var/lib/gatehouse");
        params.put("data.refresh", "6h");
        params.put("data.urls.tor", "https://example.org/tor.txt");
        params.put("data.urls.crawlers/google/common-crawlers.json", "https://example.org/google.json");
        params.put("rate-limit.store", "redis");
        params.put("rate-limit.max-keys", "5000");
        params.put("rate-limit.redis.url", "redis://127.0.0.1:6379");
        params.put("rate-limit.redis.timeout", "20ms");
        params.put("providers.iptrust.enabled", "true");
        params.put("providers.iptrust.api-key-env", "IPTRUST_API_KEY");
        params.put("providers.iptrust.timeout", "40ms");
        params.put("explain-header", "true");
        params.put("upstream-headers", "false");

        assertThat(params(params)).isEqualTo(yaml(EVERY_KEY));
    }

    @Test
    void bind_unknownKey_pointsAtItWithDidYouMean() {
        assertThatThrownBy(() -> yaml("policy: p.yaml\nbudgte: 50ms\n"))
                .isInstanceOf(SettingsException.class)
                .hasMessage("gatehouse.yaml:2:1: budgte: unknown key (did you mean 'budget'?)");
        assertThatThrownBy(() -> yaml("data:\n  refesh: 6h\n"))
                .hasMessage("gatehouse.yaml:2:3: data.refesh: unknown key (did you mean 'data.refresh'?)");
        assertThatThrownBy(() -> params(Map.of("trusted-proxy", "10.0.0.0/8")))
                .hasMessage("init-param 'trusted-proxy': trusted-proxy: unknown key (did you mean 'trusted-proxies'?)");
    }

    @Test
    void bind_everyProblemAtOnce_eachWithLineAndColumn() {
        SettingsException e = (SettingsException) org.assertj.core.api.Assertions.catchThrowable(() -> yaml("""
                budget: soon
                fail-mode: maybe
                trusted-proxies: [10.0.0.1/8]
                dns-servers: [dns.example]
                """));

        assertThat(e.problems()).extracting(SettingsException.Problem::toString).containsExactly(
                "gatehouse.yaml:1:9: budget: expected a duration such as 50ms, 2s, 10m, 6h or 1d, was 'soon'",
                "gatehouse.yaml:2:12: fail-mode: expected one of open, closed, was 'maybe'",
                "gatehouse.yaml:3:18: trusted-proxies: trusted proxy #1: " + e.problems().get(2).message().substring("trusted proxy #1: ".length()),
                "gatehouse.yaml:4:14: dns-servers: host in 'dns.example' must be an IP address or localhost, not 'dns.example'");
        assertThat(e.problems().get(2).message()).contains("10.0.0.0/8");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "budget|0ms|must be within 1ms..60s, was 0ms",
            "budget|61s|must be within 1ms..60s, was 61s",
            "policy-reload|yes|expected true or false, was 'yes'",
            "forwarded-headers|x-real-ip|expected one of x-forwarded-for, forwarded, both, was 'x-real-ip'",
            "trusted-proxies|proxy.internal|hostnames are not accepted",
            "rate-limit.max-keys|0|must be at least 1, was 0",
            "rate-limit.store|memcached|expected one of local, redis",
            "data.refresh|often|expected a duration",
            "data.urls.tro|https://example.org/x|data.urls.tro: unknown data set (did you mean 'tor'?)",
            "providers.iptrsut.enabled|true|not a provider (did you mean 'iptrust'?)",
    })
    void bind_badValue_namesTheKeyAndValue(String key, String value, String message) {
        assertThatThrownBy(() -> params(Map.of(key, value)))
                .isInstanceOf(SettingsException.class)
                .hasMessageStartingWith("init-param '" + key + "'")
                .hasMessageContaining(message);
    }

    @Test
    void bind_redisStoreWithoutItsBlock_isAnError() {
        assertThatThrownBy(() -> yaml("rate-limit:\n  store: redis\n"))
                .hasMessageContaining("rate-limit: rate-limit.store is redis but there is no rate-limit.redis block");
    }

    @Test
    void bind_oldSpellings_acceptedWithAWarningNamingTheNewKey() {
        GatehouseSettings s = yaml("""
                budget_ms: 25
                fail_closed: true
                trusted_proxies: [10.0.0.0/8]
                dns_servers: [127.0.0.1:5353]
                data:
                  refresh_interval_s: 3600
                """);

        assertThat(s.budget()).isEqualTo(Duration.ofMillis(25));
        assertThat(s.failMode()).isEqualTo(FailMode.CLOSED);
        assertThat(s.trustedProxies()).containsExactly("10.0.0.0/8");
        assertThat(s.dnsServers()).hasSize(1);
        assertThat(s.data().refresh()).isEqualTo(Duration.ofHours(1));
        assertThat(warnings).containsExactly(
                "gatehouse.yaml:1:1: budget_ms is deprecated and will be removed; write budget: 25ms (see docs/configuration.md)",
                "gatehouse.yaml:2:1: fail_closed is deprecated and will be removed; write fail-mode: closed (see docs/configuration.md)",
                "gatehouse.yaml:3:1: trusted_proxies is deprecated and will be removed; write trusted-proxies (see docs/configuration.md)",
                "gatehouse.yaml:4:1: dns_servers is deprecated and will be removed; write dns-servers (see docs/configuration.md)",
                "gatehouse.yaml:6:3: data.refresh_interval_s is deprecated and will be removed; write data.refresh: 3600s (see docs/configuration.md)");
    }

    @Test
    void bind_oldInitParamSpellings_budgetMsAndFailOpen() {
        GatehouseSettings s = params(Map.of("budget-ms", "120", "fail-open", "false"));

        assertThat(s.budget()).isEqualTo(Duration.ofMillis(120));
        assertThat(s.failMode()).isEqualTo(FailMode.CLOSED);
        assertThat(warnings).anyMatch(w -> w.contains("budget-ms is deprecated") && w.contains("write budget: 120ms"))
                .anyMatch(w -> w.contains("fail-open is deprecated") && w.contains("write fail-mode: closed"));
    }

    @Test
    void bind_oldAndNewSpellingTogether_isAnError() {
        assertThatThrownBy(() -> yaml("budget: 50ms\nbudget_ms: 20\n"))
                .hasMessageContaining("budget_ms: the deprecated spelling of budget, which is also set");
    }

    @Test
    void bind_plainNumberDuration_isMillisecondsWithAWarning() {
        assertThat(yaml("budget: 40\n").budget()).isEqualTo(Duration.ofMillis(40));
        assertThat(warnings).containsExactly("gatehouse.yaml:1:9: budget: a plain number is read as milliseconds; write 40ms (plain numbers are deprecated)");
    }

    @Test
    void bind_relativePaths_resolveAgainstTheFilesFolder_butNotForInitParams() {
        assertThat(yaml("policy: policies/strict.yaml\n").policyFile()).isEqualTo(Path.of("/etc/gatehouse/policies/strict.yaml"));
        assertThat(params(Map.of("policy", "policies/strict.yaml")).policyFile()).isEqualTo(Path.of("policies/strict.yaml"));
        assertThat(params(Map.of("policy", "classpath:dev/gatehouse/policies/default.yaml")).policy())
                .isEqualTo("classpath:dev/gatehouse/policies/default.yaml");
    }

    @Test
    void bind_adapterKeys_areNotUnknown() {
        GatehouseSettings s = SettingsBinder.bind(SettingsSources.yaml("listen: 127.0.0.1:8080\nbudget: 20ms\n", "g.yaml", null),
                List.of("listen"), warnings::add);
        assertThat(s.budget()).isEqualTo(Duration.ofMillis(20));
    }

    @Test
    void bind_dataRefreshOff_isNever() {
        assertThat(yaml("data:\n  refresh: off\n").data().refresh()).isNull();
    }

    @Test
    void bind_dataPublicFeeds_leftOutForTheFrontEnd_falseOrRefreshOffOptsOut() {
        GatehouseSettings.DataSettings unset = yaml("budget: 50ms\n").data();
        assertThat(unset.publicFeeds()).isNull();
        assertThat(unset.withPublicFeedsDefault(true).publicFeedsOn()).isTrue();
        assertThat(unset.withPublicFeedsDefault(true).refreshInterval()).isEqualTo(Duration.ofHours(6));
        assertThat(yaml("data:\n  public-feeds: true\n  refresh: 1h\n").data().refreshInterval()).isEqualTo(Duration.ofHours(1));

        assertThat(yaml("data:\n  public-feeds: false\n").data().withPublicFeedsDefault(true).publicFeedsOn()).isFalse();
        GatehouseSettings.DataSettings off = yaml("data:\n  refresh: off\n").data().withPublicFeedsDefault(true);
        assertThat(off.publicFeedsOn()).as("refresh: off is the opt-out").isFalse();
        assertThat(off.refreshInterval()).isNull();
        assertThat(params(Map.of("data.public-feeds", "false")).data().publicFeeds()).isFalse();
    }

    @Test
    void bind_dataPublicFeedsTrueWithRefreshOff_isAProblemNamingTheKey() {
        assertThatThrownBy(() -> yaml("data:\n  refresh: off\n  public-feeds: true\n"))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("gatehouse.yaml:3:")
                .hasMessageContaining("data.public-feeds: is true but data.refresh is off");
    }

    @Test
    void builder_badValues_nameTheKey() {
        assertThatThrownBy(() -> GatehouseSettings.custom().budget(Duration.ofMillis(-5)))
                .hasMessage("budget must be within 1ms..60s, was -5ms");
        assertThatThrownBy(() -> GatehouseSettings.custom().trustedProxies(List.of("lb.example")))
                .hasMessageStartingWith("trusted-proxies: trusted proxy #1");
        assertThat(GatehouseSettings.from(GatehouseSettings.ofDefaults()).build()).isEqualTo(GatehouseSettings.ofDefaults());
    }
}
