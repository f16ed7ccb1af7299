package dev.gatehouse.proxy;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where allowed requests go: one or more upstreams (round-robin over the healthy ones), whether the
 * client's {@code Host} is kept, and how health is judged. Immutable; made by {@link #of} or
 * {@link #builder()}, whose checks name the {@code gatehouse.yaml} key:
 *
 * <pre>{@code
 * upstream: [http://10.0.0.11:3000, http://10.0.0.12:3000]   # or one URL
 * preserve-host: true
 * upstream-health:
 *   backoff: 10s          # passive: a failed connect takes an upstream out for this long
 *   path: /healthz        # active checks (left out = passive only)
 *   interval: 5s
 *   timeout: 2s
 *   unhealthy-after: 2
 *   healthy-after: 2
 * }</pre>
 *
 * @param targets      the upstreams, each an absolute {@code http}/{@code https} URL, maybe with a base path; not empty
 * @param preserveHost send the client's {@code Host} to the upstream (true) or the upstream's own authority (false)
 * @param health       passive and active health settings
 */
public record UpstreamSettings(List<URI> targets, boolean preserveHost, Health health) {

    /** The default of {@code preserve-host}: applications build links and pick virtual hosts from {@code Host}. */
    public static final boolean DEFAULT_PRESERVE_HOST = true;

    public UpstreamSettings {
        targets = List.copyOf(targets);
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("upstream must name at least one URL");
        }
        targets.forEach(UpstreamSettings::checkUrl);
        if (targets.stream().distinct().count() != targets.size()) {
            throw new IllegalArgumentException("upstream lists the same URL twice: " + targets);
        }
        Objects.requireNonNull(health, "upstream-health");
    }

    /** One upstream, the client's {@code Host} kept, passive health only. */
    public static UpstreamSettings of(URI upstream) {
        return new UpstreamSettings(List.of(upstream), DEFAULT_PRESERVE_HOST, Health.DEFAULTS);
    }

    /** The first upstream (the only one in most set-ups). */
    public URI first() {
        return targets.get(0);
    }

    public UpstreamSettings withTargets(List<URI> targets) {
        return new UpstreamSettings(targets, preserveHost, health);
    }

    public UpstreamSettings withPreserveHost(boolean preserveHost) {
        return new UpstreamSettings(targets, preserveHost, health);
    }

    public UpstreamSettings withHealth(Health health) {
        return new UpstreamSettings(targets, preserveHost, health);
    }

    /** @throws IllegalArgumentException unless {@code upstream} is an absolute http(s) URL with a host, no query, no fragment */
    static URI checkUrl(URI upstream) {
        Objects.requireNonNull(upstream, "upstream");
        String scheme = upstream.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) || upstream.getHost() == null) {
            throw new IllegalArgumentException("upstream must be an http:// or https:// URL with a host, was '" + upstream + "'");
        }
        if (upstream.getRawQuery() != null || upstream.getRawFragment() != null) {
            throw new IllegalArgumentException("upstream must not have a query or fragment, was '" + upstream + "'");
        }
        return upstream;
    }

    /**
     * How upstream health is judged.
     * <ul>
     *   <li>Passive, always on with two or more upstreams: a connection that cannot be established takes
     *       the upstream out of the rotation for {@code backoff}; the request is retried on the next one.
     *       A single upstream is never taken out this way (there is nowhere else to go, and a short blip
     *       must not become a {@code backoff}-long outage), as nginx does.</li>
     *   <li>Active, when {@code path} is set: every {@code interval} a {@code GET path} on each upstream;
     *       a 2xx or 3xx within {@code timeout} is a success. {@code unhealthyAfter} failures in a row take
     *       it out, {@code healthyAfter} successes in a row bring it back.</li>
     * </ul>
     *
     * @param backoff        how long a failed connect keeps an upstream out (passive)
     * @param path           the active check's path ({@code /healthz}); {@code null} = no active checks
     * @param interval       time between two active checks of one upstream
     * @param timeout        how long one active check may take
     * @param unhealthyAfter failed checks in a row before an upstream is taken out
     * @param healthyAfter   passed checks in a row before it is brought back
     */
    public record Health(Duration backoff, String path, Duration interval, Duration timeout, int unhealthyAfter, int healthyAfter) {

        public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(10);
        public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
        public static final int DEFAULT_UNHEALTHY_AFTER = 2;
        public static final int DEFAULT_HEALTHY_AFTER = 2;
        /** Passive health with a 10 s backoff, no active checks. */
        public static final Health DEFAULTS = new Health(DEFAULT_BACKOFF, null, DEFAULT_INTERVAL, DEFAULT_TIMEOUT,
                DEFAULT_UNHEALTHY_AFTER, DEFAULT_HEALTHY_AFTER);

        public Health {
            positive("upstream-health.backoff", backoff);
            positive("upstream-health.interval", interval);
            positive("upstream-health.timeout", timeout);
            if (path != null && !path.startsWith("/")) {
                throw new IllegalArgumentException("upstream-health.path must start with /, was '" + path + "'");
            }
            if (unhealthyAfter < 1) {
                throw new IllegalArgumentException("upstream-health.unhealthy-after must be at least 1, was " + unhealthyAfter);
            }
            if (healthyAfter < 1) {
                throw new IllegalArgumentException("upstream-health.healthy-after must be at least 1, was " + healthyAfter);
            }
        }

        /** Whether active checks run. */
        public boolean active() {
            return path != null;
        }

        private static void positive(String key, Duration value) {
            Objects.requireNonNull(value, key);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(key + " must be positive, was " + value.toMillis() + "ms");
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link UpstreamSettings}: each value is checked when set. */
    public static final class Builder {
        private final List<URI> targets = new ArrayList<>();
        private boolean preserveHost = DEFAULT_PRESERVE_HOST;
        private Health health = Health.DEFAULTS;

        private Builder() {
        }

        public Builder target(URI upstream) {
            targets.add(checkUrl(upstream));
            return this;
        }

        public Builder preserveHost(boolean preserveHost) {
            this.preserveHost = preserveHost;
            return this;
        }

        public Builder health(Health health) {
            this.health = Objects.requireNonNull(health, "upstream-health");
            return this;
        }

        public UpstreamSettings build() {
            return new UpstreamSettings(targets, preserveHost, health);
        }
    }
}
