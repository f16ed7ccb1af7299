package dev.gatehouse.proxy;

import dev.gatehouse.net.HostPort;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.crawler.CrawlerVerifier;
import dev.gatehouse.engine.Engines;
import dev.gatehouse.engine.IntelligenceEngine;
import dev.gatehouse.engine.embedded.EmbeddedEngine;
import dev.gatehouse.engine.embedded.Scoring;
import dev.gatehouse.net.TrustedProxies;
import dev.gatehouse.policy.Policy;
import dev.gatehouse.policy.PolicyLoader;
import dev.gatehouse.policy.ReloadablePolicy;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

/**
 * The one place where the proxy and the CLI compose the product: the embedded engine layered with
 * crawler verification and the documented scoring, the policy (a watched file or the bundled default),
 * the Prometheus registry, the decision pipeline.
 */
public final class GatehouseFactory {

    /** Where the policies jar keeps the default policy. */
    public static final String DEFAULT_POLICY_RESOURCE = "dev/gatehouse/policies/default.yaml";

    private GatehouseFactory() {
    }

    /** Embedded data, then crawler verification (rDNS through {@code dnsServers}, or the system's), then scoring. */
    public static IntelligenceEngine engine(List<HostPort> dnsServers) {
        CrawlerVerifier verifier = CrawlerVerifier.builder()
                .dnsServers(dnsServers.stream().map(HostPort::toSocketAddress).toList())
                .build();
        return Engines.layered(EmbeddedEngine.loadDefault(), Scoring.defaults(), List.of(verifier));
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

    /** A Prometheus registry for {@code GET /metrics}. */
    public static PrometheusMeterRegistry prometheus() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    /**
     * Builds everything {@code config} describes and starts the proxy.
     *
     * @throws dev.gatehouse.policy.PolicyException when the policy does not load
     */
    public static GatehouseProxy start(ProxyConfig config) throws Exception {
        PrometheusMeterRegistry registry = prometheus();
        ReloadablePolicy reloadable = config.policy() == null ? null : ReloadablePolicy.watch(config.policy(), PolicyLoader.defaults());
        Supplier<Policy> policy;
        if (reloadable != null) {
            policy = reloadable;
        } else {
            Policy fixed = bundledDefaultPolicy();
            policy = () -> fixed;
        }
        Gatehouse gatehouse = Gatehouse.builder()
                .engine(engine(config.dnsServers()))
                .policy(policy)
                .budget(config.budget())
                .failOpen(!config.failClosed())
                .meterRegistry(registry)
                .build();
        try {
            return GatehouseProxy.builder()
                    .listen(config.listen())
                    .upstream(config.upstream())
                    .upstreamTimeout(config.upstreamTimeout())
                    .gatehouse(gatehouse)
                    .trustedProxies(TrustedProxies.from(config.trustedProxies()))
                    .admin(config.admin())
                    .adminToken(config.adminToken())
                    .prometheus(registry)
                    .reload(reloadable == null ? null : reloadable::reload)
                    .closing(reloadable)
                    .start();
        } catch (Exception | Error e) {
            gatehouse.close();
            if (reloadable != null) {
                reloadable.close();
            }
            throw e;
        }
    }
}
