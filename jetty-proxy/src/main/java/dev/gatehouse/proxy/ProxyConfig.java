package dev.gatehouse.proxy;

import dev.gatehouse.net.HostPort;
import dev.gatehouse.settings.GatehouseSettings;
import dev.gatehouse.settings.SettingsReader;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the proxy runs: the proxy-only settings (where it listens, where it forwards, the admin listener)
 * around the core {@link GatehouseSettings} that every adapter shares. Immutable; read from
 * {@code gatehouse.yaml} and command-line flags by {@link ProxyConfigLoader}; every key is in
 * {@code docs/configuration.md}.
 *
 * @param listeners       where and how clients connect: plain HTTP, TLS, HTTP/2, PROXY protocol, drain time
 * @param upstream        the application behind the proxy ({@code http://127.0.0.1:3000})
 * @param upstreamTimeout how long the upstream may take before the client gets 504
 * @param admin           the admin listener; {@code null} = none
 * @param adminToken      bearer token for the admin endpoints (read from {@code admin.token-env}); {@code null} = none
 * @param settings        the core settings: policy, budget, fail mode, trusted proxies, data, rate limits, …
 */
public record ProxyConfig(ListenerSettings listeners, URI upstream, Duration upstreamTimeout, HostPort admin, String adminToken,
                          GatehouseSettings settings) {

    public static final HostPort DEFAULT_LISTEN = ListenerSettings.DEFAULT_LISTEN;
    public static final HostPort DEFAULT_ADMIN = HostPort.parse("127.0.0.1:9090", -1);
    public static final Duration DEFAULT_BUDGET = GatehouseSettings.DEFAULT_BUDGET;
    public static final Duration DEFAULT_UPSTREAM_TIMEOUT = Duration.ofSeconds(30);

    public ProxyConfig {
        Objects.requireNonNull(listeners, "listeners");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(upstreamTimeout, "upstreamTimeout");
        Objects.requireNonNull(settings, "settings");
    }

    /** The plain HTTP listener ({@code listen}). */
    public HostPort listen() {
        return listeners.listen();
    }

    /** The policy file; {@code null} = the bundled {@code default.yaml}. */
    public Path policy() {
        return settings.policyFile();
    }

    public Duration budget() {
        return settings.budget();
    }

    public boolean failClosed() {
        return !settings.failOpen();
    }

    /**
     * This config with the public data feeds {@code on} unless the settings said otherwise
     * ({@code data.public-feeds}, {@code data.refresh: off}): {@code gatehouse run} passes {@code true}.
     */
    public ProxyConfig withPublicFeedsDefault(boolean on) {
        GatehouseSettings s = GatehouseSettings.from(settings).data(settings.data().withPublicFeedsDefault(on)).build();
        return new ProxyConfig(listeners, upstream, upstreamTimeout, admin, adminToken, s);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link ProxyConfig}; each setting is checked when made and the message names its key. */
    public static final class Builder {
        private ListenerSettings listeners = ListenerSettings.DEFAULTS;
        private URI upstream;
        private Duration upstreamTimeout = DEFAULT_UPSTREAM_TIMEOUT;
        private HostPort admin = DEFAULT_ADMIN;
        private String adminToken;
        private GatehouseSettings settings = GatehouseSettings.ofDefaults();

        private Builder() {
        }

        /** The plain listener alone (the rest of the listener settings unchanged). */
        public Builder listen(HostPort listen) {
            this.listeners = listeners.toBuilder().listen(Objects.requireNonNull(listen, "listen")).build();
            return this;
        }

        public Builder listeners(ListenerSettings listeners) {
            this.listeners = Objects.requireNonNull(listeners, "listeners");
            return this;
        }

        /** The upstream: an absolute {@code http} or {@code https} URL with a host. */
        public Builder upstream(URI upstream) {
            Objects.requireNonNull(upstream, "upstream");
            String scheme = upstream.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) || upstream.getHost() == null) {
                throw new IllegalArgumentException("upstream must be an http:// or https:// URL with a host, was '" + upstream + "'");
            }
            if (upstream.getRawQuery() != null || upstream.getRawFragment() != null) {
                throw new IllegalArgumentException("upstream must not have a query or fragment, was '" + upstream + "'");
            }
            this.upstream = upstream;
            return this;
        }

        public Builder upstreamTimeout(Duration upstreamTimeout) {
            if (upstreamTimeout.isNegative() || upstreamTimeout.isZero()) {
                throw new IllegalArgumentException("upstream-timeout must be positive, was " + SettingsReader.format(upstreamTimeout));
            }
            this.upstreamTimeout = upstreamTimeout;
            return this;
        }

        /** The admin listener, or {@code null} for none. */
        public Builder admin(HostPort admin) {
            this.admin = admin;
            return this;
        }

        public Builder adminToken(String adminToken) {
            if (adminToken != null && adminToken.isBlank()) {
                throw new IllegalArgumentException("admin token must not be blank");
            }
            this.adminToken = adminToken;
            return this;
        }

        public Builder settings(GatehouseSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** @throws IllegalStateException when no upstream was given */
        public ProxyConfig build() {
            if (upstream == null) {
                throw new IllegalStateException("upstream is required (--upstream URL or 'upstream:' in the config file)");
            }
            return new ProxyConfig(listeners, upstream, upstreamTimeout, admin, adminToken, settings);
        }
    }
}
