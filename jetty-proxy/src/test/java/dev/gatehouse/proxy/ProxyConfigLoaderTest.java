package dev.gatehouse.proxy;

import dev.gatehouse.net.HostPort;
import dev.gatehouse.settings.SettingsException;
import dev.gatehouse.settings.SettingsSources;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProxyConfigLoaderTest {

    private static final Path BASE = Path.of("/etc/gatehouse");
    private final List<String> warnings = new ArrayList<>();

    private ProxyConfig parse(String yaml) {
        return parse(yaml, Map.of());
    }

    private ProxyConfig parse(String yaml, Map<String, String> env) {
        return ProxyConfigLoader.bind(SettingsSources.yaml(yaml, "gatehouse.yaml", BASE), warnings::add, env::get);
    }

    @Test
    void parse_everyKey() {
        ProxyConfig config = parse("""
                listen: 0.0.0.0:8000
                upstream: http://127.0.0.1:3000
                upstream-timeout: 5s
                admin:
                  listen: 127.0.0.1:9999
                  token-env: GATEHOUSE_ADMIN_TOKEN
                policy: policies/strict.yaml
                budget: 25ms
                fail-mode: closed
                trusted-proxies: [10.0.0.0/8, 192.0.2.1, "2001:db8::/32", loopback]
                dns-servers: [127.0.0.1:5353, 9.9.9.9]
                """, Map.of("GATEHOUSE_ADMIN_TOKEN", "s3cret"));

        assertThat(config.listen()).hasToString("0.0.0.0:8000");
        assertThat(config.upstream()).isEqualTo(URI.create("http://127.0.0.1:3000"));
        assertThat(config.upstreamTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.admin()).hasToString("127.0.0.1:9999");
        assertThat(config.adminToken()).isEqualTo("s3cret");
        assertThat(config.policy()).isEqualTo(BASE.resolve("policies/strict.yaml"));
        assertThat(config.budget()).isEqualTo(Duration.ofMillis(25));
        assertThat(config.failClosed()).isTrue();
        assertThat(config.settings().trustedProxies()).containsExactly("10.0.0.0/8", "192.0.2.1", "2001:db8::/32", "loopback");
        assertThat(config.settings().dnsServers()).extracting(HostPort::toString).containsExactly("127.0.0.1:5353", "9.9.9.9:53");
        assertThat(warnings).isEmpty();
    }

    @Test
    void parse_coreBlock_givesTheSameSettingsAsTheCoreBinder() {
        String core = """
                policy: /etc/gatehouse/policy.yaml
                budget: 80ms
                fail-mode: closed
                trusted-proxies: [loopback, 10.0.0.0/8]
                data:
                  refresh: 6h
                  urls:
                    crawlers/google/common-crawlers.json: https://example.org/google.json
                rate-limit:
                  max-keys: 5000
                providers:
                  iptrust:
                    api-key-env: IPTRUST_API_KEY
                """;

        Map<String, String> env = Map.of("IPTRUST_API_KEY", "k-123");
        ProxyConfig config = parse("listen: 127.0.0.1:8000\nupstream: http://127.0.0.1:3000\n" + core, env);

        assertThat(config.settings()).isEqualTo(dev.gatehouse.settings.SettingsBinder.bind(
                SettingsSources.yaml(core, "other.yaml", null), List.of(), w -> { }, env::get));
    }

    @Test
    void parse_defaults() {
        ProxyConfig config = parse("upstream: http://app:3000\n");

        assertThat(config.listen()).isEqualTo(ProxyConfig.DEFAULT_LISTEN);
        assertThat(config.admin()).isEqualTo(ProxyConfig.DEFAULT_ADMIN);
        assertThat(config.upstreamTimeout()).isEqualTo(ProxyConfig.DEFAULT_UPSTREAM_TIMEOUT);
        assertThat(config.policy()).isNull();
        assertThat(config.budget()).isEqualTo(ProxyConfig.DEFAULT_BUDGET);
        assertThat(config.failClosed()).isFalse();
        assertThat(config.settings().trustedProxies()).isEmpty();
        assertThat(config.settings().data().isBundled()).isTrue();
    }

    @Test
    void parse_trustedProxies_acceptTheNamedSetsAsEverywhereElse() {
        ProxyConfig config = parse("upstream: http://app:3000\ntrusted-proxies: [loopback, private]\n");
        assertThat(config.settings().trustedProxySet().isTrusted(dev.gatehouse.net.IpAddress.parse("10.1.1.1"))).isTrue();
        assertThat(config.settings().trustedProxySet().isTrusted(dev.gatehouse.net.IpAddress.parse("::1"))).isTrue();
    }

    @Test
    void parse_adminOff() {
        assertThat(parse("upstream: http://app:3000\nadmin: off\n").admin()).isNull();
        assertThat(parse("upstream: http://app:3000\nadmin:\n  listen: off\n").admin()).isNull();
    }

    @Test
    void parse_adminTokenEnvNotSet_isAnError() {
        assertThatThrownBy(() -> parse("upstream: http://app:3000\nadmin:\n  token-env: NOPE\n"))
                .hasMessage("gatehouse.yaml:3:14: admin.token-env: the environment variable NOPE is not set (or empty)");
    }

    @Test
    void parse_oldSpellings_stillReadWithWarnings() {
        ProxyConfig config = parse("""
                upstream: http://127.0.0.1:3000
                budget_ms: 25
                fail_closed: true
                upstream_timeout_ms: 5000
                trusted_proxies: [10.0.0.0/8]
                admin:
                  token: s3cret
                """);

        assertThat(config.budget()).isEqualTo(Duration.ofMillis(25));
        assertThat(config.failClosed()).isTrue();
        assertThat(config.upstreamTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.adminToken()).isEqualTo("s3cret");
        assertThat(warnings).hasSize(5)
                .anyMatch(w -> w.startsWith("gatehouse.yaml:4:1: upstream_timeout_ms is deprecated") && w.contains("upstream-timeout: 5000ms"))
                .anyMatch(w -> w.contains("admin.token is deprecated") && w.contains("admin.token-env"));
    }

    @Test
    void parse_unknownKey_namesLineColumnAndSuggestion() {
        assertThatThrownBy(() -> parse("upstream: http://app:3000\nbudgte: 10ms\n"))
                .isInstanceOf(SettingsException.class)
                .hasMessage("gatehouse.yaml:2:1: budgte: unknown key (did you mean 'budget'?)");
        assertThatThrownBy(() -> parse("upstream: http://app:3000\nupstream-timeot: 1s\n"))
                .hasMessage("gatehouse.yaml:2:1: upstream-timeot: unknown key (did you mean 'upstream-timeout'?)");
    }

    @Test
    void parse_unknownAdminKey() {
        assertThatThrownBy(() -> parse("upstream: http://app:3000\nadmin:\n  token-evn: x\n"))
                .hasMessage("gatehouse.yaml:3:3: admin.token-evn: unknown key (did you mean 'admin.token-env'?)");
    }

    @Test
    void parse_listenerKeys_tlsFilesRelativeToTheFile_http2_proxyProtocol_shutdown() {
        ProxyConfig config = parse("""
                upstream: http://127.0.0.1:3000
                listen: 127.0.0.1:8080
                tls:
                  listen: 0.0.0.0:8443
                  certificate: live/fullchain.pem
                  private-key: live/privkey.pem
                  reload: false
                http2: false
                h2c: false
                redirect-to-https: true
                proxy-protocol: { enabled: true, trusted: [10.0.0.0/8, loopback] }
                shutdown-timeout: 5s
                """);

        ListenerSettings l = config.listeners();
        assertThat(l.listen()).hasToString("127.0.0.1:8080");
        assertThat(l.tls().listen()).hasToString("0.0.0.0:8443");
        assertThat(l.tls().certificate()).isEqualTo(BASE.resolve("live/fullchain.pem"));
        assertThat(l.tls().privateKey()).isEqualTo(BASE.resolve("live/privkey.pem"));
        assertThat(l.tls().reload()).isFalse();
        assertThat(l.http2()).isFalse();
        assertThat(l.h2c()).isFalse();
        assertThat(l.redirectToHttps()).isTrue();
        assertThat(l.proxyProtocol().enabled()).isTrue();
        assertThat(l.shutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void parse_listenerKeys_mistakesNameTheKey() {
        assertThatThrownBy(() -> parse("""
                upstream: http://127.0.0.1:3000
                tls:
                  certificate: fullchain.pem
                  keystore: x.p12
                redirect-to-https: true
                proxy-protocol: { enabled: true, trusted: [] }
                shutdown-timeout: -1s
                """))
                .hasMessageContaining("gatehouse.yaml:3:3: tls: give either certificate + private-key (PEM) or keystore, not both")
                .hasMessageContaining("proxy-protocol.trusted: must name the load balancers")
                .hasMessageContaining("shutdown-timeout: expected a duration");
        assertThatThrownBy(() -> parse("""
                upstream: http://127.0.0.1:3000
                redirect-to-https: true
                """)).hasMessageContaining("gatehouse.yaml:2:20: redirect-to-https: needs a tls listener");
        assertThatThrownBy(() -> parse("""
                upstream: http://127.0.0.1:3000
                tls: { listen: 127.0.0.1:8443, certificat: a.pem }
                """)).hasMessageContaining("tls.certificat: unknown key (did you mean 'tls.certificate'?)");
    }

    @Test
    void parse_badValues_allReportedWithTheirPlace() {
        assertThatThrownBy(() -> parse("""
                upstream: ftp://x
                listen: example.com:80
                budget: soon
                upstream-timeout: 0ms
                trusted-proxies: [10.0.0.0/33]
                """))
                .hasMessageContaining("gatehouse.yaml:1:11: upstream: must be an http:// or https:// URL")
                .hasMessageContaining("gatehouse.yaml:2:9: listen: host in 'example.com:80' must be an IP address or localhost")
                .hasMessageContaining("gatehouse.yaml:3:9: budget: expected a duration such as 50ms")
                .hasMessageContaining("gatehouse.yaml:4:19: upstream-timeout: must be positive, was 0ms")
                .hasMessageContaining("gatehouse.yaml:5:18: trusted-proxies:").hasMessageContaining("10.0.0.0/33");
    }

    @Test
    void parse_duplicateKeyOrNotAMapping_isRefused() {
        assertThatThrownBy(() -> parse("listen: 1.2.3.4:1\nlisten: 1.2.3.4:2\n"))
                .isInstanceOf(SettingsException.class).hasMessage("gatehouse.yaml:2:1: listen: duplicate key");
        assertThatThrownBy(() -> parse("- a\n- b\n")).hasMessageContaining("must be a mapping");
    }

    @Test
    void parse_upstreamList_preserveHost_upstreamHealth() {
        ProxyConfig config = parse("""
                upstream: [http://10.0.0.11:3000, "http://10.0.0.12:3000/base"]
                preserve-host: false
                upstream-health:
                  backoff: 30s
                  path: /healthz
                  interval: 10s
                  timeout: 1s
                  unhealthy-after: 3
                  healthy-after: 1
                """);

        assertThat(config.upstreams().targets()).containsExactly(URI.create("http://10.0.0.11:3000"), URI.create("http://10.0.0.12:3000/base"));
        assertThat(config.upstream()).isEqualTo(URI.create("http://10.0.0.11:3000"));
        assertThat(config.upstreams().preserveHost()).isFalse();
        assertThat(config.upstreams().health()).isEqualTo(new UpstreamSettings.Health(Duration.ofSeconds(30), "/healthz",
                Duration.ofSeconds(10), Duration.ofSeconds(1), 3, 1));
    }

    @Test
    void parse_singleUpstream_defaults() {
        ProxyConfig config = parse("upstream: http://app:3000\n");

        assertThat(config.upstreams().targets()).containsExactly(URI.create("http://app:3000"));
        assertThat(config.upstreams().preserveHost()).isTrue();
        assertThat(config.upstreams().health()).isEqualTo(UpstreamSettings.Health.DEFAULTS);
        assertThat(config.upstreams().health().active()).isFalse();
    }

    @Test
    void parse_upstreamMistakes_nameTheKey() {
        assertThatThrownBy(() -> parse("upstream: [http://a:1, ftp://b:2]\n"))
                .hasMessageContaining("gatehouse.yaml:1:").hasMessageContaining("upstream: must be an http:// or https:// URL with a host, was 'ftp://b:2'");
        assertThatThrownBy(() -> parse("upstream: [http://a:1, http://a:1]\n")).hasMessageContaining("the same URL twice");
        assertThatThrownBy(() -> parse("upstream: http://a:1\nupstream-health:\n  path: healthz\n"))
                .hasMessageContaining("gatehouse.yaml:3:9: upstream-health.path: must start with /, was 'healthz'");
        assertThatThrownBy(() -> parse("upstream: http://a:1\nupstream-health:\n  unhealthy-after: 0\n"))
                .hasMessageContaining("upstream-health.unhealthy-after: must be at least 1, was 0");
        assertThatThrownBy(() -> parse("upstream: http://a:1\nupstream-health:\n  intervall: 1s\n"))
                .hasMessageContaining("intervall").hasMessageContaining("interval");
        assertThatThrownBy(() -> parse("upstream: http://a:1\npreserve-host: maybe\n")).hasMessageContaining("preserve-host");
    }

    @Test
    void parse_tlsSelfSignedIfMissing() {
        ProxyConfig config = parse("upstream: http://a:1\ntls:\n  certificate: c.pem\n  private-key: k.pem\n  self-signed-if-missing: true\n");

        assertThat(config.listeners().tls().selfSignedIfMissing()).isTrue();
        assertThat(parse("upstream: http://a:1\ntls:\n  certificate: c.pem\n  private-key: k.pem\n").listeners().tls().selfSignedIfMissing())
                .isFalse();
        assertThatThrownBy(() -> parse("upstream: http://a:1\ntls:\n  keystore: k.p12\n  self-signed-if-missing: true\n"))
                .hasMessageContaining("self-signed-if-missing needs certificate + private-key");
    }

    @Test
    void parse_noUpstream_saysWhatIsMissing() {
        assertThatThrownBy(() -> parse("listen: 127.0.0.1:8080\n"))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("upstream: is required: give --upstream URL, or upstream: in the config file");
    }

    @Test
    void parse_yamlTagsAreNotConstructed() {
        assertThatThrownBy(() -> parse("upstream: !!javax.script.ScriptEngineManager [x]\n"))
                .isInstanceOf(SettingsException.class);
    }

    @Test
    void parse_dataSection_directoryRelativeToTheFile_refreshAndUrls() {
        ProxyConfig config = parse("""
                upstream: http://127.0.0.1:3000
                data:
                  directory: data
                  refresh: 1h
                  urls:
                    tor: https://check.torproject.org/torbulkexitlist
                """);

        assertThat(config.settings().data().directory()).isEqualTo(Path.of("/etc/gatehouse/data"));
        assertThat(config.settings().data().refresh()).isEqualTo(Duration.ofHours(1));
        assertThat(config.settings().data().urls()).containsEntry("tor", URI.create("https://check.torproject.org/torbulkexitlist"));
        assertThat(config.settings().data().isBundled()).isFalse();
    }

    @Test
    void parse_dataSection_unknownDataSetOrBadValues_nameLineAndColumn() {
        assertThatThrownBy(() -> parse("""
                upstream: http://127.0.0.1:3000
                data:
                  urls:
                    torr: https://example.org/list
                """))
                .hasMessageContaining("gatehouse.yaml:4:11: data.urls.torr: unknown data set (did you mean 'tor'?)");
        assertThatThrownBy(() -> parse("""
                upstream: http://127.0.0.1:3000
                data:
                  refresh: soon
                """))
                .hasMessageContaining("gatehouse.yaml:3:12: data.refresh: expected a duration");
    }
}
