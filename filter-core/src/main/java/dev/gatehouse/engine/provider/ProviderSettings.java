package dev.gatehouse.engine.provider;

import dev.gatehouse.text.DidYouMean;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The settings of one remote provider: the {@code providers.<name>} block of {@code gatehouse.yaml},
 * of {@code gatehouse.providers.<name>} in Spring, and of the {@code providers.<name>.*} init-params.
 * Immutable; the builder checks every value when it is set and names the key in its message
 * ({@code providers.iptrust.timeout must be positive, was -5ms}).
 *
 * <p>The API key is never part of {@link #toString()}, of an error message, a log line or a metric:
 * only the adapters read it, to put it where the provider's document says (a header or a query
 * parameter).
 *
 * <pre>{@code
 * ProviderSettings ipintel = ProviderSettings.builder("ipintel")
 *         .apiKeyEnv("IPINTEL_API_KEY")
 *         .when(ProviderSettings.When.INCONCLUSIVE)
 *         .quotaPerDay(500)
 *         .build();
 * }</pre>
 */
public final class ProviderSettings {

    /** The provider names of the design contract, in documentation order. */
    public static final List<String> NAMES = List.of("iptrust", "ipbot", "ipinsights", "ipgeolocation", "ipintel");

    /** When a provider is asked during a request. */
    public enum When {
        /** For every request whose address is public (never for private or bogon addresses). */
        ALWAYS,
        /** Only when the signals known before it leave the decision open: see {@link Escalation}. */
        INCONCLUSIVE,
        /** Never waited for: a cached answer is used, a missing or stale one is fetched for the next request. */
        BACKGROUND;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** {@code always}, {@code inconclusive} or {@code background}, case-insensitive. */
        public static When parse(String key, String text) {
            for (When w : values()) {
                if (w.id().equalsIgnoreCase(text == null ? "" : text.trim())) {
                    return w;
                }
            }
            throw new IllegalArgumentException(key + " must be one of always, inconclusive, background, was '" + text + "'"
                    + DidYouMean.suggest(String.valueOf(text), List.of("always", "inconclusive", "background")));
        }
    }

    private static final Map<String, URI> DEFAULT_BASE_URLS = Map.of(
            "iptrust", URI.create("https://api.iptrust.co"),
            "ipbot", URI.create("https://api.ipbot.com"),
            "ipinsights", URI.create("https://ipinsights.io"),
            "ipgeolocation", URI.create("https://api.ipgeolocation.io"),
            "ipintel", URI.create("https://api.ipintel.ai"));

    private final String name;
    private final boolean enabled;
    private final String apiKey;      // resolved; null when none (IPBot allows anonymous use)
    private final String apiKeyEnv;   // the variable it came from, for messages; null when given inline
    private final URI baseUrl;
    private final When when;
    private final Duration timeout;
    private final Duration callTimeout;
    private final Duration cacheTtl;
    private final Duration cacheMaxStale;
    private final Duration negativeCacheTtl;
    private final long cacheMaxSize;
    private final long quotaPerHour;
    private final long quotaPerDay;
    private final int maxConcurrent;
    private final double weight;
    private final double reportSampleRate;

    private ProviderSettings(Builder b, String apiKey) {
        this.name = b.name;
        this.enabled = b.enabled;
        this.apiKey = apiKey;
        this.apiKeyEnv = b.apiKeyEnv;
        this.baseUrl = b.baseUrl == null ? DEFAULT_BASE_URLS.get(b.name) : b.baseUrl;
        this.when = b.when;
        this.timeout = b.timeout;
        this.callTimeout = b.callTimeout;
        this.cacheTtl = b.cacheTtl;
        this.cacheMaxStale = b.cacheMaxStale == null ? b.cacheTtl : b.cacheMaxStale;
        this.negativeCacheTtl = b.negativeCacheTtl;
        this.cacheMaxSize = b.cacheMaxSize;
        this.quotaPerHour = b.quotaPerHour == null ? defaultQuotaPerHour(b.name) : b.quotaPerHour;
        this.quotaPerDay = b.quotaPerDay == null ? defaultQuotaPerDay(b.name) : b.quotaPerDay;
        this.maxConcurrent = b.maxConcurrent;
        this.weight = b.weight;
        this.reportSampleRate = b.reportSampleRate;
    }

    /** Settings for {@code name} (one of {@link #NAMES}), with the documented defaults. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The keys of one {@code providers.<name>} block, as spelled in SETTINGS-KEYS. */
    public static final List<String> KEYS = List.of("enabled", "api-key", "api-key-env", "base-url", "when", "timeout",
            "cache-ttl", "cache-max-stale", "negative-cache-ttl", "cache-max-size", "quota-per-hour", "quota-per-day",
            "max-concurrent", "weight", "report-sample-rate");

    /**
     * Settings from one {@code providers.<name>} block as the bindings read it: a YAML map, Spring's
     * relaxed properties or servlet init-params (values may be strings: {@code "40ms"}, {@code "500"},
     * {@code "true"}). Durations are {@code 50ms}, {@code 2s}, {@code 10m}, {@code 6h}, {@code 1d} (or a
     * {@link Duration}); an unknown key is an error naming it, with a suggestion.
     */
    public static ProviderSettings fromMap(String name, Map<String, ?> block, Function<String, String> environment) {
        Builder b = builder(name).environment(environment);
        for (Map.Entry<String, ?> e : block.entrySet()) {
            String key = e.getKey();
            Object v = e.getValue();
            String path = "providers." + name + "." + key;
            if (v == null) {
                continue;
            }
            switch (key) {
                case "enabled" -> b.enabled(bool(path, v));
                case "api-key" -> b.apiKey(v.toString());
                case "api-key-env" -> b.apiKeyEnv(v.toString());
                case "base-url" -> b.baseUrl(v.toString());
                case "when" -> b.when(v.toString());
                case "timeout" -> b.timeout(duration(path, v));
                case "cache-ttl" -> b.cacheTtl(duration(path, v));
                case "cache-max-stale" -> b.cacheMaxStale(duration(path, v));
                case "negative-cache-ttl" -> b.negativeCacheTtl(duration(path, v));
                case "cache-max-size" -> b.cacheMaxSize(number(path, v));
                case "quota-per-hour" -> b.quotaPerHour(number(path, v));
                case "quota-per-day" -> b.quotaPerDay(number(path, v));
                case "max-concurrent" -> b.maxConcurrent(Math.toIntExact(number(path, v)));
                case "weight" -> b.weight(decimal(path, v));
                case "report-sample-rate" -> b.reportSampleRate(decimal(path, v));
                default -> throw new IllegalArgumentException(path + ": unknown key" + DidYouMean.suggest(key, KEYS));
            }
        }
        return b.build();
    }

    private static boolean bool(String path, Object v) {
        if (v instanceof Boolean bool) {
            return bool;
        }
        String s = v.toString().strip();
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException(path + " must be true or false, was '" + v + "'");
    }

    private static long number(String path, Object v) {
        if (v instanceof Number n && n.doubleValue() == n.longValue()) {
            return n.longValue();
        }
        try {
            return Long.parseLong(v.toString().strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(path + " must be a whole number, was '" + v + "'");
        }
    }

    private static double decimal(String path, Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(v.toString().strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(path + " must be a number, was '" + v + "'");
        }
    }

    private static final java.util.regex.Pattern DURATION = java.util.regex.Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    /** {@code 50ms}, {@code 2s}, {@code 10m}, {@code 6h}, {@code 1d}, or a {@link Duration}; plain numbers are refused (say the unit). */
    static Duration duration(String path, Object v) {
        if (v instanceof Duration d) {
            return d;
        }
        java.util.regex.Matcher m = DURATION.matcher(v.toString().strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(path + " must be a duration such as 50ms, 2s, 10m, 6h or 1d, was '" + v + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** The provider name ({@code iptrust}, …); its signals' source is {@code provider:<name>}. */
    public String name() {
        return name;
    }

    /** {@code provider:<name>}. */
    public String source() {
        return "provider:" + name;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Whether a key is configured (the key itself is only for the adapters). */
    public boolean hasApiKey() {
        return apiKey != null;
    }

    /** The key, for the adapter to place in its header or query parameter; never log it. */
    String apiKey() {
        return apiKey;
    }

    /** Where the key was read from, for messages: {@code api-key} or {@code api-key-env NAME}. */
    public String apiKeyOrigin() {
        return apiKey == null ? "none" : apiKeyEnv == null ? "api-key" : "api-key-env " + apiKeyEnv;
    }

    public URI baseUrl() {
        return baseUrl;
    }

    public When when() {
        return when;
    }

    /** How long a request waits for this provider; the call itself may go on to fill the cache. */
    public Duration timeout() {
        return timeout;
    }

    /** How long the HTTP call may take in the background before it is abandoned (default 2 s). */
    public Duration callTimeout() {
        return callTimeout;
    }

    public Duration cacheTtl() {
        return cacheTtl;
    }

    /** How long after {@link #cacheTtl()} a stale answer may still be served while it is refreshed (default: one more TTL). */
    public Duration cacheMaxStale() {
        return cacheMaxStale;
    }

    /** How long "no data" answers (404, 422, 423) are kept, so an unknown address is not asked again at once. */
    public Duration negativeCacheTtl() {
        return negativeCacheTtl;
    }

    public long cacheMaxSize() {
        return cacheMaxSize;
    }

    /** Calls allowed per hour; 0 = unlimited. */
    public long quotaPerHour() {
        return quotaPerHour;
    }

    /** Calls allowed per day; 0 = unlimited. */
    public long quotaPerDay() {
        return quotaPerDay;
    }

    public int maxConcurrent() {
        return maxConcurrent;
    }

    /** This provider's weight in the fusion of several sources (docs/scoring.md). */
    public double weight() {
        return weight;
    }

    /** ipinsights only: the share of blocked attackers reported to {@code /api/v1/report}; 0 = off (the default). */
    public double reportSampleRate() {
        return reportSampleRate;
    }

    /** A copy with another base URL (the {@code lookup --base-url} flag). */
    public ProviderSettings withBaseUrl(URI url) {
        Builder b = toBuilder();
        b.baseUrl(url);
        return b.build();
    }

    private Builder toBuilder() {
        Builder b = new Builder(name);
        b.enabled = enabled;
        b.apiKey = apiKey;
        b.baseUrl = baseUrl;
        b.when = when;
        b.timeout = timeout;
        b.callTimeout = callTimeout;
        b.cacheTtl = cacheTtl;
        b.cacheMaxStale = cacheMaxStale;
        b.negativeCacheTtl = negativeCacheTtl;
        b.cacheMaxSize = cacheMaxSize;
        b.quotaPerHour = quotaPerHour;
        b.quotaPerDay = quotaPerDay;
        b.maxConcurrent = maxConcurrent;
        b.weight = weight;
        b.reportSampleRate = reportSampleRate;
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProviderSettings s && name.equals(s.name) && enabled == s.enabled && Objects.equals(apiKey, s.apiKey)
                && baseUrl.equals(s.baseUrl) && when == s.when && timeout.equals(s.timeout) && callTimeout.equals(s.callTimeout)
                && cacheTtl.equals(s.cacheTtl) && cacheMaxStale.equals(s.cacheMaxStale) && negativeCacheTtl.equals(s.negativeCacheTtl)
                && cacheMaxSize == s.cacheMaxSize && quotaPerHour == s.quotaPerHour && quotaPerDay == s.quotaPerDay
                && maxConcurrent == s.maxConcurrent && weight == s.weight && reportSampleRate == s.reportSampleRate;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, baseUrl, when, timeout, cacheTtl);
    }

    /** Everything but the key (shown as its origin). */
    @Override
    public String toString() {
        return "providers." + name + "{enabled=" + enabled + ", api-key=" + (apiKey == null ? "none" : "(" + apiKeyOrigin() + ")")
                + ", base-url=" + baseUrl + ", when=" + when.id() + ", timeout=" + timeout + ", cache-ttl=" + cacheTtl
                + ", negative-cache-ttl=" + negativeCacheTtl + ", cache-max-size=" + cacheMaxSize + ", quota-per-hour=" + quotaPerHour
                + ", quota-per-day=" + quotaPerDay + ", max-concurrent=" + maxConcurrent + ", weight=" + weight + "}";
    }

    /** ipinsights' free tier: 600 API lookups per hour per key. */
    private static long defaultQuotaPerHour(String name) {
        return "ipinsights".equals(name) ? 600 : 0;
    }

    /** IPIntel's free plan (Ghost): 500 calls per day. */
    private static long defaultQuotaPerDay(String name) {
        return "ipintel".equals(name) ? 500 : 0;
    }

    /** Configures {@link ProviderSettings}; each setter checks its value and names the key in its message. */
    public static final class Builder {
        private final String name;
        private final String prefix;
        private boolean enabled = true;
        private String apiKey;
        private String apiKeyEnv;
        private URI baseUrl;
        private When when = When.INCONCLUSIVE;
        private Duration timeout = Duration.ofMillis(40);
        private Duration callTimeout = Duration.ofSeconds(2);
        private Duration cacheTtl = Duration.ofHours(6);
        private Duration cacheMaxStale;
        private Duration negativeCacheTtl = Duration.ofMinutes(10);
        private long cacheMaxSize = 100_000;
        private Long quotaPerHour;
        private Long quotaPerDay;
        private int maxConcurrent = 16;
        private double weight = 1.0;
        private double reportSampleRate;
        private Function<String, String> environment = System::getenv;

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (!NAMES.contains(name)) {
                throw new IllegalArgumentException("providers." + name + ": unknown provider '" + name + "'; known: "
                        + String.join(", ", NAMES) + DidYouMean.suggest(name, NAMES));
            }
            this.name = name;
            this.prefix = "providers." + name + ".";
        }

        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        /** The key itself (prefer {@link #apiKeyEnv}: a key in a file ends up in backups). */
        public Builder apiKey(String key) {
            if (key == null || key.isBlank()) {
                throw new IllegalArgumentException(prefix + "api-key must not be empty");
            }
            this.apiKey = key.strip();
            return this;
        }

        /** The environment variable holding the key; read once, when {@link #build()} runs. */
        public Builder apiKeyEnv(String variable) {
            if (variable == null || variable.isBlank()) {
                throw new IllegalArgumentException(prefix + "api-key-env must name an environment variable");
            }
            this.apiKeyEnv = variable.strip();
            return this;
        }

        /** Where environment variables are read (tests pass a map's {@code get}). */
        public Builder environment(Function<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        public Builder baseUrl(URI url) {
            Objects.requireNonNull(url, prefix + "base-url");
            if (!("http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme())) || url.getHost() == null) {
                throw new IllegalArgumentException(prefix + "base-url must be an http:// or https:// URL, was '" + url + "'");
            }
            if (url.getRawQuery() != null || url.getRawUserInfo() != null) {
                throw new IllegalArgumentException(prefix + "base-url must have no query and no user info, was '" + url + "'");
            }
            String text = url.toString();
            this.baseUrl = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
            return this;
        }

        public Builder baseUrl(String url) {
            try {
                return baseUrl(URI.create(Objects.requireNonNull(url, prefix + "base-url").strip()));
            } catch (IllegalArgumentException e) {
                if (e.getMessage() != null && e.getMessage().startsWith(prefix)) {
                    throw e;
                }
                throw new IllegalArgumentException(prefix + "base-url is not a URL: '" + url + "'");
            }
        }

        public Builder when(When when) {
            this.when = Objects.requireNonNull(when, prefix + "when");
            return this;
        }

        public Builder when(String when) {
            return when(When.parse(prefix + "when", when));
        }

        public Builder timeout(Duration timeout) {
            this.timeout = positive("timeout", timeout);
            return this;
        }

        public Builder callTimeout(Duration timeout) {
            this.callTimeout = positive("call-timeout", timeout);
            return this;
        }

        public Builder cacheTtl(Duration ttl) {
            this.cacheTtl = positive("cache-ttl", ttl);
            return this;
        }

        /** Zero = never serve a stale answer. */
        public Builder cacheMaxStale(Duration maxStale) {
            Objects.requireNonNull(maxStale, prefix + "cache-max-stale");
            if (maxStale.isNegative()) {
                throw new IllegalArgumentException(prefix + "cache-max-stale must not be negative, was " + maxStale);
            }
            this.cacheMaxStale = maxStale;
            return this;
        }

        public Builder negativeCacheTtl(Duration ttl) {
            this.negativeCacheTtl = positive("negative-cache-ttl", ttl);
            return this;
        }

        public Builder cacheMaxSize(long size) {
            if (size < 1) {
                throw new IllegalArgumentException(prefix + "cache-max-size must be at least 1, was " + size);
            }
            this.cacheMaxSize = size;
            return this;
        }

        public Builder quotaPerHour(long calls) {
            this.quotaPerHour = notNegative("quota-per-hour", calls);
            return this;
        }

        public Builder quotaPerDay(long calls) {
            this.quotaPerDay = notNegative("quota-per-day", calls);
            return this;
        }

        public Builder maxConcurrent(int calls) {
            if (calls < 1) {
                throw new IllegalArgumentException(prefix + "max-concurrent must be at least 1, was " + calls);
            }
            this.maxConcurrent = calls;
            return this;
        }

        public Builder weight(double weight) {
            if (!(weight >= 0 && weight <= 100) || Double.isNaN(weight)) {
                throw new IllegalArgumentException(prefix + "weight must be between 0 and 100, was " + weight);
            }
            this.weight = weight;
            return this;
        }

        public Builder reportSampleRate(double rate) {
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException(prefix + "report-sample-rate must be between 0 and 1, was " + rate);
            }
            this.reportSampleRate = rate;
            return this;
        }

        public ProviderSettings build() {
            if (apiKey != null && apiKeyEnv != null) {
                throw new IllegalStateException(prefix + "api-key and " + prefix + "api-key-env are both set; set one");
            }
            if (reportSampleRate > 0 && !"ipinsights".equals(name)) {
                throw new IllegalStateException(prefix + "report-sample-rate: only ipinsights accepts reports");
            }
            String key = apiKey;
            if (apiKeyEnv != null) {
                String value = environment.apply(apiKeyEnv);
                if ((value == null || value.isBlank()) && enabled) {
                    throw new IllegalStateException(prefix + "api-key-env: the environment variable " + apiKeyEnv + " is not set");
                }
                key = value == null || value.isBlank() ? null : value.strip();
            }
            if (key == null && enabled && !"ipbot".equals(name)) {
                throw new IllegalStateException(prefix + "api-key (or " + prefix + "api-key-env) is required; only ipbot answers without a key");
            }
            return new ProviderSettings(this, key);
        }

        private Duration positive(String key, Duration d) {
            Objects.requireNonNull(d, prefix + key);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(prefix + key + " must be positive, was " + format(d));
            }
            return d;
        }

        private long notNegative(String key, long v) {
            if (v < 0) {
                throw new IllegalArgumentException(prefix + key + " must be 0 (unlimited) or more, was " + v);
            }
            return v;
        }

        private static String format(Duration d) {
            return d.toNanos() % 1_000_000 == 0 ? d.toMillis() + "ms" : d.toString();
        }
    }
}
