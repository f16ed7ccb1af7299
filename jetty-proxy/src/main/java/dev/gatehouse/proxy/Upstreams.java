package dev.gatehouse.proxy;

import dev.gatehouse.net.LogSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The upstreams at run time: round-robin over the healthy ones, passive marks (a failed connect takes
 * one out for the backoff) and the active checks' verdicts ({@link UpstreamHealthCheck}). Thread-safe;
 * time comes from the injected {@link Clock}, so tests move it by hand.
 */
final class Upstreams {

    private static final Logger log = LoggerFactory.getLogger(Upstreams.class);

    private final List<Upstream> all;
    private final UpstreamSettings settings;
    private final Clock clock;
    private final AtomicInteger next = new AtomicInteger();

    Upstreams(UpstreamSettings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        List<Upstream> list = new ArrayList<>();
        for (URI target : settings.targets()) {
            list.add(new Upstream(target));
        }
        this.all = List.copyOf(list);
    }

    UpstreamSettings settings() {
        return settings;
    }

    List<Upstream> all() {
        return all;
    }

    /**
     * The next healthy upstream not in {@code tried}, round-robin; {@code null} when there is none.
     */
    Upstream pick(Set<Upstream> tried) {
        Instant now = clock.instant();
        int n = all.size();
        int start = Math.floorMod(next.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
            Upstream candidate = all.get((start + i) % n);
            if (!tried.contains(candidate) && candidate.healthy(now)) {
                return candidate;
            }
        }
        return null;
    }

    /** When the first upstream now out comes back by its passive mark; {@code null} when none will on its own. */
    Duration nextRevival() {
        Instant now = clock.instant();
        Instant soonest = null;
        for (Upstream u : all) {
            Instant until = u.downUntil;
            if (u.activeUp && until != null && until.isAfter(now) && (soonest == null || until.isBefore(soonest))) {
                soonest = until;
            }
        }
        return soonest == null ? null : Duration.between(now, soonest);
    }

    /**
     * A connection to {@code upstream} could not be established: with two or more upstreams it is out
     * for the backoff (a single one stays in: there is nowhere else to go).
     */
    void connectFailed(Upstream upstream, Throwable failure) {
        upstream.lastProblem = "connect failed: " + LogSafe.text(String.valueOf(failure));
        if (all.size() < 2) {
            return;
        }
        boolean wasIn = upstream.healthy(clock.instant());
        upstream.downUntil = clock.instant().plus(settings.health().backoff());
        if (wasIn) {
            log.warn("upstream {} out for {} ms: {}", upstream.uri, settings.health().backoff().toMillis(), upstream.lastProblem);
        }
    }

    /** An active check's outcome; {@code problem} is {@code null} for a pass. */
    void checked(Upstream upstream, String problem) {
        UpstreamSettings.Health health = settings.health();
        synchronized (upstream) {
            if (problem == null) {
                upstream.failuresInRow = 0;
                upstream.successesInRow++;
                if (!upstream.activeUp && upstream.successesInRow >= health.healthyAfter()) {
                    upstream.activeUp = true;
                    upstream.downUntil = null; // it answers its health check: an older connect failure is history
                    log.info("upstream {} is healthy again", upstream.uri);
                }
            } else {
                upstream.successesInRow = 0;
                upstream.failuresInRow++;
                upstream.lastProblem = "health check: " + problem;
                if (upstream.activeUp && upstream.failuresInRow >= health.unhealthyAfter()) {
                    upstream.activeUp = false;
                    log.warn("upstream {} failed {} health checks in a row, out until it passes {}: {}", upstream.uri,
                            upstream.failuresInRow, health.healthyAfter(), LogSafe.text(problem));
                }
            }
        }
    }

    /** {@link #readiness()} while an upstream is down; {@code null} when all are up (a {@code /readyz} detail line says only what is wrong). */
    String readinessWhenDegraded() {
        Instant now = clock.instant();
        return all.stream().allMatch(u -> u.healthy(now)) ? null : readiness();
    }

    /** One line for {@code GET /readyz}: {@code upstreams: 1/2 healthy; http://a up; http://b down (connect failed: …)}. */
    String readiness() {
        Instant now = clock.instant();
        StringBuilder line = new StringBuilder();
        int up = 0;
        for (Upstream u : all) {
            boolean healthy = u.healthy(now);
            up += healthy ? 1 : 0;
            line.append("; ").append(u.uri).append(healthy ? " up" : " down");
            if (!healthy && u.lastProblem != null) {
                line.append(" (").append(u.lastProblem).append(')');
            }
        }
        return "upstreams: " + up + "/" + all.size() + " healthy" + line;
    }

    /** One upstream: where it is, and what is known of its health. */
    static final class Upstream {
        final URI uri;
        /** {@code scheme://host:port}: what the HTTP client connects to. */
        final URI origin;
        /** The base path without its trailing {@code /} ({@code ""} for none). */
        final String basePath;
        /** The upstream's own authority, the {@code Host} it gets when {@code preserve-host} is off. */
        final String authority;
        private volatile Instant downUntil;
        private volatile boolean activeUp = true;
        private volatile String lastProblem;
        private int failuresInRow;
        private int successesInRow;

        Upstream(URI uri) {
            this.uri = uri;
            this.origin = URI.create(uri.getScheme() + "://" + uri.getRawAuthority());
            String base = uri.getRawPath() == null ? "" : uri.getRawPath();
            this.basePath = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
            this.authority = uri.getRawAuthority();
        }

        boolean healthy(Instant now) {
            Instant until = downUntil;
            return activeUp && (until == null || !now.isBefore(until));
        }

        @Override
        public String toString() {
            return uri.toString();
        }
    }
}
