package dev.gatehouse.proxy;

import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.Cidr;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How the proxy runs: where it listens, where it forwards, which policy, the admin listener, trusted
 * proxies, the time budget. Immutable; read from {@code gatehouse.yaml} by {@link ProxyConfigLoader} and
 * overridden by command-line flags through {@link #toBuilder()}.
 *
 * @param listen          where clients connect
 * @param upstream        the application behind the proxy ({@code http://127.0.0.1:3000})
 * @param policy          the policy file, watched for changes; {@code null} = the bundled {@code default.yaml}
 * @param admin           the admin listener; {@code null} = none
 * @param adminToken      bearer token for the admin endpoints; {@code null} = none
 * @param trustedProxies  peers whose {@code X-Forwarded-For} / {@code Forwarded} are believed
 * @param budget          how long a request may wait for signals
 * @param failClosed      on an engine or policy error, refuse (503) instead of allowing
 * @param upstreamTimeout how long the upstream may take before the client gets 504
 * @param dnsServers      resolvers for crawler verification; empty = the system's
 * @param data            where the embedded engine's data comes from and how often it is refreshed
 */
public record ProxyConfig(HostPort listen, URI upstream, Path policy, HostPort admin, String adminToken,
                          List<Cidr> trustedProxies, Duration budget, boolean failClosed, Duration upstreamTimeout,
                          List<HostPort> dnsServers, DataSettings data) {

    /**
     * The embedded engine's data: the bundled snapshot unless an operator directory (same file names and
     * formats as the vendors publish) or per-data-set URLs are given; refreshed off the request path.
     *
     * @param directory        operator data directory; {@code null} = the bundled data
     * @param refreshInterval  how often to reload; {@code null} = never after start-up
     * @param urls             data-set key → URL (e.g. {@code tor}, {@code crawlers/google/common-crawlers.json})
     */
    public record DataSettings(Path directory, Duration refreshInterval, java.util.Map<String, URI> urls) {
        public static final DataSettings BUNDLED = new DataSettings(null, null, java.util.Map.of());

        public DataSettings {
            urls = java.util.Map.copyOf(urls);
            if (refreshInterval != null && (refreshInterval.isNegative() || refreshInterval.isZero())) {
                throw new IllegalArgumentException("refresh interval must be positive, was " + refreshInterval);
            }
        }

        /** Whether anything differs from the bundled, never-refreshed data. */
        public boolean isBundled() {
            return directory == null && refreshInterval == null && urls.isEmpty();
        }
    }

    public static final HostPort DEFAULT_LISTEN = HostPort.parse("127.0.0.1:8080", -1);
    public static final HostPort DEFAULT_ADMIN = HostPort.parse("127.0.0.1:9090", -1);
    public static final Duration DEFAULT_BUDGET = Duration.ofMillis(50);
    public static final Duration DEFAULT_UPSTREAM_TIMEOUT = Duration.ofSeconds(30);

    public ProxyConfig {
        Objects.requireNonNull(listen, "listen");
        trustedProxies = List.copyOf(trustedProxies);
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(upstreamTimeout, "upstreamTimeout");
        dnsServers = List.copyOf(dnsServers);
        Objects.requireNonNull(data, "data");
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.listen = listen;
        b.upstream = upstream;
        b.policy = policy;
        b.admin = admin;
        b.adminToken = adminToken;
        b.trustedProxies = new ArrayList<>(trustedProxies);
        b.budget = budget;
        b.failClosed = failClosed;
        b.upstreamTimeout = upstreamTimeout;
        b.dnsServers = new ArrayList<>(dnsServers);
        b.data = data;
        return b;
    }

    /** Builds a {@link ProxyConfig}; each setting is checked when made. */
    public static final class Builder {
        private HostPort listen = DEFAULT_LISTEN;
        private URI upstream;
        private Path policy;
        private HostPort admin = DEFAULT_ADMIN;
        private String adminToken;
        private List<Cidr> trustedProxies = new ArrayList<>();
        private Duration budget = DEFAULT_BUDGET;
        private boolean failClosed;
        private Duration upstreamTimeout = DEFAULT_UPSTREAM_TIMEOUT;
        private List<HostPort> dnsServers = new ArrayList<>();
        private DataSettings data = DataSettings.BUNDLED;

        private Builder() {
        }

        public Builder listen(HostPort listen) {
            this.listen = Objects.requireNonNull(listen, "listen");
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

        public Builder policy(Path policy) {
            this.policy = policy;
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

        public Builder trustedProxies(List<Cidr> trustedProxies) {
            this.trustedProxies = new ArrayList<>(trustedProxies);
            return this;
        }

        public Builder budget(Duration budget) {
            if (budget.isNegative() || budget.isZero()) {
                throw new IllegalArgumentException("budget must be positive, was " + budget.toMillis() + " ms");
            }
            this.budget = budget;
            return this;
        }

        public Builder failClosed(boolean failClosed) {
            this.failClosed = failClosed;
            return this;
        }

        public Builder upstreamTimeout(Duration upstreamTimeout) {
            if (upstreamTimeout.isNegative() || upstreamTimeout.isZero()) {
                throw new IllegalArgumentException("upstream timeout must be positive, was " + upstreamTimeout.toMillis() + " ms");
            }
            this.upstreamTimeout = upstreamTimeout;
            return this;
        }

        public Builder dnsServers(List<HostPort> dnsServers) {
            this.dnsServers = new ArrayList<>(dnsServers);
            return this;
        }

        public Builder data(DataSettings data) {
            this.data = Objects.requireNonNull(data, "data");
            return this;
        }

        /** @throws IllegalStateException when no upstream was given */
        public ProxyConfig build() {
            if (upstream == null) {
                throw new IllegalStateException("upstream is required (--upstream URL or 'upstream:' in the config file)");
            }
            return new ProxyConfig(listen, upstream, policy, admin, adminToken, trustedProxies, budget, failClosed,
                    upstreamTimeout, dnsServers, data);
        }
    }
}
