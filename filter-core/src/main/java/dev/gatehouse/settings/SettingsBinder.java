package dev.gatehouse.settings;

import dev.gatehouse.engine.provider.ProviderSettings;

import dev.gatehouse.ratelimit.redis.RedisSettings;

import dev.gatehouse.challenge.ChallengeSettings;
import dev.gatehouse.decisionlog.DecisionLogSettings;
import dev.gatehouse.engine.embedded.EmbeddedEngine;
import dev.gatehouse.net.ForwardedHeaders;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.settings.GatehouseSettings.DataSettings;
import dev.gatehouse.settings.GatehouseSettings.FailMode;
import dev.gatehouse.settings.GatehouseSettings.RateLimitSettings;
import dev.gatehouse.settings.GatehouseSettings.RateLimitStoreKind;
import dev.gatehouse.text.DidYouMean;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

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
            "forwarded-headers", "dns-servers", "data", "rate-limit", "shared-cache", "providers", "decision-log", "explain-header", "upstream-headers",
            "challenge", "pages");
    static final List<String> PAGES_KEYS = List.of("template");
    static final List<String> CHALLENGE_KEYS = List.of("secret-env", "previous-secret-env", "pass-lifetime", "difficulty",
            "exempt-paths", "max-failures", "failure-window", "cookie");
    static final List<String> DATA_KEYS = List.of("directory", "refresh", "urls", "public-feeds");
    static final List<String> RATE_LIMIT_KEYS = List.of("store", "max-keys", "redis");
    static final List<String> REDIS_KEYS = List.of("url", "password-env", "key-prefix", "timeout", "fallback");

    private static final Map<String, FailMode> FAIL_MODES = choices(FailMode.values());
    private static final Map<String, RateLimitStoreKind> STORES = choices(RateLimitStoreKind.values());
    private static final Map<String, GatehouseSettings.SharedCacheKind> SHARED_CACHES = choices(GatehouseSettings.SharedCacheKind.values());
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
        return bind(root, adapterKeys, warnings, System::getenv);
    }

    /** As above; {@code env} resolves the {@code *-env} keys (e.g. {@code providers.iptrust.api-key-env}). */
    public static GatehouseSettings bind(SettingsNode.Mapping root, Collection<String> adapterKeys, Consumer<String> warnings,
                                         Function<String, String> env) {
        SettingsReader r = SettingsReader.of(root, warnings);
        GatehouseSettings settings = read(r, adapterKeys, env);
        r.throwIfAny();
        return settings;
    }

    /**
     * Reads the core keys from {@code r}, reporting problems to it (the caller reads its own keys from the
     * same reader and then calls {@link SettingsReader#throwIfAny()}). Returns what could be built; when
     * {@code r} has problems the result may be {@code null}.
     */
    public static GatehouseSettings read(SettingsReader r, Collection<String> adapterKeys) {
        return read(r, adapterKeys, System::getenv);
    }

    /** As above; {@code env} resolves the {@code *-env} keys. */
    public static GatehouseSettings read(SettingsReader r, Collection<String> adapterKeys, Function<String, String> env) {
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
        GatehouseSettings.SharedCacheKind sharedCache = r.choice("shared-cache", SHARED_CACHES);
        if (sharedCache != null) {
            b.sharedCache(sharedCache);
        }
        SettingsReader providers = r.child("providers");
        if (providers != null) {
            for (String name : providers.keys()) {
                SettingsNode block = providers.node(name);
                if (!(block instanceof SettingsNode.Mapping)) {
                    providers.problem(name, "expected a mapping (enabled:, api-key-env:, …)");
                    continue;
                }
                if (!GatehouseSettings.PROVIDER_NAMES.contains(name)) {
                    providers.apply(name, () -> b.provider(name, null));
                    continue;
                }
                ProviderSettings bound = bindProvider(providers.child(name), name, env);
                if (bound != null) {
                    b.provider(name, bound);
                }
            }
        }
        SettingsReader decisionLog = r.child("decision-log");
        if (decisionLog != null) {
            DecisionLogSettings bound = decisionLog(decisionLog);
            if (bound != null) {
                b.decisionLog(bound);
            }
        }
        SettingsReader pages = r.child("pages");
        if (pages != null) {
            pages.checkKeys(PAGES_KEYS, Set.of());
            Path template = pages.path("template");
            if (template != null) {
                b.pages(new GatehouseSettings.PagesSettings(template));
            }
        }
        Boolean explain = r.bool("explain-header");
        if (explain != null) {
            b.explainHeader(explain);
        }
        Boolean upstreamHeaders = r.bool("upstream-headers");
        if (upstreamHeaders != null) {
            b.upstreamHeaders(upstreamHeaders);
        }
        SettingsReader challenge = r.child("challenge");
        if (challenge != null) {
            ChallengeSettings c = challenge(challenge);
            if (c != null) {
                b.challenge(c);
            }
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
        Boolean publicFeeds = r.bool("public-feeds");
        boolean refreshOff = refresh != null && refresh.isZero();
        if (refreshOff && Boolean.TRUE.equals(publicFeeds)) {
            r.problem("public-feeds", "is true but data.refresh is off, which turns the public feeds off; leave out one of them");
        } else if (refreshOff) {
            publicFeeds = false; // refresh: off is the opt-out of fetching data at all, also under gatehouse run
        }
        Boolean feeds = publicFeeds;
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
        r.apply("", () -> out[0] = new DataSettings(directory, refreshOff ? null : refresh, urls, feeds));
        return out[0];
    }

    /** The {@code decision-log} block: each builder check becomes a problem naming its key. */
    private static DecisionLogSettings decisionLog(SettingsReader r) {
        r.checkKeys(DecisionLogSettings.KEYS, Set.of());
        DecisionLogSettings.Builder d = DecisionLogSettings.custom();
        String to = r.string("to");
        if (to != null && List.of(DecisionLogSettings.STDOUT, DecisionLogSettings.STDERR, DecisionLogSettings.OFF)
                .contains(to.strip().toLowerCase(java.util.Locale.ROOT))) {
            r.apply("to", () -> d.to(to));
        } else if (to != null) {
            Path file = r.path("to"); // relative to the YAML file's folder, as every path
            if (file != null) {
                r.apply("to", () -> d.to(file.toString()));
            }
        }
        decimal(r, "sample-allows", d::sampleAllows);
        String size = r.string("max-file-size");
        if (size != null) {
            r.apply("max-file-size", () -> d.maxFileSize(DecisionLogSettings.parseSize(size)));
        }
        whole(r, "max-files", n -> d.maxFiles((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, n))));
        whole(r, "queue", n -> d.queue((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, n))));
        if (!r.problems().isEmpty()) {
            return null;
        }
        DecisionLogSettings[] out = new DecisionLogSettings[1];
        r.apply("", () -> {
            try {
                out[0] = d.build();
            } catch (IllegalArgumentException e) {
                // the record names the key in full (decision-log.max-files must …): keep only the message
                throw new IllegalArgumentException(String.valueOf(e.getMessage()).replaceFirst("^decision-log\\.", ""), e);
            }
        });
        return out[0];
    }

    /** The {@code challenge} block: each builder check becomes a problem naming its key. */
    private static ChallengeSettings challenge(SettingsReader r) {
        r.checkKeys(CHALLENGE_KEYS, Set.of());
        ChallengeSettings.Builder c = ChallengeSettings.custom();
        String secretEnv = r.string("secret-env");
        if (secretEnv != null) {
            r.apply("secret-env", () -> c.secretEnv(secretEnv));
        }
        String previousEnv = r.string("previous-secret-env");
        if (previousEnv != null) {
            r.apply("previous-secret-env", () -> c.previousSecretEnv(previousEnv));
        }
        Duration lifetime = r.duration("pass-lifetime");
        if (lifetime != null) {
            r.apply("pass-lifetime", () -> c.passLifetime(lifetime));
        }
        Long difficulty = r.integer("difficulty");
        if (difficulty != null) {
            r.apply("difficulty", () -> c.difficulty((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, difficulty))));
        }
        List<String> exempt = r.list("exempt-paths");
        if (exempt != null) {
            r.apply("exempt-paths", () -> c.exemptPaths(exempt));
        }
        Long maxFailures = r.integer("max-failures");
        if (maxFailures != null) {
            r.apply("max-failures", () -> c.maxFailures((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, maxFailures))));
        }
        Duration window = r.duration("failure-window");
        if (window != null) {
            r.apply("failure-window", () -> c.failureWindow(window));
        }
        String cookie = r.string("cookie");
        if (cookie != null) {
            r.apply("cookie", () -> c.cookieName(cookie));
        }
        ChallengeSettings[] out = new ChallengeSettings[1];
        r.apply("", () -> out[0] = c.build());
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
        RedisSettings bound = redis == null ? null : bindRedis(r.child("redis"));
        if (redis != null && bound == null) {
            return RateLimitSettings.LOCAL; // its problems are recorded; the binding as a whole fails
        }
        return new RateLimitSettings(store == null ? RateLimitStoreKind.LOCAL : store,
                maxKeys == null ? RateLimitSettings.DEFAULT_MAX_KEYS : maxKeys, bound);
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

    /** One {@code providers.NAME} block; the builder's own checks name the key, the reader its place. */
    static ProviderSettings bindProvider(SettingsReader p, String name, Function<String, String> env) {
        ProviderSettings.Builder b = ProviderSettings.builder(name).environment(env);
        if (p == null) {
            return b.build(); // an empty block: the documented defaults
        }
        p.checkKeys(ProviderSettings.KEYS, Set.of());
        int before = p.problems().size();
        Boolean enabled = p.bool("enabled");
        if (enabled != null) {
            b.enabled(enabled);
        }
        text(p, "api-key", b::apiKey);
        text(p, "api-key-env", b::apiKeyEnv);
        text(p, "base-url", b::baseUrl);
        text(p, "when", b::when);
        duration(p, "timeout", b::timeout);
        duration(p, "cache-ttl", b::cacheTtl);
        duration(p, "cache-max-stale", b::cacheMaxStale);
        duration(p, "negative-cache-ttl", b::negativeCacheTtl);
        whole(p, "cache-max-size", b::cacheMaxSize);
        whole(p, "quota-per-hour", b::quotaPerHour);
        whole(p, "quota-per-day", b::quotaPerDay);
        whole(p, "max-concurrent", n -> b.maxConcurrent(Math.toIntExact(n)));
        decimal(p, "weight", b::weight);
        decimal(p, "report-sample-rate", b::reportSampleRate);
        if (p.problems().size() > before) {
            return null;
        }
        try {
            return b.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            // the builder names the key in full (providers.iptrust.api-key-env: …): report it at that key's place
            String message = String.valueOf(e.getMessage());
            String prefix = "providers." + name + ".";
            if (message.startsWith(prefix)) {
                int end = prefix.length();
                while (end < message.length() && message.charAt(end) != ':' && message.charAt(end) != ' ') {
                    end++;
                }
                String key = message.substring(prefix.length(), end);
                if (ProviderSettings.KEYS.contains(key)) {
                    p.problem(key, message.substring(end).replaceFirst("^[:\\s]+", ""));
                    return null;
                }
            }
            p.problem("", message);
            return null;
        }
    }

    private static void text(SettingsReader r, String key, Consumer<String> setter) {
        String value = r.string(key);
        if (value != null) {
            r.apply(key, () -> setter.accept(value));
        }
    }

    private static void duration(SettingsReader r, String key, Consumer<Duration> setter) {
        Duration value = r.duration(key);
        if (value != null) {
            r.apply(key, () -> setter.accept(value));
        }
    }

    private static void whole(SettingsReader r, String key, java.util.function.LongConsumer setter) {
        Long value = r.integer(key);
        if (value != null) {
            r.apply(key, () -> setter.accept(value));
        }
    }

    private static void decimal(SettingsReader r, String key, java.util.function.DoubleConsumer setter) {
        String value = r.string(key);
        if (value != null) {
            r.apply(key, () -> {
                double d;
                try {
                    d = Double.parseDouble(value.strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("expected a number such as 1.0, was '" + value + "'");
                }
                setter.accept(d);
            });
        }
    }

    /** The {@code rate-limit.redis} block; the builder's own checks name the key. */
    static RedisSettings bindRedis(SettingsReader redis) {
        redis.checkKeys(REDIS_KEYS, Set.of());
        RedisSettings.Builder b = RedisSettings.builder();
        String url = redis.string("url");
        if (url != null) {
            redis.apply("url", () -> b.url(url));
        }
        String passwordEnv = redis.string("password-env");
        if (passwordEnv != null) {
            redis.apply("password-env", () -> b.passwordEnv(passwordEnv));
        }
        String prefix = redis.string("key-prefix");
        if (prefix != null) {
            redis.apply("key-prefix", () -> b.keyPrefix(prefix));
        }
        Duration timeout = redis.duration("timeout");
        if (timeout != null) {
            redis.apply("timeout", () -> b.timeout(timeout));
        }
        String fallback = redis.string("fallback");
        if (fallback != null) {
            redis.apply("fallback", () -> b.fallback(fallback));
        }
        if (!redis.problems().isEmpty()) {
            return null;
        }
        RedisSettings[] out = new RedisSettings[1];
        redis.apply("url", () -> out[0] = b.build());
        return out[0];
    }

    private static <E extends Enum<E>> Map<String, E> choices(E[] values) {
        Map<String, E> out = new LinkedHashMap<>();
        for (E e : values) {
            out.put(e.name().toLowerCase(java.util.Locale.ROOT), e);
        }
        return out;
    }
}
