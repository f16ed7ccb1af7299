package dev.gatehouse.proxy;

import dev.gatehouse.net.HostPort;
import dev.gatehouse.settings.GatehouseSettings;
import dev.gatehouse.settings.SettingsReader;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the proxy runs: the proxy-only settings (where it listens, where it forwards, the admin listener)
 * around the core {@link GatehouseSettings} that every adapter shares. Immutable; read from
 * {@code gatehouse.yaml} and command-line flags by {@link ProxyConfigLoader}; every key is in
 * {@code docs/configuration.md}.
 *
 * @param listeners       where and how clients connect: plain HTTP, TLS, HTTP/2, PROXY protocol, drain time
 * @param upstreams       the application behind the proxy: one URL or several, {@code preserve-host}, {@code upstream-health}
 * @param upstreamTimeout how long the upstream may take before the client gets 504
 * @param admin           the admin listener; {@code null} = none
 * @param adminToken      bearer token for the admin endpoints (read from {@code admin.token-env}); {@code null} = none
 * @param settings        the core settings: policy, budget, fail mode, trusted proxies, data, rate limits, …
 */
public record ProxyConfig(ListenerSettings listeners, UpstreamSettings upstreams, Duration upstreamTimeout, HostPort admin, String adminToken,
                          GatehouseSettings settings) {

    public static final HostPort DEFAULT_LISTEN = ListenerSettings.DEFAULT_LISTEN;
    public static final HostPort DEFAULT_ADMIN = HostPort.parse("127.0.0.1:9090", -1);
    public static final Duration DEFAULT_BUDGET = GatehouseSettings.DEFAULT_BUDGET;
    public static final Duration DEFAULT_UPSTREAM_TIMEOUT = Duration.ofSeconds(30);

    public ProxyConfig {
        Objects.requireNonNull(listeners, "listeners");
        Objects.requireNonNull(upstreams, "upstreams");
        Objects.requireNonNull(upstreamTimeout, "upstreamTimeout");
        Objects.requireNonNull(settings, "settings");
    }

    /** The first (often the only) upstream. */
    public URI upstream() {
        return upstreams.first();
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
        return new ProxyConfig(listeners, upstreams, upstreamTimeout, admin, adminToken, s);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link ProxyConfig}; each setting is checked when made and the message names its key. */
    public static final class Builder {
        private ListenerSettings listeners = ListenerSettings.DEFAULTS;
        private List<URI> upstreams;
        private boolean preserveHost = UpstreamSettings.DEFAULT_PRESERVE_HOST;
        private UpstreamSettings.Health upstreamHealth = UpstreamSettings.Health.DEFAULTS;
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

        /** One upstream: an absolute {@code http} or {@code https} URL with a host (replaces any list). */
        public Builder upstream(URI upstream) {
            return upstreams(List.of(upstream));
        }

        /** Several upstreams, round-robin over the healthy ones (replaces any earlier value). */
        public Builder upstreams(List<URI> upstreams) {
            if (upstreams.isEmpty()) {
                throw new IllegalArgumentException("upstream must name at least one URL");
            }
            upstreams.forEach(UpstreamSettings::checkUrl);
            this.upstreams = List.copyOf(upstreams);
            return this;
        }

        /** {@code preserve-host}: the client's {@code Host} to the upstream (default true), or the upstream's own. */
        public Builder preserveHost(boolean preserveHost) {
            this.preserveHost = preserveHost;
            return this;
        }

        /** {@code upstream-health}: passive backoff and optional active checks. */
        public Builder upstreamHealth(UpstreamSettings.Health health) {
            this.upstreamHealth = Objects.requireNonNull(health, "upstream-health");
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
            if (upstreams == null) {
                throw new IllegalStateException("upstream is required (--upstream URL or 'upstream:' in the config file)");
            }
            return new ProxyConfig(listeners, new UpstreamSettings(upstreams, preserveHost, upstreamHealth), upstreamTimeout, admin,
                    adminToken, settings);
        }
    }
}
