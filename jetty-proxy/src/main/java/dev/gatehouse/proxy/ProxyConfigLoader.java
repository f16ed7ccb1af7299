package dev.gatehouse.proxy;

import dev.gatehouse.net.HostPort;
import dev.gatehouse.settings.GatehouseSettings;
import dev.gatehouse.settings.SettingsBinder;
import dev.gatehouse.settings.SettingsException;
import dev.gatehouse.settings.SettingsNode;
import dev.gatehouse.settings.SettingsReader;
import dev.gatehouse.settings.SettingsSources;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reads {@code gatehouse.yaml}: the core keys through {@link SettingsBinder} (the same binder as the
 * servlet filter's init-params and Spring's {@code gatehouse.*}), and the proxy's own keys
 * ({@code listen}, {@code upstream}, {@code upstream-timeout}, {@code preserve-host}, {@code upstream-health},
 * {@code admin}, the listener keys) with the same reader.
 * Every mistake is reported as {@code FILE:LINE:COLUMN: key: what is wrong}, all at once.
 *
 * <pre>{@code
 * listen: 0.0.0.0:8080
 * upstream: http://127.0.0.1:3000      # or a list: [http://10.0.0.11:3000, http://10.0.0.12:3000]
 * upstream-timeout: 30s
 * preserve-host: true
 * upstream-health: { backoff: 10s, path: /healthz, interval: 5s, timeout: 2s, unhealthy-after: 2, healthy-after: 2 }
 * admin: { listen: 127.0.0.1:9090, token-env: GATEHOUSE_ADMIN_TOKEN }   # or admin: off
 * policy: policies/default.yaml      # relative to this file; left out = the bundled default
 * budget: 50ms
 * trusted-proxies: [10.0.0.0/8]
 * }</pre>
 */
public final class ProxyConfigLoader {

    /** The proxy's own top-level keys. */
    public static final List<String> PROXY_KEYS = List.of("listen", "upstream", "upstream-timeout", "preserve-host", "upstream-health", "admin",
            "tls", "http2", "h2c", "redirect-to-https", "proxy-protocol", "shutdown-timeout");
    static final List<String> ADMIN_KEYS = List.of("listen", "token-env");
    static final List<String> TLS_KEYS = List.of("listen", "certificate", "private-key", "keystore", "keystore-password-env", "reload",
            "self-signed-if-missing");
    static final List<String> UPSTREAM_HEALTH_KEYS = List.of("backoff", "path", "interval", "timeout", "unhealthy-after", "healthy-after");
    static final List<String> PROXY_PROTOCOL_KEYS = List.of("enabled", "trusted");

    private ProxyConfigLoader() {
    }

    /**
     * Reads {@code file} (or nothing, when {@code null}) with {@code overrides} (the command-line flags)
     * laid on top.
     *
     * @param env where {@code admin.token-env} is looked up ({@code System::getenv})
     * @throws SettingsException listing every problem
     */
    public static ProxyConfig load(Path file, SettingsNode.Mapping overrides, Consumer<String> warnings, Function<String, String> env) {
        SettingsNode.Mapping tree = file == null ? SettingsNode.Mapping.empty("(no config file)") : SettingsSources.yaml(file);
        return bind(overrides == null ? tree : tree.overlay(overrides), warnings, env);
    }

    /** Parses config text; a relative path is resolved against {@code baseDir}. For tests and tools. */
    public static ProxyConfig parse(String text, String fileName, Path baseDir) {
        return bind(SettingsSources.yaml(text, fileName, baseDir), w -> { }, System::getenv);
    }

    /** Binds a settings tree: the core keys and the proxy's. */
    public static ProxyConfig bind(SettingsNode.Mapping tree, Consumer<String> warnings, Function<String, String> env) {
        SettingsReader r = SettingsReader.of(tree, warnings);
        r.deprecated("upstream_timeout_ms", "upstream-timeout", ms -> ms.matches("\\d+") ? ms + "ms" : ms)
                .deprecated("upstream-timeout-ms", "upstream-timeout", ms -> ms.matches("\\d+") ? ms + "ms" : ms);
        GatehouseSettings settings = SettingsBinder.read(r, PROXY_KEYS, env);
        ProxyConfig.Builder b = ProxyConfig.builder();
        listeners(r, b);
        upstreams(r, b);
        Duration timeout = r.duration("upstream-timeout");
        if (timeout != null) {
            r.apply("upstream-timeout", () -> b.upstreamTimeout(timeout));
        }
        admin(r, b, env);
        r.throwIfAny();
        b.settings(settings);
        try {
            return b.build();
        } catch (IllegalStateException e) {
            throw new SettingsException(List.of(new SettingsException.Problem(tree.origin(), "upstream",
                    "is required: give --upstream URL, or upstream: in the config file")));
        }
    }

    /** {@code listen}, {@code tls}, {@code http2}, {@code h2c}, {@code redirect-to-https}, {@code proxy-protocol}, {@code shutdown-timeout}. */
    private static void listeners(SettingsReader r, ProxyConfig.Builder b) {
        ListenerSettings.Builder l = ListenerSettings.builder();
        HostPort listen = r.hostPort("listen", -1);
        if (listen != null) {
            l.listen(listen);
        }
        SettingsReader tls = r.child("tls");
        if (tls != null) {
            tls.checkKeys(TLS_KEYS, List.of());
            HostPort tlsListen = tls.has("listen") ? tls.hostPort("listen", -1) : ListenerSettings.DEFAULT_TLS_LISTEN;
            Path certificate = tls.path("certificate");
            Path privateKey = tls.path("private-key");
            Path keystore = tls.path("keystore");
            String passwordEnv = tls.string("keystore-password-env");
            Boolean reload = tls.bool("reload");
            Boolean selfSigned = tls.bool("self-signed-if-missing");
            if (tlsListen != null) {
                r.apply("tls", () -> l.tls(
                        new ListenerSettings.Tls(tlsListen, certificate, privateKey, keystore, passwordEnv, reload == null || reload,
                        selfSigned != null && selfSigned)));
            }
        }
        Boolean http2 = r.bool("http2");
        if (http2 != null) {
            l.http2(http2);
        }
        Boolean h2c = r.bool("h2c");
        if (h2c != null) {
            l.h2c(h2c);
        }
        Boolean redirect = r.bool("redirect-to-https");
        if (redirect != null) {
            l.redirectToHttps(redirect);
        }
        SettingsReader proxyProtocol = r.child("proxy-protocol");
        if (proxyProtocol != null) {
            proxyProtocol.checkKeys(PROXY_PROTOCOL_KEYS, List.of());
            Boolean enabled = proxyProtocol.bool("enabled");
            List<String> trusted = proxyProtocol.list("trusted");
            if (enabled == null || enabled) {
                proxyProtocol.apply("trusted", () -> l.proxyProtocol(
                        ListenerSettings.ProxyProtocol.trusting(trusted == null ? List.of() : trusted)));
            }
        }
        Duration shutdown = r.duration("shutdown-timeout");
        if (shutdown != null) {
            r.apply("shutdown-timeout", () -> l.shutdownTimeout(shutdown));
        }
        r.apply(redirect != null && redirect ? "redirect-to-https" : "tls", () -> b.listeners(l.build()));
    }

    /** {@code upstream} (one URL or a list), {@code preserve-host}, {@code upstream-health}. */
    private static void upstreams(SettingsReader r, ProxyConfig.Builder b) {
        List<String> texts = r.list("upstream");
        if (texts != null) {
            List<URI> urls = new java.util.ArrayList<>();
            for (String text : texts) {
                try {
                    urls.add(new URI(text));
                } catch (java.net.URISyntaxException e) {
                    r.problem("upstream", "not a URL: '" + text + "'");
                }
            }
            if (urls.size() == texts.size()) {
                r.apply("upstream", () -> b.upstreams(urls));
            }
        }
        Boolean preserveHost = r.bool("preserve-host");
        if (preserveHost != null) {
            b.preserveHost(preserveHost);
        }
        SettingsReader health = r.child("upstream-health");
        if (health != null) {
            health.checkKeys(UPSTREAM_HEALTH_KEYS, List.of());
            UpstreamSettings.Health d = UpstreamSettings.Health.DEFAULTS;
            Duration backoff = health.duration("backoff");
            String path = health.string("path");
            Duration interval = health.duration("interval");
            Duration timeout = health.duration("timeout");
            Long unhealthyAfter = health.integer("unhealthy-after");
            Long healthyAfter = health.integer("healthy-after");
            try {
                b.upstreamHealth(new UpstreamSettings.Health(backoff != null ? backoff : d.backoff(), path,
                        interval != null ? interval : d.interval(), timeout != null ? timeout : d.timeout(),
                        unhealthyAfter != null ? Math.toIntExact(Math.min(unhealthyAfter, 1000)) : d.unhealthyAfter(),
                        healthyAfter != null ? Math.toIntExact(Math.min(healthyAfter, 1000)) : d.healthyAfter()));
            } catch (IllegalArgumentException e) {
                // the message names the key ("upstream-health.path must …"): report it at that key's line
                String message = e.getMessage();
                String key = message.startsWith("upstream-health.") ? message.substring(16, message.indexOf(' ')) : "path";
                health.problem(health.has(key) ? key : UPSTREAM_HEALTH_KEYS.stream().filter(health::has).findFirst().orElse(key), message);
            }
        }
    }

    private static void admin(SettingsReader r, ProxyConfig.Builder b, Function<String, String> env) {
        String off = r.node("admin") instanceof SettingsNode.Scalar ? r.string("admin") : null;
        if (off != null) {
            if (off.equalsIgnoreCase("off") || off.equalsIgnoreCase("false")) {
                b.admin(null);
            } else {
                r.problem("admin", "expected a mapping with listen: and token-env:, or off; was '" + off + "'");
            }
            return;
        }
        SettingsReader admin = r.child("admin");
        if (admin == null) {
            return;
        }
        admin.checkKeys(ADMIN_KEYS, List.of("token"));
        String listen = admin.string("listen");
        if (listen != null) {
            admin.apply("listen", () -> b.admin(listen.equalsIgnoreCase("off") ? null : HostPort.parse(listen, -1)));
        }
        String inline = admin.string("token");
        if (inline != null) {
            admin.warn("token", "is deprecated (a secret in a file): put the token in an environment variable and name it in admin.token-env");
            admin.apply("token", () -> b.adminToken(inline));
        }
        String tokenEnv = admin.string("token-env");
        if (tokenEnv != null) {
            String token = env.apply(tokenEnv);
            if (token == null || token.isBlank()) {
                admin.problem("token-env", "the environment variable " + tokenEnv + " is not set (or empty)");
            } else {
                b.adminToken(token);
            }
        }
    }
}
