package dev.gatehouse;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.gatehouse.api.Enricher;
import dev.gatehouse.engine.provider.ProviderSettings;
import dev.gatehouse.engine.provider.Providers;
import java.time.Clock;
import java.util.ArrayList;

import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.crawler.CrawlerVerifier;
import dev.gatehouse.crawler.HeaderConsistency;
import dev.gatehouse.engine.Engines;
import dev.gatehouse.engine.embedded.EmbeddedEngine;
import dev.gatehouse.engine.embedded.Scoring;
import io.micrometer.core.instrument.MeterRegistry;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The engine every adapter starts from: the embedded offline data, then crawler verification
 * (published ranges and forward-confirmed reverse DNS), then the documented scoring table. The proxy,
 * the servlet filter and the Spring starter all build it here, so they answer alike.
 */
public final class StandardEngine {

    private StandardEngine() {
    }

    /**
     * @param budget      the request budget given to {@link Gatehouse}; crawler verification waits for
     *                    reverse DNS at most 60 % of it (the lookup goes on in the background and fills the
     *                    cache), so a slow resolver costs the crawler verdict ({@code unknown}) and never
     *                    the embedded signals, which an exceeded budget would drop with it
     * @param dnsServers  explicit resolvers (e.g. 127.0.0.1:5353); empty for the system's
     * @param registry    where crawler-verification metrics go
     */
    public static IntelligenceEngine create(Duration budget, List<InetSocketAddress> dnsServers, MeterRegistry registry) {
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(registry, "registry");
        return create(EmbeddedEngine.loadDefault(), budget, dnsServers, registry);
    }

    /**
     * As {@link #create(Duration, List, MeterRegistry)} on an embedded engine you configured (data
     * directory, URLs, refresh interval). The crawler verifier reads that engine's current crawler
     * catalog ({@link EmbeddedEngine#crawlerCatalog()}), so refreshed crawler ranges count for
     * {@code bot_verified_by=ip_range} in both.
     */
    public static IntelligenceEngine create(EmbeddedEngine embedded, Duration budget, List<InetSocketAddress> dnsServers,
                                            MeterRegistry registry) {
        return create(embedded, budget, dnsServers, registry, dev.gatehouse.api.SharedCache.none());
    }

    /** As above, with crawler-verification outcomes shared by a fleet through {@code shared} ({@code shared-cache: redis}). */
    public static IntelligenceEngine create(EmbeddedEngine embedded, Duration budget, List<InetSocketAddress> dnsServers,
                                            MeterRegistry registry, dev.gatehouse.api.SharedCache shared) {
        return create(embedded, budget, dnsServers, registry, shared, List.of());
    }

    /**
     * As above, then the remote providers ({@code providers:}), asked side by side after crawler
     * verification and fused; a provider that hangs or fails costs at most its share of the budget, and
     * the request is decided on what the embedded engine and verification said.
     */
    public static IntelligenceEngine create(EmbeddedEngine embedded, Duration budget, List<InetSocketAddress> dnsServers,
                                            MeterRegistry registry, dev.gatehouse.api.SharedCache shared,
                                            List<ProviderSettings> providers) {
        return create(embedded, budget, dnsServers, registry, shared, providers(providers, budget, registry));
    }

    /**
     * As above on providers the caller built with {@link #providers} and keeps: for their
     * {@link Providers#health()} on readiness pages, and to close them.
     */
    public static IntelligenceEngine create(EmbeddedEngine embedded, Duration budget, List<InetSocketAddress> dnsServers,
                                            MeterRegistry registry, dev.gatehouse.api.SharedCache shared,
                                            Providers providers) {
        Objects.requireNonNull(embedded, "embedded");
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(providers, "providers");
        CrawlerVerifier verifier = CrawlerVerifier.builder()
                .catalogSource(embedded::crawlerCatalog)
                .dnsServers(dnsServers)
                .timeout(verifierTimeout(budget))
                .meterRegistry(registry)
                .sharedCache(shared)
                .build();
        List<Enricher> layers = new ArrayList<>(List.of(verifier, HeaderConsistency.defaults()));
        layers.addAll(providers.enrichers());
        return Engines.layered(embedded, Scoring.defaults(), layers);
    }

    /**
     * The enabled providers among {@code settings} as the standard engine asks them: the JDK client, the
     * system clock, within {@code budget}; {@link Providers#none()} when none is enabled (no HTTP client is made).
     */
    public static Providers providers(List<ProviderSettings> settings, Duration budget, MeterRegistry registry) {
        if (settings.stream().noneMatch(ProviderSettings::enabled)) {
            return Providers.none();
        }
        return Providers.create(settings, Providers.httpClient(), Clock.systemUTC(), Ticker.systemTicker(), registry,
                budget, Scoring.defaults());
    }

    static Duration verifierTimeout(Duration budget) {
        Duration share = budget.multipliedBy(6).dividedBy(10);
        return share.isZero() ? Duration.ofNanos(1) : share;
    }
}
