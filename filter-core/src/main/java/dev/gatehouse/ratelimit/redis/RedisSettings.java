package dev.gatehouse.ratelimit.redis;

import dev.gatehouse.text.DidYouMean;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The {@code rate-limit.redis} block of the settings: where the shared Redis is and what to do when it
 * is not there. Immutable; every value is checked when it is set, and error messages name the key as
 * an operator writes it ({@code rate-limit.redis.timeout must be positive, was -5ms}).
 *
 * <pre>{@code
 * RedisSettings redis = RedisSettings.builder()
 *         .url("rediss://redis.internal:6380")        // TLS
 *         .passwordEnv("GATEHOUSE_REDIS_PASSWORD")      // the password never sits in a file
 *         .keyPrefix("shop")
 *         .timeout(Duration.ofMillis(20))
 *         .fallback(RedisSettings.Fallback.LOCAL)
 *         .build();
 * }</pre>
 *
 * <p>The same YAML block in {@code gatehouse.yaml}, under {@code gatehouse:} in Spring, or as dotted
 * servlet init-params:
 * <pre>
 * rate-limit:
 *   store: redis
 *   redis:
 *     url: redis://127.0.0.1:6379
 *     password-env: GATEHOUSE_REDIS_PASSWORD
 *     key-prefix: gatehouse
 *     timeout: 20ms
 *     fallback: local
 * </pre>
 */
public final class RedisSettings {

    /** Where a decision comes from while Redis cannot answer in time. */
    public enum Fallback {
        /** Buckets in this process: each instance enforces the limit alone (N instances → up to N× the limit). */
        LOCAL,
        /** Every limited request is allowed: no false refusals, no limit either. */
        ALLOW,
        /** Every limited request is refused (429): the limit holds, at the price of refusing everyone it covers. */
        BLOCK;

        /** The spelling in settings: {@code local}, {@code allow}, {@code block}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Reads {@code local|allow|block}; an error names {@code rate-limit.redis.fallback}. */
        public static Fallback parse(String value) {
            Objects.requireNonNull(value, KEY_FALLBACK);
            for (Fallback f : values()) {
                if (f.id().equals(value.trim().toLowerCase(Locale.ROOT))) {
                    return f;
                }
            }
            List<String> ids = Arrays.stream(values()).map(Fallback::id).toList();
            throw new IllegalArgumentException(KEY_FALLBACK + " must be one of " + String.join(", ", ids) + ", was '" + value + "'"
                    + DidYouMean.suggest(value, ids));
        }
    }

    static final String KEY_URL = "rate-limit.redis.url";
    static final String KEY_PASSWORD_ENV = "rate-limit.redis.password-env";
    static final String KEY_KEY_PREFIX = "rate-limit.redis.key-prefix";
    static final String KEY_TIMEOUT = "rate-limit.redis.timeout";
    static final String KEY_FALLBACK = "rate-limit.redis.fallback";

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");
    private static final Duration MAX_TIMEOUT = Duration.ofSeconds(10);

    private final String url;
    private final String passwordEnv;
    private final String keyPrefix;
    private final Duration timeout;
    private final Fallback fallback;

    private RedisSettings(Builder b) {
        this.url = b.url;
        this.passwordEnv = b.passwordEnv;
        this.keyPrefix = b.keyPrefix;
        this.timeout = b.timeout;
        this.fallback = b.fallback;
    }

    /** The defaults: {@code redis://127.0.0.1:6379}, no password, prefix {@code gatehouse}, 20 ms, fallback {@code local}. */
    public static RedisSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to change a few. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.url = url;
        b.passwordEnv = passwordEnv;
        b.keyPrefix = keyPrefix;
        b.timeout = timeout;
        b.fallback = fallback;
        return b;
    }

    /** {@code redis://host:port[/db]}, {@code rediss://…} (TLS), or {@code redis-sentinel://…} (Lettuce's Sentinel form). */
    public String url() {
        return url;
    }

    /** The environment variable holding the password; empty when Redis needs none (or the URL carries it). */
    public Optional<String> passwordEnv() {
        return Optional.ofNullable(passwordEnv);
    }

    /** Every key Gatehouse writes starts with this and a colon: one prefix per deployment sharing a Redis. */
    public String keyPrefix() {
        return keyPrefix;
    }

    /** How long a request waits for Redis before the fallback decides. Keep it well below the Gatehouse budget. */
    public Duration timeout() {
        return timeout;
    }

    public Fallback fallback() {
        return fallback;
    }

    /**
     * The password from the environment variable named by {@code password-env}, or empty when none is named.
     *
     * @throws IllegalStateException when the variable is named but not set: a misconfiguration found at start-up
     */
    Optional<char[]> password(Function<String, String> env) {
        if (passwordEnv == null) {
            return Optional.empty();
        }
        String value = env.apply(passwordEnv);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException(KEY_PASSWORD_ENV + " names the environment variable " + passwordEnv + ", which is not set");
        }
        return Optional.of(value.toCharArray());
    }

    /**
     * The ACL user of {@code rediss://user@host} when the password comes from {@code password-env}; Lettuce
     * would read a lone user-info as a password (the pre-ACL form {@code redis://password@host}).
     */
    Optional<String> aclUser() {
        if (passwordEnv == null || !(url.startsWith("redis://") || url.startsWith("rediss://"))) {
            return Optional.empty();
        }
        String userInfo = URI.create(url).getRawUserInfo();
        return userInfo == null || userInfo.isEmpty() || userInfo.contains(":") ? Optional.empty()
                : Optional.of(java.net.URLDecoder.decode(userInfo, java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The URL with any password in it masked, for logs and status pages. */
    String safeUrl() {
        return url.replaceAll("://([^@/]*):[^@/]*@", "://$1:***@");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RedisSettings r && url.equals(r.url) && Objects.equals(passwordEnv, r.passwordEnv)
                && keyPrefix.equals(r.keyPrefix) && timeout.equals(r.timeout) && fallback == r.fallback;
    }

    @Override
    public int hashCode() {
        return Objects.hash(url, passwordEnv, keyPrefix, timeout, fallback);
    }

    @Override
    public String toString() {
        return "RedisSettings[url=" + safeUrl() + ", password-env=" + passwordEnv + ", key-prefix=" + keyPrefix
                + ", timeout=" + millis(timeout) + ", fallback=" + fallback.id() + "]";
    }

    private static String millis(Duration d) {
        return d.toNanos() % 1_000_000 == 0 ? d.toMillis() + "ms" : d.toNanos() + "ns";
    }

    /** Collects {@code rate-limit.redis} values; each is checked when set. */
    public static final class Builder {
        private String url = "redis://127.0.0.1:6379";
        private String passwordEnv;
        private String keyPrefix = "gatehouse";
        private Duration timeout = Duration.ofMillis(20);
        private Fallback fallback = Fallback.LOCAL;

        private Builder() {
        }

        /** {@code rate-limit.redis.url}: {@code redis://} or {@code rediss://} (TLS) with a host; {@code redis-sentinel://} too. */
        public Builder url(String url) {
            Objects.requireNonNull(url, KEY_URL);
            String u = url.trim();
            String scheme = u.contains("://") ? u.substring(0, u.indexOf("://")).toLowerCase(Locale.ROOT) : "";
            switch (scheme) {
                case "redis", "rediss" -> {
                    try {
                        URI parsed = new URI(u);
                        if (parsed.getHost() == null || parsed.getHost().isEmpty()) {
                            throw new IllegalArgumentException(KEY_URL + " must name a host, as in redis://127.0.0.1:6379, was '" + url + "'");
                        }
                        if (parsed.getPort() == 0 || parsed.getPort() > 65535) {
                            throw new IllegalArgumentException(KEY_URL + " has an invalid port, was '" + url + "'");
                        }
                    } catch (URISyntaxException e) {
                        throw new IllegalArgumentException(KEY_URL + " is not a valid URL (" + e.getReason() + "), was '" + url + "'");
                    }
                }
                case "redis-sentinel", "rediss-sentinel" -> {
                    if (u.length() <= scheme.length() + 3 || !u.contains("#")) {
                        throw new IllegalArgumentException(KEY_URL + " for Sentinel must name sentinels and the master, as in "
                                + "redis-sentinel://10.0.0.1:26379,10.0.0.2:26379#mymaster, was '" + url + "'");
                    }
                }
                default -> throw new IllegalArgumentException(KEY_URL + " must start with redis:// or rediss:// (TLS), was '" + url + "'");
            }
            this.url = u;
            return this;
        }

        /** {@code rate-limit.redis.password-env}: the name of the environment variable holding the password; {@code null} for none. */
        public Builder passwordEnv(String name) {
            if (name != null && !ENV_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(KEY_PASSWORD_ENV + " must be an environment variable name (letters, digits, '_'), was '"
                        + name + "'");
            }
            this.passwordEnv = name;
            return this;
        }

        /** {@code rate-limit.redis.key-prefix}: letters, digits, {@code _ . : -}, at most 64 (default {@code gatehouse}). */
        public Builder keyPrefix(String prefix) {
            Objects.requireNonNull(prefix, KEY_KEY_PREFIX);
            if (!PREFIX.matcher(prefix).matches()) {
                throw new IllegalArgumentException(KEY_KEY_PREFIX + " must be 1-64 letters, digits, '_', '.', ':' or '-', was '" + prefix + "'");
            }
            this.keyPrefix = prefix;
            return this;
        }

        /** {@code rate-limit.redis.timeout}: positive, at most 10 s (default 20 ms). */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, KEY_TIMEOUT);
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException(KEY_TIMEOUT + " must be positive, was " + millis(timeout));
            }
            if (timeout.compareTo(MAX_TIMEOUT) > 0) {
                throw new IllegalArgumentException(KEY_TIMEOUT + " must be at most 10s (a request waits that long), was " + millis(timeout));
            }
            this.timeout = timeout;
            return this;
        }

        /** {@code rate-limit.redis.fallback} (default {@code local}). */
        public Builder fallback(Fallback fallback) {
            this.fallback = Objects.requireNonNull(fallback, KEY_FALLBACK);
            return this;
        }

        /** {@code rate-limit.redis.fallback} as written: {@code local}, {@code allow} or {@code block}. */
        public Builder fallback(String fallback) {
            return fallback(Fallback.parse(fallback));
        }

        public RedisSettings build() {
            return new RedisSettings(this);
        }
    }
}
