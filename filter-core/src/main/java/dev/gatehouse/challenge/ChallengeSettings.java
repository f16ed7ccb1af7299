package dev.gatehouse.challenge;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * How the {@code challenge} verdict is served: the signing secrets, how long a pass lasts, the default
 * difficulty, the paths never challenged and when a failing client is given the rule's fallback instead.
 * Immutable; built with {@link #custom()}, each value checked when it is set.
 *
 * <pre>{@code
 * ChallengeSettings settings = ChallengeSettings.custom()
 *         .secretEnv("GATEHOUSE_CHALLENGE_SECRET")       // or .secret(…) with the value itself
 *         .passLifetime(Duration.ofHours(24))
 *         .difficulty(16)
 *         .build();
 * }</pre>
 */
public final class ChallengeSettings {

    /** The smallest secret accepted, in bytes (HMAC-SHA256 keys shorter than this are guessable sooner). */
    public static final int MIN_SECRET_BYTES = 16;
    public static final int DEFAULT_DIFFICULTY = 16;
    public static final Duration DEFAULT_PASS_LIFETIME = Duration.ofHours(24);
    public static final Duration DEFAULT_NONCE_LIFETIME = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_FAILURES = 10;
    public static final Duration DEFAULT_FAILURE_WINDOW = Duration.ofMinutes(10);
    public static final String DEFAULT_COOKIE = "gatehouse_pass";
    /** Never challenged, whatever the settings: crawlers and tools must always reach these. */
    public static final List<String> ALWAYS_EXEMPT = List.of("/.well-known/", "/robots.txt");

    private final byte[] secret;
    private final byte[] previousSecret;
    private final String secretEnv;
    private final String previousSecretEnv;
    private final Duration passLifetime;
    private final Duration nonceLifetime;
    private final int difficulty;
    private final List<String> exemptPaths;
    private final int maxFailures;
    private final Duration failureWindow;
    private final String cookieName;

    private ChallengeSettings(Builder b) {
        this.secret = b.secret;
        this.previousSecret = b.previousSecret;
        this.secretEnv = b.secretEnv;
        this.previousSecretEnv = b.previousSecretEnv;
        this.passLifetime = b.passLifetime;
        this.nonceLifetime = b.nonceLifetime;
        this.difficulty = b.difficulty;
        this.exemptPaths = List.copyOf(b.exemptPaths);
        this.maxFailures = b.maxFailures;
        this.failureWindow = b.failureWindow;
        this.cookieName = b.cookieName;
    }

    public static Builder custom() {
        return new Builder();
    }

    /**
     * Defaults, no secret: the {@link Challenger} makes a random one for the process, so passes survive
     * neither a restart nor a hop to another node of a fleet.
     */
    public static ChallengeSettings ofDefaults() {
        return DEFAULTS;
    }

    private static final ChallengeSettings DEFAULTS = custom().build();

    /** The secret given as a value, or {@code null}. */
    byte[] secret() {
        return secret;
    }

    byte[] previousSecret() {
        return previousSecret;
    }

    /** The environment variable holding the secret ({@code challenge.secret-env}), or {@code null}. */
    public String secretEnv() {
        return secretEnv;
    }

    /** The environment variable holding the secret being rotated out ({@code challenge.previous-secret-env}), or {@code null}. */
    public String previousSecretEnv() {
        return previousSecretEnv;
    }

    /** Whether no secret is configured (the challenger then makes one per process). */
    public boolean ephemeralSecret() {
        return secret == null && secretEnv == null;
    }

    static byte[] checkSecret(String key, String secret) {
        return Builder.checkSecret(key, secret);
    }

    public Duration passLifetime() {
        return passLifetime;
    }

    public Duration nonceLifetime() {
        return nonceLifetime;
    }

    /** Leading zero bits of SHA-256 asked for when a rule names no {@code difficulty}. */
    public int difficulty() {
        return difficulty;
    }

    /** Path prefixes never challenged, besides {@link #ALWAYS_EXEMPT}. */
    public List<String> exemptPaths() {
        return exemptPaths;
    }

    public int maxFailures() {
        return maxFailures;
    }

    public Duration failureWindow() {
        return failureWindow;
    }

    public String cookieName() {
        return cookieName;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChallengeSettings s && Arrays.equals(secret, s.secret) && Arrays.equals(previousSecret, s.previousSecret)
                && Objects.equals(secretEnv, s.secretEnv) && Objects.equals(previousSecretEnv, s.previousSecretEnv) && passLifetime.equals(s.passLifetime)
                && nonceLifetime.equals(s.nonceLifetime) && difficulty == s.difficulty && exemptPaths.equals(s.exemptPaths)
                && maxFailures == s.maxFailures && failureWindow.equals(s.failureWindow) && cookieName.equals(s.cookieName);
    }

    @Override
    public int hashCode() {
        return Objects.hash(passLifetime, difficulty, exemptPaths, maxFailures, cookieName);
    }

    @Override
    public String toString() {
        return "ChallengeSettings[difficulty " + difficulty + ", pass " + passLifetime + ", secret "
                + (secretEnv != null ? "$" + secretEnv : secret != null ? "given" : "per process")
                + (previousSecretEnv != null ? " + $" + previousSecretEnv : previousSecret != null ? " + previous" : "") + ", exempt " + exemptPaths + ", max-failures " + maxFailures + "]";
    }

    /** Builds {@link ChallengeSettings}; a bad value throws {@link IllegalArgumentException} naming the setting. */
    public static final class Builder {
        private byte[] secret;
        private byte[] previousSecret;
        private String secretEnv;
        private String previousSecretEnv;
        private Duration passLifetime = DEFAULT_PASS_LIFETIME;
        private Duration nonceLifetime = DEFAULT_NONCE_LIFETIME;
        private int difficulty = DEFAULT_DIFFICULTY;
        private final List<String> exemptPaths = new ArrayList<>();
        private int maxFailures = DEFAULT_MAX_FAILURES;
        private Duration failureWindow = DEFAULT_FAILURE_WINDOW;
        private String cookieName = DEFAULT_COOKIE;

        private Builder() {
        }

        /** The signing secret (UTF-8, at least {@value #MIN_SECRET_BYTES} bytes); every node of a fleet needs the same. */
        public Builder secret(String secret) {
            this.secret = checkSecret("challenge.secret", secret);
            return this;
        }

        /** The secret being rotated out: passes and nonces it signed stay valid; nothing new is signed with it. */
        public Builder previousSecret(String secret) {
            this.previousSecret = secret == null ? null : checkSecret("challenge.previous-secret", secret);
            return this;
        }

        /** The environment variable the secret is read from when the challenger starts (a missing variable then fails the start). */
        public Builder secretEnv(String name) {
            this.secretEnv = envName("challenge.secret-env", name);
            return this;
        }

        /** The environment variable holding the secret being rotated out; unset or empty = no rotation in progress. */
        public Builder previousSecretEnv(String name) {
            this.previousSecretEnv = name == null ? null : envName("challenge.previous-secret-env", name);
            return this;
        }

        private static String envName(String key, String name) {
            if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_]{0,127}")) {
                throw new IllegalArgumentException(key + " is an environment variable name (letters, digits, _), was '" + name + "'");
            }
            return name;
        }

        public Builder passLifetime(Duration d) {
            this.passLifetime = positive("challenge.pass-lifetime", d);
            return this;
        }

        /** How long a served challenge may be answered (default 5 minutes). */
        public Builder nonceLifetime(Duration d) {
            this.nonceLifetime = positive("challenge.nonce-lifetime", d);
            return this;
        }

        public Builder difficulty(int bits) {
            if (bits < 1 || bits > 32) {
                throw new IllegalArgumentException("challenge.difficulty is 1..32 leading zero bits, was " + bits);
            }
            this.difficulty = bits;
            return this;
        }

        /** A path prefix never challenged, e.g. {@code /api/} or {@code /health}. */
        public Builder exemptPath(String prefix) {
            if (prefix == null || !prefix.startsWith("/")) {
                throw new IllegalArgumentException("challenge.exempt-paths entries start with '/', was '" + prefix + "'");
            }
            exemptPaths.add(prefix);
            return this;
        }

        public Builder exemptPaths(List<String> prefixes) {
            prefixes.forEach(this::exemptPath);
            return this;
        }

        /** Challenges served or answers failed, per network, before the rule's fallback verdict applies (default 10). */
        public Builder maxFailures(int n) {
            if (n < 1 || n > 1_000_000) {
                throw new IllegalArgumentException("challenge.max-failures is 1..1000000, was " + n);
            }
            this.maxFailures = n;
            return this;
        }

        /** How long a network's failures are remembered after its last one (default 10 minutes). */
        public Builder failureWindow(Duration d) {
            this.failureWindow = positive("challenge.failure-window", d);
            return this;
        }

        public Builder cookieName(String name) {
            if (name == null || !name.matches("[A-Za-z0-9_-]{1,64}")) {
                throw new IllegalArgumentException("challenge.cookie is 1..64 of A-Z a-z 0-9 _ -, was '" + name + "'");
            }
            this.cookieName = name;
            return this;
        }

        public ChallengeSettings build() {
            if ((previousSecret != null || previousSecretEnv != null) && secret == null && secretEnv == null) {
                throw new IllegalStateException("challenge.previous-secret-env is set but challenge.secret-env is not: a rotation needs the new secret too");
            }
            if (secret != null && secretEnv != null) {
                throw new IllegalStateException("challenge: give the secret once, as a value or as secret-env, not both");
            }
            return new ChallengeSettings(this);
        }

        private static byte[] checkSecret(String key, String secret) {
            if (secret == null) {
                throw new IllegalArgumentException(key + " is missing");
            }
            byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
            if (bytes.length < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException(key + " must be at least " + MIN_SECRET_BYTES + " bytes, was " + bytes.length
                        + " (e.g. openssl rand -base64 32)");
            }
            return bytes;
        }

        private static Duration positive(String key, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(key + " must be positive, was " + d);
            }
            return d;
        }
    }
}
