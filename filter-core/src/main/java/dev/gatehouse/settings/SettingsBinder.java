package dev.gatehouse.settings;

import dev.gatehouse.DidYouMean;
import dev.gatehouse.engine.embedded.EmbeddedEngine;
import dev.gatehouse.net.ForwardedHeaders;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.settings.GatehouseSettings.DataSettings;
import dev.gatehouse.settings.GatehouseSettings.FailMode;
import dev.gatehouse.settings.GatehouseSettings.RateLimitSettings;
import dev.gatehouse.settings.GatehouseSettings.RateLimitStoreKind;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The one binder from a settings tree to {@link GatehouseSettings}, whichever front end read the tree
 * ({@link SettingsSources#yaml}, {@link SettingsSources#flat} for init-params and Spring properties).
 * It collects every problem, each as {@code ORIGIN: key: message} with a did-you-mean for unknown keys,
 * and accepts the old spellings ({@code budget_ms}, {@code fail_closed}, {@code trusted_proxies},
 * {@code budget-ms}, {@code fail-open}, …) with a warning naming the new key.
 *
 * <pre>{@code
 * GatehouseSettings settings = SettingsBinder.bind(SettingsSources.yaml(Path.of("gatehouse.yaml")), Set.of(), log::warn);
 * }</pre>
 */
public final class SettingsBinder {

    /** The core keys, in the order {@code docs/configuration.md} lists them. */
    public static final List<String> KEYS = List.of("policy", "policy-reload", "budget", "fail-mode", "trusted-proxies",
            "forwarded-headers", "dns-servers", "data", "rate-limit", "providers", "decision-log", "explain-header", "upstream-headers");
    static final List<String> DATA_KEYS = List.of("directory", "refresh", "urls");
    static final List<String> RATE_LIMIT_KEYS = List.of("store", "max-keys", "redis");

    private static final Map<String, FailMode> FAIL_MODES = choices(FailMode.values());
    private static final Map<String, RateLimitStoreKind> STORES = choices(RateLimitStoreKind.values());
    private static final Map<String, ForwardedHeaders> FORWARDED = new LinkedHashMap<>();

    static {
        FORWARDED.put("x-forwarded-for", ForwardedHeaders.X_FORWARDED_FOR);
        FORWARDED.put("forwarded", ForwardedHeaders.FORWARDED);
        FORWARDED.put("both", ForwardedHeaders.BOTH);
    }

    private SettingsBinder() {
    }

    /**
     * Binds a whole tree.
     *
     * @param adapterKeys top-level keys the calling adapter reads itself (e.g. Spring's {@code url-patterns}); not unknown here
     * @param warnings    where deprecation warnings go (each names the new key)
     * @throws SettingsException listing every problem
     */
    public static GatehouseSettings bind(SettingsNode.Mapping root, Collection<String> adapterKeys, Consumer<String> warnings) {
        SettingsReader r = SettingsReader.of(root, warnings);
        GatehouseSettings settings = read(r, adapterKeys);
        r.throwIfAny();
        return settings;
    }

    /**
     * Reads the core keys from {@code r}, reporting problems to it (the caller reads its own keys from the
     * same reader and then calls {@link SettingsReader#throwIfAny()}). Returns what could be built; when
     * {@code r} has problems the result may be {@code null}.
     */
    public static GatehouseSettings read(SettingsReader r, Collection<String> adapterKeys) {
        deprecations(r);
        r.checkKeys(KEYS, adapterKeys);
        GatehouseSettings.Builder b = GatehouseSettings.custom();
        r.apply("policy", () -> b.policy(r.location("policy")));
        Boolean reload = r.bool("policy-reload");
        if (reload != null) {
            b.policyReload(reload);
        }
        Duration budget = r.duration("budget");
        if (budget != null) {
            r.apply("budget", () -> b.budget(budget));
        }
        FailMode failMode = r.choice("fail-mode", FAIL_MODES);
        if (failMode != null) {
            b.failMode(failMode);
        }
        List<String> trusted = r.list("trusted-proxies");
        if (trusted != null) {
            r.apply("trusted-proxies", () -> b.trustedProxies(trusted));
        }
        ForwardedHeaders forwarded = r.choice("forwarded-headers", FORWARDED);
        if (forwarded != null) {
            b.forwardedHeaders(forwarded);
        }
        List<HostPort> dns = r.hostPorts("dns-servers", 53);
        if (dns != null) {
            r.apply("dns-servers", () -> b.dnsServers(dns));
        }
        SettingsReader data = r.child("data");
        if (data != null) {
            DataSettings d = data(data);
            if (d != null) {
                b.data(d);
            }
        }
        SettingsReader rateLimit = r.child("rate-limit");
        if (rateLimit != null) {
            r.apply("rate-limit", () -> b.rateLimit(rateLimit(rateLimit)));
        }
        SettingsReader providers = r.child("providers");
        if (providers != null) {
            for (String name : providers.keys()) {
                SettingsNode block = providers.node(name);
                if (!(block instanceof SettingsNode.Mapping)) {
                    providers.problem(name, "expected a mapping (enabled:, api-key-env:, …)");
                    continue;
                }
                providers.apply(name, () -> b.provider(name, bindProvider(providers, name)));
            }
        }
        SettingsNode decisionLog = r.node("decision-log");
        if (decisionLog != null) {
            b.decisionLog(decisionLog);
        }
        Boolean explain = r.bool("explain-header");
        if (explain != null) {
            b.explainHeader(explain);
        }
        Boolean upstreamHeaders = r.bool("upstream-headers");
        if (upstreamHeaders != null) {
            b.upstreamHeaders(upstreamHeaders);
        }
        if (!r.problems().isEmpty()) {
            return null;
        }
        try {
            return b.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            r.problem("", e.getMessage());
            return null;
        }
    }

    /** The spellings of earlier releases, accepted for one more with a warning that names the new key. */
    private static void deprecations(SettingsReader r) {
        r.deprecated("budget_ms", "budget", ms -> ms + "ms")
                .deprecated("budget-ms", "budget", ms -> ms + "ms")
                .deprecated("fail_closed", "fail-mode", SettingsBinder::closedIfTrue)
                .deprecated("fail-closed", "fail-mode", SettingsBinder::closedIfTrue)
                .deprecated("fail-open", "fail-mode", v -> v.equalsIgnoreCase("false") ? "closed" : v.equalsIgnoreCase("true") ? "open" : v)
                .deprecated("trusted_proxies", "trusted-proxies", null)
                .deprecated("forwarded_headers", "forwarded-headers", null)
                .deprecated("dns_servers", "dns-servers", null)
                .deprecated("policy_reload", "policy-reload", null)
                .deprecated("explain_header", "explain-header", null)
                .deprecated("upstream_headers", "upstream-headers", null)
                .deprecated("rate_limit", "rate-limit", null);
    }

    private static String closedIfTrue(String v) {
        return v.equalsIgnoreCase("true") ? "closed" : v.equalsIgnoreCase("false") ? "open" : v;
    }

    private static DataSettings data(SettingsReader r) {
        r.deprecated("refresh_interval_s", "refresh", s -> s.matches("\\d+") ? s + "s" : s)
                .deprecated("refresh-interval", "refresh", null);
        r.checkKeys(DATA_KEYS, Set.of());
        Path directory = r.path("directory");
        Duration refresh = r.durationOrOff("refresh");
        Map<String, URI> urls = new LinkedHashMap<>();
        SettingsReader urlReader = r.child("urls");
        if (urlReader != null) {
            for (String key : urlReader.keys()) {
                String text = urlReader.string(key);
                if (!EmbeddedEngine.feedKeys().contains(key)) {
                    urlReader.problem(key, "unknown data set" + DidYouMean.suggest(key, EmbeddedEngine.feedKeys()) + "; see docs/data.md for the keys");
                    continue;
                }
                URI url = urlReader.url(key);
                if (url == null) {
                    continue;
                }
                if (url.getScheme() == null || !url.getScheme().matches("(?i)https?") || url.getHost() == null) {
                    urlReader.problem(key, "expected an http(s) URL, was '" + text + "'");
                    continue;
                }
                urls.put(key, url);
            }
        }
        DataSettings[] out = new DataSettings[1];
        r.apply("", () -> out[0] = new DataSettings(directory, refresh == null || refresh.isZero() ? null : refresh, urls));
        return out[0];
    }

    private static RateLimitSettings rateLimit(SettingsReader r) {
        r.deprecated("max_keys", "max-keys", null);
        r.checkKeys(RATE_LIMIT_KEYS, Set.of());
        RateLimitStoreKind store = r.choice("store", STORES);
        Long maxKeys = r.integer("max-keys");
        SettingsNode redis = r.node("redis");
        if (redis != null && !(redis instanceof SettingsNode.Mapping)) {
            r.problem("redis", "expected a mapping (url:, key-prefix:, …)");
            redis = null;
        }
        return new RateLimitSettings(store == null ? RateLimitStoreKind.LOCAL : store,
                maxKeys == null ? RateLimitSettings.DEFAULT_MAX_KEYS : maxKeys, redis == null ? null : bindRedis(r));
    }

    /*
     * Extension points for the sub-trees other parts of Gatehouse own (the providers' ProviderSettings,
     * the Redis store's RedisSettings). Today each returns the raw node, kept in GatehouseSettings and
     * compared by value. To plug a typed settings class in:
     *   1. change the field type in GatehouseSettings (providers: Map<String, SettingsNode> →
     *      Map<String, ProviderSettings>; RateLimitSettings.redis: SettingsNode → RedisSettings) and the
     *      matching Builder.provider(...) / RateLimitSettings constructor;
     *   2. here, read the block with `SettingsReader block = parent.child(key)`: its string/duration/
     *      integer/bool/choice readers and checkKeys(...) report into the same problem list, as
     *      `ORIGIN: providers.iptrust.timeout: message`, and block.apply(key, () -> builder.x(value))
     *      turns the builder's IllegalArgumentException into such a problem; return the built value
     *      (or null when block.problems() is not empty).
     * Every front end (gatehouse.yaml, init-params, Spring) then binds them with no other change.
     */

    /** The {@code providers.NAME} block; today the raw node, for the providers' settings type to bind. */
    static SettingsNode bindProvider(SettingsReader providers, String name) {
        return providers.node(name);
    }

    /** The {@code rate-limit.redis} block; today the raw node, for the Redis store's settings type to bind. */
    static SettingsNode bindRedis(SettingsReader rateLimit) {
        return rateLimit.node("redis");
    }

    private static <E extends Enum<E>> Map<String, E> choices(E[] values) {
        Map<String, E> out = new LinkedHashMap<>();
        for (E e : values) {
            out.put(e.name().toLowerCase(java.util.Locale.ROOT), e);
        }
        return out;
    }
}
