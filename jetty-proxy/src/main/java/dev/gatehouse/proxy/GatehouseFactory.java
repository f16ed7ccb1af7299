package dev.gatehouse.proxy;

import dev.gatehouse.ratelimit.StoreStatus;

import dev.gatehouse.StandardEngine;
import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.Policy;
import dev.gatehouse.engine.embedded.EmbeddedEngine;
import dev.gatehouse.engine.provider.ProviderHealth;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.policy.PolicyLoader;
import dev.gatehouse.policy.ReloadablePolicy;
import dev.gatehouse.settings.GatehouseAssembly;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The one place where the proxy and the CLI compose the product: the embedded engine layered with
 * crawler verification and the documented scoring, the policy (a watched file or the bundled default),
 * the Prometheus registry, the decision pipeline.
 */
public final class GatehouseFactory {

    /** Where the policies jar keeps the default policy. */
    public static final String DEFAULT_POLICY_RESOURCE = GatehouseAssembly.DEFAULT_POLICY_RESOURCE;

    private GatehouseFactory() {
    }

    /** The standard engine ({@link StandardEngine}) with rDNS through {@code dnsServers}, or the system's resolvers. */
    public static IntelligenceEngine engine(List<HostPort> dnsServers, Duration budget, MeterRegistry registry) {
        return StandardEngine.create(budget, dnsServers.stream().map(HostPort::toSocketAddress).toList(), registry);
    }

    /**
     * The {@code default.yaml} shipped in the policies jar.
     *
     * @throws dev.gatehouse.policy.PolicyException when it does not load
     * @throws IllegalStateException when the jar does not contain it
     */
    public static Policy bundledDefaultPolicy() {
        return PolicyLoader.defaults().parse(bundledDefaultPolicyText(), "default.yaml");
    }

    static String bundledDefaultPolicyText() {
        try (InputStream in = GatehouseFactory.class.getClassLoader().getResourceAsStream(DEFAULT_POLICY_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the default policy " + DEFAULT_POLICY_RESOURCE + " is not on the classpath"
                        + " (is the gatehouse-policies jar missing?)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DEFAULT_POLICY_RESOURCE, e);
        }
    }

    /**
     * The {@code /readyz} lines that leave the proxy ready: one per enabled provider with its state
     * ({@code provider ipbot: off (…)} when the key was rejected, {@code paused} after a 429,
     * {@code breaker_open}), and one per embedded data set while its data is stale.
     */
    static void readinessDetails(GatehouseAssembly.Assembled built, GatehouseProxy.Builder proxy) {
        for (ProviderHealth health : built.providerHealth()) {
            String name = health.provider();
            proxy.readinessDetail(() -> built.providerHealth().stream().filter(h -> h.provider().equals(name)).findFirst()
                    .map(GatehouseAssembly.Assembled::providerLine).orElse(null));
        }
        for (String dataSet : EmbeddedEngine.dataSetIds()) {
            proxy.readinessDetail(() -> built.staleness().stream().filter(s -> s.dataSet().equals(dataSet)).findFirst()
                    .map(EmbeddedEngine.Staleness::warning).orElse(null));
        }
    }

    /** A Prometheus registry for {@code GET /metrics}. */
    public static PrometheusMeterRegistry prometheus() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    /**
     * Builds everything {@code config} describes ({@link GatehouseAssembly}) and starts the proxy.
     *
     * @throws dev.gatehouse.policy.PolicyException when the policy does not load
     * @throws IllegalArgumentException naming the setting, e.g. a policy file that does not exist
     */
    public static GatehouseProxy start(ProxyConfig config) throws Exception {
        PrometheusMeterRegistry registry = prometheus(); // shadow, reload and engine meters on /metrics
        GatehouseAssembly.Assembled built = GatehouseAssembly.assemble(config.settings(), registry, null,
                GatehouseFactory.class.getClassLoader());
        ReloadablePolicy reloadable = built.reloadable();
        try {
            GatehouseProxy.Builder proxy = GatehouseProxy.builder()
                    .listeners(config.listeners())
                    .upstreams(config.upstreams())
                    .upstreamTimeout(config.upstreamTimeout())
                    .gatehouse(built.gatehouse())
                    .clientIpResolver(built.resolver())
                    .admin(config.admin())
                    .adminToken(config.adminToken())
                    .prometheus(registry)
                    .reload(reloadable == null ? null : reloadable::reload)
                    .policyFailure(reloadable == null ? null : reloadable::lastFailure)
                    .readinessDetail(() -> {
                        StoreStatus store = built.storeStatus();
                        return store.degraded() ? "rate-limit store " + store.store() + " degraded: " + store.detail() : null;
                    })
                    .readinessDetail(built.gatehouse().decisionLog()::readinessDetail)
                    .dispatchToPool(ProxyTuning.mustDispatch(config.settings()))
                    .closing(built); // the policy watcher, the rate-limit store, the shared cache and the providers (closing the gatehouse twice is harmless)
            readinessDetails(built, proxy);
            return proxy.start();
        } catch (Exception | Error e) {
            built.close();
            throw e;
        }
    }
}
