package dev.gatehouse.settings;

import dev.gatehouse.api.SharedCache;
import dev.gatehouse.engine.embedded.PublicFeeds;
import dev.gatehouse.engine.provider.ProviderHealth;
import dev.gatehouse.engine.provider.Providers;
import dev.gatehouse.ratelimit.StoreStatus;
import dev.gatehouse.ratelimit.redis.RedisRateLimitStore;
import dev.gatehouse.ratelimit.redis.RedisSharedCache;
import java.time.Clock;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.challenge.Challenger;
import dev.gatehouse.decisionlog.DecisionLog;
import dev.gatehouse.enforcement.Pages;
import dev.gatehouse.StandardEngine;
import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.Policy;
import dev.gatehouse.engine.embedded.EmbeddedEngine;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.policy.PolicyLoader;
import dev.gatehouse.policy.ReloadablePolicy;
import dev.gatehouse.ratelimit.RateLimitStore;
import io.micrometer.core.instrument.MeterRegistry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The one assembly of the product from {@link GatehouseSettings}: the embedded engine on the configured
 * data, crawler verification and scoring ({@link StandardEngine}), the policy (a watched file, a
 * class-path resource or the bundled default) with its rate-limit store, the meters, and the
 * {@link Gatehouse} itself. The servlet filter, the proxy and the Spring auto-configuration all build
 * here; Spring calls the steps one by one so that each bean can be replaced.
 *
 * <pre>{@code
 * try (GatehouseAssembly.Assembled built = GatehouseAssembly.assemble(settings, registry)) {
 *     Decision d = built.gatehouse().decide(facts).join();
 * }
 * }</pre>
 */
public final class GatehouseAssembly {

    /** Where the gatehouse-policies jar keeps the default policy. */
    public static final String DEFAULT_POLICY_RESOURCE = "dev/gatehouse/policies/default.yaml";

    private GatehouseAssembly() {
    }

    /**
     * What {@link #assemble} built. Closing it closes the {@link Gatehouse} and the policy watcher.
     *
     * @param gatehouse the decision pipeline
     * @param policy    the policy in force (a {@link ReloadablePolicy} for a file)
     * @param resolver  how client addresses are found (trusted proxies, forwarding header)
     * @param registry  where the meters went
     * @param providers the remote providers the engine asks ({@link Providers#none()} when none is enabled)
     * @param embedded  the embedded engine under it, for the staleness of its data
     */
    public record Assembled(Gatehouse gatehouse, Policy policy, ClientIpResolver resolver, MeterRegistry registry,
                            RateLimitStore store, SharedCache sharedCache, Providers providers, EmbeddedEngine embedded)
            implements AutoCloseable {

        /** Each enabled provider's state: {@code up}, {@code off} (key rejected), {@code paused} (429), {@code breaker_open}, … */
        public List<ProviderHealth> providerHealth() {
            return providers.health();
        }

        /** The embedded data sets served now that are older than their maximum age. */
        public List<EmbeddedEngine.Staleness> staleness() {
            return embedded.staleness();
        }

        /**
         * The lines readiness pages add while the instance stays ready: the rate-limit store when it falls
         * back, each provider's state (e.g. {@code provider ipbot: off (…)}), and one line per stale data set.
         */
        public List<String> readinessDetails() {
            List<String> lines = new ArrayList<>();
            StoreStatus status = storeStatus();
            if (status.degraded()) {
                lines.add("rate-limit store " + status.store() + " degraded: " + status.detail());
            }
            providerHealth().forEach(h -> lines.add(providerLine(h)));
            staleness().forEach(s -> lines.add(s.warning()));
            String decisionLog = gatehouse.decisionLog().readinessDetail();
            if (decisionLog != null) {
                lines.add(decisionLog);
            }
            return lines;
        }

        /** {@code provider NAME: STATE (detail)}; the detail never holds the API key. */
        public static String providerLine(ProviderHealth h) {
            return "provider " + h.provider() + ": " + h.state()
                    + (h.detail() == null || h.detail().isBlank() ? "" : " (" + h.detail().strip() + ")");
        }

        /** The rate-limit store's state for readiness pages (the Redis store says when it falls back). */
        public StoreStatus storeStatus() {
            return store == null ? StoreStatus.up("local", "in-process buckets") : store.status();
        }

        /** The policy's {@code reload} for {@code POST /v1/reload}; {@code null} when it is not a file. */
        public ReloadablePolicy reloadable() {
            return policy instanceof ReloadablePolicy r ? r : null;
        }

        @Override
        public void close() {
            try {
                gatehouse.close();
            } finally {
                try {
                    if (policy instanceof ReloadablePolicy r) {
                        r.close();
                    }
                } finally {
                    closeQuietly(store);
                    closeQuietly(sharedCache);
                    closeQuietly(providers);
                }
            }
        }
    }

    /** Everything, on the settings' own rate-limit store. */
    public static Assembled assemble(GatehouseSettings settings, MeterRegistry registry) {
        return assemble(settings, registry, null, GatehouseAssembly.class.getClassLoader());
    }

    /**
     * Everything.
     *
     * @param store       the rate-limit store; {@code null} = the one {@code rate-limit.store} names
     * @param classLoader where {@code classpath:} policies and the bundled default are looked up
     * @throws dev.gatehouse.policy.PolicyException when the policy does not load
     * @throws IllegalArgumentException naming the setting, e.g. a policy file that does not exist
     */
    public static Assembled assemble(GatehouseSettings settings, MeterRegistry registry, RateLimitStore store,
                                     ClassLoader classLoader) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(registry, "registry");
        RateLimitStore owned = store == null ? rateLimitStore(settings, registry) : null;
        SharedCache shared = sharedCache(settings, registry);
        Policy policy = null;
        Providers providers = null;
        try {
            policy = policy(settings, policyLoader(settings, registry, store != null ? store : owned), classLoader);
            EmbeddedEngine embedded = embedded(settings.data(), registry);
            providers = StandardEngine.providers(List.copyOf(settings.providers().values()), settings.budget(), registry);
            IntelligenceEngine engine = StandardEngine.create(embedded, settings.budget(), dnsServers(settings), registry, shared, providers);
            Gatehouse gatehouse = gatehouse(settings, engine, policy, registry, providers);
            return new Assembled(gatehouse, policy, clientIpResolver(settings), registry, store != null ? store : owned, shared,
                    providers, embedded);
        } catch (RuntimeException | Error e) {
            if (policy instanceof ReloadablePolicy r) {
                r.close();
            }
            closeQuietly(owned);
            closeQuietly(shared);
            closeQuietly(providers);
            throw e;
        }
    }

    /** The embedded engine on the configured data, then crawler verification (on {@code dns-servers}) and scoring. */
    public static IntelligenceEngine engine(GatehouseSettings settings, MeterRegistry registry) {
        return engine(settings, registry, SharedCache.none());
    }

    /** As {@link #engine(GatehouseSettings, MeterRegistry)}, crawler verifications shared through {@code shared}. */
    public static IntelligenceEngine engine(GatehouseSettings settings, MeterRegistry registry, SharedCache shared) {
        return StandardEngine.create(embedded(settings.data(), registry), settings.budget(), dnsServers(settings), registry, shared,
                List.copyOf(settings.providers().values()));
    }

    private static List<java.net.InetSocketAddress> dnsServers(GatehouseSettings settings) {
        return settings.dnsServers().stream().map(HostPort::toSocketAddress).toList();
    }

    /**
     * The store {@code rate-limit.store} names when it is not the loader's own: the Redis store for
     * {@code redis} (connecting in the background; it falls back as {@code rate-limit.redis.fallback} says
     * until Redis answers), {@code null} for {@code local}. The caller closes it.
     */
    public static RateLimitStore rateLimitStore(GatehouseSettings settings, MeterRegistry registry) {
        if (settings.rateLimit().store() != GatehouseSettings.RateLimitStoreKind.REDIS) {
            return null;
        }
        return RedisRateLimitStore.builder(settings.rateLimit().redis())
                .clock(Clock.systemUTC())
                .meterRegistry(registry)
                .maximumBuckets(settings.rateLimit().maxKeys())
                .build();
    }

    /** The fleet's shared cache for {@code shared-cache: redis}, else {@link SharedCache#none()}. The caller closes it. */
    public static SharedCache sharedCache(GatehouseSettings settings, MeterRegistry registry) {
        if (settings.sharedCache() != GatehouseSettings.SharedCacheKind.REDIS) {
            return SharedCache.none();
        }
        return RedisSharedCache.create(settings.rateLimit().redis(), Clock.systemUTC(), registry);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            // closing on the way out: nothing more useful to do with it
        }
    }

    /**
     * The embedded engine on the bundled data, or on the operator's directory / URLs, refreshed as
     * configured; with {@code data.public-feeds} also every feed of {@link PublicFeeds#urls()} (a
     * {@code data.urls} entry replaces the public URL of its key), fetched in the background so that
     * start-up never waits on the network: until a fetch succeeds, and whenever one fails, the bundled
     * (or directory) copy serves.
     */
    public static EmbeddedEngine embedded(GatehouseSettings.DataSettings data, MeterRegistry registry) {
        return embedded(data, registry, PublicFeeds.urls());
    }

    /** As above, {@code publicFeeds} standing for {@link PublicFeeds#urls()} (tests point them at a local server). */
    static EmbeddedEngine embedded(GatehouseSettings.DataSettings data, MeterRegistry registry, Map<String, URI> publicFeeds) {
        if (data.isBundled()) {
            return EmbeddedEngine.loadDefault();
        }
        EmbeddedEngine.Builder b = EmbeddedEngine.builder().meterRegistry(registry);
        if (data.directory() != null) {
            b.dataDirectory(data.directory());
        }
        if (data.refreshInterval() != null) {
            b.refreshInterval(data.refreshInterval());
        }
        Map<String, URI> urls = new LinkedHashMap<>();
        if (data.publicFeedsOn()) {
            urls.putAll(publicFeeds);
            b.fetchInBackground(true);
        }
        urls.putAll(data.urls());
        return b.urls(urls).build();
    }

    /**
     * The policy loader, on {@code store} or the store {@code rate-limit} names.
     *
     * @throws IllegalStateException for {@code rate-limit.store: redis} without a store given (the Redis
     *                               store is wired by whoever adds it; see {@code docs/configuration.md})
     */
    public static PolicyLoader policyLoader(GatehouseSettings settings, MeterRegistry registry, RateLimitStore store) {
        PolicyLoader.Builder b = PolicyLoader.builder().meterRegistry(registry);
        if (store != null) {
            return b.rateLimitStore(store).build();
        }
        if (settings.rateLimit().store() == GatehouseSettings.RateLimitStoreKind.REDIS) {
            throw new IllegalStateException("rate-limit.store: redis needs the Redis store: pass GatehouseAssembly.rateLimitStore(settings, registry)");
        }
        return b.maximumBuckets(settings.rateLimit().maxKeys()).build();
    }

    /**
     * The policy {@code policy} names: a file (watched when {@code policy-reload}, else reloaded only on
     * demand), a {@code classpath:} resource (read once), or the bundled {@code default.yaml}.
     *
     * @throws dev.gatehouse.policy.PolicyException when it does not load
     * @throws IllegalArgumentException when the file or resource does not exist, saying where it was looked for
     */
    public static Policy policy(GatehouseSettings settings, PolicyLoader loader, ClassLoader classLoader) {
        String location = settings.policy();
        if (location == null) {
            return loader.parse(resource(DEFAULT_POLICY_RESOURCE, classLoader,
                    "the bundled default policy " + DEFAULT_POLICY_RESOURCE + " is not on the class path (add the gatehouse-policies jar,"
                            + " or set policy: to your own file)"), "default.yaml");
        }
        if (location.startsWith(GatehouseSettings.CLASSPATH)) {
            String resource = location.substring(GatehouseSettings.CLASSPATH.length()).replaceFirst("^/+", "");
            return loader.parse(resource(resource, classLoader, "policy: no such resource on the class path: " + location), location);
        }
        Path file = Path.of(location);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("policy: no such file: " + location + " (looked for " + file.toAbsolutePath().normalize() + ")");
        }
        return settings.policyReload() ? ReloadablePolicy.watch(file, loader) : ReloadablePolicy.manual(file, loader);
    }

    /** The trusted proxies and forwarding header, as a resolver. */
    public static ClientIpResolver clientIpResolver(GatehouseSettings settings) {
        return ClientIpResolver.builder().trustedProxies(settings.trustedProxySet()).headers(settings.forwardedHeaders()).build();
    }

    /** The pipeline: {@code engine}, the policy in force (a reloadable one is read per request), budget, fail mode, meters. */
    public static Gatehouse gatehouse(GatehouseSettings settings, IntelligenceEngine engine, Policy policy, MeterRegistry registry) {
        return gatehouse(settings, engine, policy, registry, Providers.none());
    }

    /** As above; blocks by a named rule are reported to the providers that take reports (ipinsights, opt-in). */
    public static Gatehouse gatehouse(GatehouseSettings settings, IntelligenceEngine engine, Policy policy, MeterRegistry registry,
                                      Providers providers) {
        Gatehouse.Builder b = Gatehouse.builder()
                .engine(engine)
                .budget(settings.budget())
                .failOpen(settings.failOpen())
                .meterRegistry(registry)
                .challenger(Challenger.create(settings.challenge(), registry))
                .pages(pages(settings));
        if (settings.decisionLog() != null) {
            b.decisionLog(DecisionLog.create(settings.decisionLog(), registry)); // a file that cannot be opened stops the start here
        }
        if (policy instanceof ReloadablePolicy reloadable) {
            b.policy((Supplier<Policy>) reloadable);
        } else {
            b.policy(policy);
        }
        if (providers.reporting()) {
            b.decisionListener(providers.reporter());
        }
        return b.build();
    }

    /**
     * The page of {@code pages.template}, or the bundled one.
     *
     * @throws IllegalArgumentException naming the template file when it is missing or broken
     */
    public static Pages pages(GatehouseSettings settings) {
        return settings.pages().template() == null ? Pages.defaults() : Pages.template(settings.pages().template());
    }

    private static String resource(String resource, ClassLoader classLoader, String missing) {
        ClassLoader cl = classLoader != null ? classLoader : GatehouseAssembly.class.getClassLoader();
        try (InputStream in = cl.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException(missing);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
