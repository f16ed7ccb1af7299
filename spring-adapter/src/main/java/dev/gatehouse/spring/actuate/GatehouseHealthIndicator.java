package dev.gatehouse.spring.actuate;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.Signals;
import dev.gatehouse.engine.provider.ProviderHealth;
import dev.gatehouse.engine.provider.Providers;
import dev.gatehouse.settings.GatehouseAssembly;
import dev.gatehouse.policy.ReloadablePolicy;
import dev.gatehouse.ratelimit.RateLimitStore;
import dev.gatehouse.ratelimit.StoreStatus;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code gatehouse} health contributor: the engine and its data sets (loaded, how old, what is
 * wrong with them), the policy in force (name, version) and its last failed reload, and the
 * application's rate-limit store when it has one (Redis: whether it is degraded to its fallback), and
 * each remote provider's state (its circuit breaker, a 429 pause, a rejected key).
 *
 * <p>It is always {@code UP} while Gatehouse is serving: stale data or a refused policy edit leave
 * Gatehouse deciding on the last good copy, and taking every instance out of the load balancer over
 * them would be worse than the problem, so they are reported in the details ({@code stale},
 * {@code problems}, {@code policy.last-reload-failure}, {@code rate-limit-store.degraded},
 * {@code providers.NAME.state}) for monitoring to alert on, and summed up one line each in
 * {@code warnings} (the lines of the proxy's {@code /readyz}); an empty {@code warnings} means all is well.
 * A provider that is down costs its signals only: requests are decided on the embedded data and the
 * other providers.
 *
 * <pre>{@code
 * "gatehouse": {"status": "UP", "details": {
 *   "engine": "embedded+crawler-verification",
 *   "data": {"sets": 21, "loaded": 21, "oldest": "tor", "oldest-age": "PT26H", "stale": [], "problems": {}},
 *   "policy": {"name": "default.yaml", "version": "3f2a91c0", "reloadable": false},
 *   "providers": {"ipbot": {"state": "breaker_open", "up": false, "detail": "5 failures in a row"}},
 *   "warnings": ["provider ipbot: breaker_open (5 failures in a row)"]}}
 * }</pre>
 */
public class GatehouseHealthIndicator implements HealthIndicator {

    private final Gatehouse gatehouse;
    private final Policy policy;
    private final RateLimitStore store;
    private final Providers providers;
    private final Clock clock;

    /**
     * @param policy the policy bean (a {@link ReloadablePolicy} when it is a file, so its reload failures show);
     *               {@code null} to report the one {@code gatehouse} uses
     * @param store  the application's rate-limit store bean (Redis, say), or {@code null} for the policy's own local one
     */
    public GatehouseHealthIndicator(Gatehouse gatehouse, Policy policy, RateLimitStore store, Clock clock) {
        this(gatehouse, policy, store, null, clock);
    }

    /**
     * @param providers the remote providers the engine asks, for their state ({@code up}, {@code off},
     *                  {@code paused}, {@code breaker_open}, …); {@code null} or {@link Providers#none()} for none
     */
    public GatehouseHealthIndicator(Gatehouse gatehouse, Policy policy, RateLimitStore store, Providers providers, Clock clock) {
        this.gatehouse = Objects.requireNonNull(gatehouse, "gatehouse");
        this.policy = policy;
        this.store = store;
        this.providers = providers;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Health health() {
        Instant now = clock.instant();
        Health.Builder health = Health.up()
                .withDetail("engine", gatehouse.engine().name())
                .withDetail("data", data(gatehouse.engine().sources(), now))
                .withDetail("policy", policy(policy != null ? policy : gatehouse.policy()))
                .withDetail("budget", gatehouse.budget().toString())
                .withDetail("fail-mode", gatehouse.failOpen() ? "open" : "closed");
        List<String> warnings = new ArrayList<>();
        if (store != null) {
            // a Redis store that is down falls back (local buckets, or allow/deny as configured): degraded, still serving
            StoreStatus status = store.status();
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("store", status.store());
            s.put("degraded", status.degraded());
            s.put("detail", status.detail());
            health.withDetail("rate-limit-store", s);
            if (status.degraded()) {
                warnings.add("rate-limit store " + status.store() + " degraded: " + status.detail());
            }
        }
        List<ProviderHealth> providerHealth = providers == null ? List.of() : providers.health();
        if (!providerHealth.isEmpty()) {
            // a provider whose breaker is open, paused by a 429 or off (key rejected) only costs its signals:
            // requests are decided on the embedded data and the other providers, so it is reported, not DOWN
            Map<String, Object> p = new LinkedHashMap<>();
            for (ProviderHealth h : providerHealth) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("state", h.state());
                one.put("up", h.up());
                if (h.detail() != null && !h.detail().isBlank()) {
                    one.put("detail", h.detail().strip());
                }
                p.put(h.provider(), one);
                if (!h.up()) {
                    warnings.add(GatehouseAssembly.Assembled.providerLine(h));
                }
            }
            health.withDetail("providers", p);
        }
        gatehouse.engine().sources().stream()
                .filter(source -> source.problem() != null && source.problem().contains("stale: "))
                .forEach(source -> warnings.add(source.name() + ": " + source.problem()));
        health.withDetail("warnings", warnings);
        return health.build();
    }

    private static Map<String, Object> data(List<Signals.SourceStatus> sources, Instant now) {
        Map<String, Object> data = new LinkedHashMap<>();
        int loaded = 0;
        Signals.SourceStatus oldest = null;
        List<String> stale = new ArrayList<>();
        Map<String, String> problems = new LinkedHashMap<>();
        for (Signals.SourceStatus source : sources) {
            if (source.dataAsOf() != null) {
                loaded++;
                if (oldest == null || source.dataAsOf().isBefore(oldest.dataAsOf())) {
                    oldest = source;
                }
            }
            if (source.problem() != null) {
                problems.put(source.name(), source.problem());
                if (source.problem().contains("stale: ")) {
                    stale.add(source.name());
                }
            }
        }
        data.put("sets", sources.size());
        data.put("loaded", loaded);
        if (oldest != null) {
            data.put("oldest", oldest.name());
            data.put("oldest-as-of", oldest.dataAsOf().toString());
            data.put("oldest-age", Duration.between(oldest.dataAsOf(), now).withNanos(0).toString());
        }
        data.put("stale", stale);
        data.put("problems", problems);
        return data;
    }

    private static Map<String, Object> policy(Policy policy) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("name", policy.name());
        details.put("version", policy.version());
        details.put("reloadable", policy instanceof ReloadablePolicy);
        if (policy instanceof ReloadablePolicy reloadable) {
            reloadable.lastFailure().ifPresent(failure -> {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("time", failure.time().toString());
                f.put("message", failure.message());
                f.put("kept", failure.kept());
                details.put("last-reload-failure", f);
            });
        }
        return details;
    }
}
