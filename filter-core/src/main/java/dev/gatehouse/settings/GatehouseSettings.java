package dev.gatehouse.settings;

import dev.gatehouse.engine.provider.ProviderSettings;
import dev.gatehouse.ratelimit.redis.RedisSettings;

import dev.gatehouse.challenge.ChallengeSettings;
import dev.gatehouse.decisionlog.DecisionLogSettings;
import dev.gatehouse.engine.embedded.EmbeddedEngine;
import dev.gatehouse.net.ForwardedHeaders;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.TrustedProxies;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the decision pipeline needs, built once, validated, immutable; the one model behind
 * {@code gatehouse.yaml}, the servlet filter's init-params and Spring's {@code gatehouse.*} (see
 * {@code docs/configuration.md}, which names each key). {@link SettingsBinder} reads it from any of
 * them; {@link GatehouseAssembly} builds the {@code Gatehouse} from it.
 *
 * <pre>{@code
 * GatehouseSettings settings = GatehouseSettings.custom()
 *         .policy("/etc/gatehouse/policy.yaml")
 *         .budget(Duration.ofMillis(50))
 *         .trustedProxies(List.of("loopback", "10.0.0.0/8"))
 *         .build();
 * }</pre>
 *
 * @param policy          the policy: a file path or a {@code classpath:} resource; {@code null} = the bundled {@code default.yaml}
 * @param policyReload    whether a policy file is watched and reloaded
 * @param budget          how long a request may wait for signals
 * @param failMode        what an engine or policy failure means
 * @param trustedProxies  the entries as written: CIDRs, addresses, {@code loopback}, {@code private}, {@code none}
 * @param forwardedHeaders which forwarding header trusted proxies write
 * @param dnsServers      resolvers for crawler verification; empty = the system's
 * @param data            where the embedded engine's data comes from
 * @param rateLimit       where rate-limit buckets live
 * @param providers       provider name → its settings (remote IP-intelligence providers)
 * @param sharedCache     {@code redis}: crawler verifications (and provider answers) shared by a fleet through the
 *                        {@code rate-limit.redis} connection; {@code off} = each instance alone
 * @param decisionLog     the {@code decision-log} block: where decision lines go, sampling, rotation; {@code null} = no decision log
 * @param pages           the {@code pages} block: the operator's template for the pages Gatehouse answers with itself
 * @param explainHeader   servlet/Spring: add {@code X-Gatehouse-Explain} to responses
 * @param upstreamHeaders pass {@code X-Gatehouse-*} request headers to the application
 * @param challenge       how the {@code challenge} verdict is served (secrets, pass lifetime, difficulty, exempt paths)
 */
public record GatehouseSettings(String policy, boolean policyReload, Duration budget, FailMode failMode,
                                List<String> trustedProxies, ForwardedHeaders forwardedHeaders, List<HostPort> dnsServers,
                                DataSettings data, RateLimitSettings rateLimit, Map<String, ProviderSettings> providers,
                                SharedCacheKind sharedCache, DecisionLogSettings decisionLog, boolean explainHeader, boolean upstreamHeaders,
                                ChallengeSettings challenge, PagesSettings pages) {

    public static final Duration DEFAULT_BUDGET = Duration.ofMillis(50);
    public static final Duration MAX_BUDGET = Duration.ofSeconds(60);
    /** The provider names a {@code providers:} block may use (the design contract's). */
    public static final List<String> PROVIDER_NAMES = List.of("iptrust", "ipbot", "ipinsights", "ipgeolocation", "ipintel");
    /** A {@code policy} value naming a class-path resource. */
    public static final String CLASSPATH = "classpath:";

    private static final GatehouseSettings DEFAULTS = custom().build();

    /** Open: a failure allows the request. Closed: a failure answers 503. */
    public enum FailMode {
        OPEN, CLOSED;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Whether verification outcomes and provider answers are shared by a fleet. */
    public enum SharedCacheKind {
        OFF, REDIS
    }

    public GatehouseSettings {
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(sharedCache, "sharedCache");
        Objects.requireNonNull(challenge, "challenge");
        Objects.requireNonNull(pages, "pages");
        if (sharedCache == SharedCacheKind.REDIS && rateLimit.redis() == null) {
            throw new IllegalStateException("shared-cache: redis uses the rate-limit.redis connection, and there is no rate-limit.redis block (url: redis://…)");
        }
        if (rateLimit.store() == RateLimitStoreKind.REDIS && rateLimit.redis().timeout().compareTo(budget) >= 0) {
            throw new IllegalStateException("rate-limit.redis.timeout (" + SettingsReader.format(rateLimit.redis().timeout())
                    + ") must be below budget (" + SettingsReader.format(budget) + "): a request waits for Redis inside its budget");
        }
        Objects.requireNonNull(failMode, "failMode");
        trustedProxies = List.copyOf(trustedProxies);
        Objects.requireNonNull(forwardedHeaders, "forwardedHeaders");
        dnsServers = List.copyOf(dnsServers);
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(rateLimit, "rateLimit");
        providers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(providers));
    }

    /** Every default: the bundled policy, reloaded; 50 ms; fail open; nobody trusted; bundled data; local buckets. */
    public static GatehouseSettings ofDefaults() {
        return DEFAULTS;
    }

    public static Builder custom() {
        return new Builder();
    }

    /** A builder starting from {@code prototype}'s values. */
    public static Builder from(GatehouseSettings prototype) {
        Builder b = new Builder();
        b.policy = prototype.policy;
        b.policyReload = prototype.policyReload;
        b.budget = prototype.budget;
        b.failMode = prototype.failMode;
        b.trustedProxies = prototype.trustedProxies;
        b.forwardedHeaders = prototype.forwardedHeaders;
        b.dnsServers = prototype.dnsServers;
        b.data = prototype.data;
        b.rateLimit = prototype.rateLimit;
        b.providers = new LinkedHashMap<>(prototype.providers);
        b.sharedCache = prototype.sharedCache;
        b.decisionLog = prototype.decisionLog;
        b.explainHeader = prototype.explainHeader;
        b.upstreamHeaders = prototype.upstreamHeaders;
        b.challenge = prototype.challenge;
        b.pages = prototype.pages;
        return b;
    }

    public boolean failOpen() {
        return failMode == FailMode.OPEN;
    }

    /** The trusted-proxy entries as a {@link TrustedProxies} (checked when built). */
    public TrustedProxies trustedProxySet() {
        return TrustedProxies.parse(trustedProxies);
    }

    /** The policy file, or {@code null} for a class-path resource or the bundled default. */
    public Path policyFile() {
        return policy == null || policy.startsWith(CLASSPATH) ? null : Path.of(policy);
    }

    /**
     * The embedded engine's data: the bundled snapshot unless an operator directory (same file names
     * and formats as the vendors publish), per-data-set URLs or the public feeds are given; refreshed off
     * the request path.
     *
     * @param directory   operator data directory; {@code null} = the bundled data
     * @param refresh     how often to reload; {@code null} = never after start-up, or
     *                    {@code 6h} when the public feeds are on
     * @param urls        data-set key → URL (e.g. {@code tor}, {@code crawlers/google/common-crawlers.json});
     *                    each replaces the public feed of that key
     * @param publicFeeds {@code data.public-feeds}: fetch every feed whose vendor publishes it at a public
     *                    URL ({@code PublicFeeds.urls()}) in the background, starting on the bundled data;
     *                    {@code null} = the front end decides: on for {@code gatehouse run}, off for the
     *                    servlet filter, Spring and {@code demo} ({@link #withPublicFeedsDefault})
     */
    public record DataSettings(Path directory, Duration refresh, Map<String, URI> urls, Boolean publicFeeds) {
        public static final DataSettings BUNDLED = new DataSettings(null, null, Map.of(), null);
        /** How often the public feeds are fetched again when {@code data.refresh} is not given. */
        public static final Duration PUBLIC_FEEDS_REFRESH = Duration.ofHours(6);

        public DataSettings {
            if (refresh != null && (refresh.isNegative() || refresh.isZero())) {
                throw new IllegalArgumentException("data.refresh must be positive, was " + SettingsReader.format(refresh));
            }
            Map<String, URI> copy = new LinkedHashMap<>();
            urls.forEach((key, url) -> {
                if (!EmbeddedEngine.feedKeys().contains(key)) {
                    throw new IllegalArgumentException("data.urls." + key + " is not a data set"
                            + dev.gatehouse.text.DidYouMean.suggest(key, EmbeddedEngine.feedKeys()) + "; see docs/data.md for the keys");
                }
                String scheme = url.getScheme();
                if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) || url.getHost() == null) {
                    throw new IllegalArgumentException("data.urls." + key + " must be an http(s) URL, was '" + url + "'");
                }
                copy.put(key, url);
            });
            urls = java.util.Collections.unmodifiableMap(copy);
        }

        /** Without a word on the public feeds (the front end decides). */
        public DataSettings(Path directory, Duration refresh, Map<String, URI> urls) {
            this(directory, refresh, urls, null);
        }

        /** These settings, the public feeds {@code on} unless {@code data.public-feeds} (or {@code data.refresh: off}) said otherwise. */
        public DataSettings withPublicFeedsDefault(boolean on) {
            return publicFeeds != null ? this : new DataSettings(directory, refresh, urls, on);
        }

        /** Whether the public feeds are fetched ({@code null} counts as off). */
        public boolean publicFeedsOn() {
            return Boolean.TRUE.equals(publicFeeds);
        }

        /** The refresh interval in force: {@code refresh}, else {@link #PUBLIC_FEEDS_REFRESH} with the public feeds, else none. */
        public Duration refreshInterval() {
            return refresh != null ? refresh : publicFeedsOn() ? PUBLIC_FEEDS_REFRESH : null;
        }

        /** Whether anything differs from the bundled, never-refreshed data. */
        public boolean isBundled() {
            return directory == null && refresh == null && urls.isEmpty() && !publicFeedsOn();
        }
    }

    /**
     * The {@code pages} block.
     *
     * @param template the operator's page template ({@code pages.template}); {@code null} = the bundled page
     */
    public record PagesSettings(Path template) {
        public static final PagesSettings BUNDLED = new PagesSettings(null);
    }

    /** Where rate-limit buckets live. */
    public enum RateLimitStoreKind {
        LOCAL, REDIS;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param store   {@code local} (in this process) or {@code redis} (shared by a fleet)
     * @param maxKeys the bound on tracked buckets of the local store
     * @param redis   the {@code rate-limit.redis} connection and fallback; {@code null} = none
     */
    public record RateLimitSettings(RateLimitStoreKind store, long maxKeys, RedisSettings redis) {
        public static final long DEFAULT_MAX_KEYS = 100_000;
        public static final RateLimitSettings LOCAL = new RateLimitSettings(RateLimitStoreKind.LOCAL, DEFAULT_MAX_KEYS, null);

        public RateLimitSettings {
            Objects.requireNonNull(store, "store");
            if (maxKeys < 1) {
                throw new IllegalArgumentException("rate-limit.max-keys must be at least 1, was " + maxKeys);
            }
            if (store == RateLimitStoreKind.REDIS && redis == null) {
                throw new IllegalStateException("rate-limit.store is redis but there is no rate-limit.redis block (url: redis://…)");
            }
        }
    }

    /** Builds {@link GatehouseSettings}; each setting is checked when made and the message names its key. */
    public static final class Builder {
        private String policy;
        private boolean policyReload = true;
        private Duration budget = DEFAULT_BUDGET;
        private FailMode failMode = FailMode.OPEN;
        private List<String> trustedProxies = List.of();
        private ForwardedHeaders forwardedHeaders = ForwardedHeaders.X_FORWARDED_FOR;
        private List<HostPort> dnsServers = List.of();
        private DataSettings data = DataSettings.BUNDLED;
        private RateLimitSettings rateLimit = RateLimitSettings.LOCAL;
        private Map<String, ProviderSettings> providers = new LinkedHashMap<>();
        private SharedCacheKind sharedCache = SharedCacheKind.OFF;
        private DecisionLogSettings decisionLog;
        private PagesSettings pages = PagesSettings.BUNDLED;
        private boolean explainHeader;
        private boolean upstreamHeaders = true;
        private ChallengeSettings challenge = ChallengeSettings.ofDefaults();

        private Builder() {
        }

        /** A policy file path, a {@code classpath:} resource, or {@code null} for the bundled default. */
        public Builder policy(String policy) {
            if (policy != null) {
                String p = policy.strip();
                if (p.isEmpty()) {
                    policy = null;
                } else if (p.startsWith("file:")) {
                    policy = Path.of(p.substring("file:".length())).toString();
                } else if (!p.startsWith(CLASSPATH)) {
                    try {
                        policy = Path.of(p).toString();
                    } catch (java.nio.file.InvalidPathException e) {
                        throw new IllegalArgumentException("policy is not a file path: '" + policy + "'");
                    }
                } else {
                    policy = p;
                }
            }
            this.policy = policy;
            return this;
        }

        public Builder policy(Path policy) {
            return policy(policy == null ? null : policy.toString());
        }

        public Builder policyReload(boolean policyReload) {
            this.policyReload = policyReload;
            return this;
        }

        /** 1 ms to 60 s. */
        public Builder budget(Duration budget) {
            Objects.requireNonNull(budget, "budget");
            if (budget.compareTo(Duration.ofMillis(1)) < 0 || budget.compareTo(MAX_BUDGET) > 0) {
                throw new IllegalArgumentException("budget must be within 1ms..60s, was " + SettingsReader.format(budget));
            }
            this.budget = budget;
            return this;
        }

        public Builder failMode(FailMode failMode) {
            this.failMode = Objects.requireNonNull(failMode, "failMode");
            return this;
        }

        /** CIDRs, bare addresses, {@code loopback}, {@code private}, {@code none}; checked at once. */
        public Builder trustedProxies(List<String> trustedProxies) {
            List<String> entries = new ArrayList<>();
            for (String e : trustedProxies) {
                if (e != null && !e.isBlank()) {
                    entries.add(e.strip());
                }
            }
            try {
                TrustedProxies.parse(entries);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("trusted-proxies: " + e.getMessage(), e);
            }
            this.trustedProxies = List.copyOf(entries);
            return this;
        }

        public Builder forwardedHeaders(ForwardedHeaders forwardedHeaders) {
            this.forwardedHeaders = Objects.requireNonNull(forwardedHeaders, "forwardedHeaders");
            return this;
        }

        public Builder dnsServers(List<HostPort> dnsServers) {
            for (HostPort server : dnsServers) {
                if (server.port() == 0) {
                    throw new IllegalArgumentException("dns-servers: the port must be 1-65535, was 0 in " + server);
                }
            }
            this.dnsServers = List.copyOf(dnsServers);
            return this;
        }

        public Builder data(DataSettings data) {
            this.data = Objects.requireNonNull(data, "data");
            return this;
        }

        public Builder rateLimit(RateLimitSettings rateLimit) {
            this.rateLimit = Objects.requireNonNull(rateLimit, "rateLimit");
            return this;
        }

        /** {@code providers.NAME}: one remote provider's settings ({@code ProviderSettings.builder(name)}). */
        public Builder provider(String name, ProviderSettings provider) {
            if (!PROVIDER_NAMES.contains(name)) {
                throw new IllegalArgumentException("providers." + name + " is not a provider" + dev.gatehouse.text.DidYouMean.suggest(name, PROVIDER_NAMES)
                        + "; known: " + String.join(", ", PROVIDER_NAMES));
            }
            Objects.requireNonNull(provider, "provider");
            if (!provider.name().equals(name)) {
                throw new IllegalArgumentException("providers." + name + " holds the settings of " + provider.name());
            }
            this.providers.put(name, provider);
            return this;
        }

        /** {@code shared-cache}: {@code off} (default) or {@code redis}. */
        public Builder sharedCache(SharedCacheKind sharedCache) {
            this.sharedCache = Objects.requireNonNull(sharedCache, "shared-cache");
            return this;
        }

        /** The {@code decision-log} block; {@code null} = no decision log. */
        public Builder decisionLog(DecisionLogSettings decisionLog) {
            this.decisionLog = decisionLog;
            return this;
        }

        /** The {@code pages} block. */
        public Builder pages(PagesSettings pages) {
            this.pages = Objects.requireNonNull(pages, "pages");
            return this;
        }

        public Builder explainHeader(boolean explainHeader) {
            this.explainHeader = explainHeader;
            return this;
        }

        public Builder upstreamHeaders(boolean upstreamHeaders) {
            this.upstreamHeaders = upstreamHeaders;
            return this;
        }

        /** The {@code challenge} block. */
        public Builder challenge(ChallengeSettings challenge) {
            this.challenge = Objects.requireNonNull(challenge, "challenge");
            return this;
        }

        public GatehouseSettings build() {
            return new GatehouseSettings(policy, policyReload, budget, failMode, trustedProxies, forwardedHeaders, dnsServers,
                    data, rateLimit, providers, sharedCache, decisionLog, explainHeader, upstreamHeaders, challenge, pages);
        }
    }
}
