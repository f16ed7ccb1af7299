package dev.gatehouse.proxy;

import dev.gatehouse.net.HostPort;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProxyConfigLoaderTest {

    private static final Path BASE = Path.of("/etc/gatehouse");

    private static ProxyConfig parse(String yaml) {
        return ProxyConfigLoader.parse(yaml, "gatehouse.yaml", BASE).build();
    }

    @Test
    void parse_everyKey() {
        ProxyConfig config = parse("""
                listen: 0.0.0.0:8000
                upstream: http://127.0.0.1:3000
                policy: policies/strict.yaml
                budget_ms: 25
                fail_closed: true
                upstream_timeout_ms: 5000
                trusted_proxies: [10.0.0.0/8, 192.0.2.1, "2001:db8::/32"]
                dns_servers: [127.0.0.1:5353, 9.9.9.9]
                admin:
                  listen: 127.0.0.1:9999
                  token: s3cret
                """);

        assertThat(config.listen()).hasToString("0.0.0.0:8000");
        assertThat(config.upstream()).isEqualTo(URI.create("http://127.0.0.1:3000"));
        assertThat(config.policy()).isEqualTo(BASE.resolve("policies/strict.yaml"));
        assertThat(config.budget()).isEqualTo(Duration.ofMillis(25));
        assertThat(config.failClosed()).isTrue();
        assertThat(config.upstreamTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.trustedProxies()).extracting(Object::toString)
                .containsExactly("10.0.0.0/8", "192.0.2.1/32", "2001:db8::/32");
        assertThat(config.dnsServers()).extracting(HostPort::toString).containsExactly("127.0.0.1:5353", "9.9.9.9:53");
        assertThat(config.admin()).hasToString("127.0.0.1:9999");
        assertThat(config.adminToken()).isEqualTo("s3cret");
    }

    @Test
    void parse_defaults() {
        ProxyConfig config = parse("upstream: http://app:3000\n");

        assertThat(config.listen()).isEqualTo(ProxyConfig.DEFAULT_LISTEN);
        assertThat(config.admin()).isEqualTo(ProxyConfig.DEFAULT_ADMIN);
        assertThat(config.policy()).isNull();
        assertThat(config.budget()).isEqualTo(ProxyConfig.DEFAULT_BUDGET);
        assertThat(config.failClosed()).isFalse();
        assertThat(config.trustedProxies()).isEmpty();
    }

    @Test
    void parse_adminOff() {
        assertThat(parse("upstream: http://app:3000\nadmin: off\n").admin()).isNull();
        assertThat(parse("upstream: http://app:3000\nadmin:\n  listen: off\n").admin()).isNull();
    }

    @Test
    void parse_unknownKey_namesLineColumnAndSuggestion() {
        assertThatThrownBy(() -> parse("upstream: http://app:3000\nbudgetms: 10\n"))
                .isInstanceOf(ProxyConfigLoader.ConfigException.class)
                .hasMessage("gatehouse.yaml:2:1: budgetms: unknown key (did you mean 'budget_ms'?)");
    }

    @Test
    void parse_unknownAdminKey() {
        assertThatThrownBy(() -> parse("admin:\n  tokn: x\n"))
                .hasMessage("gatehouse.yaml:2:3: admin.tokn: unknown key (did you mean 'token'?)");
    }

    @Test
    void parse_wrongType_namesTheKey() {
        assertThatThrownBy(() -> parse("budget_ms: soon\n"))
                .hasMessage("gatehouse.yaml:1:12: budget_ms: expected a whole number of milliseconds, was 'soon'");
        assertThatThrownBy(() -> parse("fail_closed: maybe\n")).hasMessageContaining("fail_closed: expected true or false");
        assertThatThrownBy(() -> parse("trusted_proxies: 10.0.0.0/8\n")).hasMessageContaining("trusted_proxies: expected a list");
    }

    @Test
    void parse_badValues_nameTheKeyAndValue() {
        assertThatThrownBy(() -> parse("trusted_proxies: [10.0.0.0/33]\n"))
                .hasMessageStartingWith("gatehouse.yaml:1:18: trusted_proxies:").hasMessageContaining("10.0.0.0/33");
        assertThatThrownBy(() -> parse("upstream: ftp://x\n")).hasMessageContaining("upstream: upstream must be an http:// or https:// URL");
        assertThatThrownBy(() -> parse("listen: example.com:80\n")).hasMessageContaining("listen:").hasMessageContaining("example.com");
        assertThatThrownBy(() -> parse("budget_ms: 0\n")).hasMessageContaining("budget must be positive");
    }

    @Test
    void parse_duplicateKeyOrNotAMapping_isRefused() {
        assertThatThrownBy(() -> parse("listen: 1.2.3.4:1\nlisten: 1.2.3.4:2\n"))
                .isInstanceOf(ProxyConfigLoader.ConfigException.class).hasMessage("gatehouse.yaml:2:1: listen: duplicate key");
        assertThatThrownBy(() -> parse("- a\n- b\n")).hasMessageContaining("must be a mapping");
    }

    @Test
    void parse_noUpstream_buildSaysWhatIsMissing() {
        assertThatThrownBy(() -> parse("listen: 127.0.0.1:8080\n"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("upstream is required");
    }

    @Test
    void parse_yamlTagsAreNotConstructed() {
        assertThatThrownBy(() -> parse("upstream: !!javax.script.ScriptEngineManager [x]\n"))
                .isInstanceOf(ProxyConfigLoader.ConfigException.class);
    }

    @Test
    void parse_dataSection_directoryRelativeToTheFile_refreshAndUrls() {
        ProxyConfig config = ProxyConfigLoader.parse("""
                upstream: http://127.0.0.1:3000
                data:
                  directory: data
                  refresh_interval_s: 3600
                  urls:
                    tor: https://check.torproject.org/torbulkexitlist
                """, "gatehouse.yaml", java.nio.file.Path.of("/etc/gatehouse")).build();

        assertThat(config.data().directory()).isEqualTo(java.nio.file.Path.of("/etc/gatehouse/data"));
        assertThat(config.data().refreshInterval()).isEqualTo(java.time.Duration.ofHours(1));
        assertThat(config.data().urls()).containsEntry("tor", java.net.URI.create("https://check.torproject.org/torbulkexitlist"));
        assertThat(config.data().isBundled()).isFalse();
    }

    @Test
    void parse_dataSection_unknownDataSetOrBadValues_nameLineAndColumn() {
        assertThatThrownBy(() -> ProxyConfigLoader.parse("""
                upstream: http://127.0.0.1:3000
                data:
                  urls:
                    torr: https://example.org/list
                """, "gatehouse.yaml", null))
                .hasMessageContaining("gatehouse.yaml:4:5: data.urls.torr: unknown data set (did you mean 'tor'?)");
        assertThatThrownBy(() -> ProxyConfigLoader.parse("""
                upstream: http://127.0.0.1:3000
                data:
                  refresh_interval_s: soon
                """, "gatehouse.yaml", null))
                .hasMessageContaining("gatehouse.yaml:3:23: data.refresh_interval_s: expected a whole number of seconds");
        assertThatThrownBy(() -> ProxyConfigLoader.parse("""
                upstream: http://127.0.0.1:3000
                data:
                  refresh: 10
                """, "gatehouse.yaml", null))
                .hasMessageContaining("gatehouse.yaml:3:3: data.refresh: unknown key");
    }

    @Test
    void parse_noDataSection_isTheBundledData() {
        ProxyConfig config = ProxyConfigLoader.parse("upstream: http://127.0.0.1:3000\n", "gatehouse.yaml", null).build();

        assertThat(config.data().isBundled()).isTrue();
    }
}
