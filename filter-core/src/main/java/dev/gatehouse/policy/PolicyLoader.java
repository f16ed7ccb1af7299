package dev.gatehouse.policy;

import dev.gatehouse.api.Policy;
import dev.gatehouse.ratelimit.LocalRateLimitStore;
import dev.gatehouse.ratelimit.RateLimitStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import org.yaml.snakeyaml.nodes.Node;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Loads YAML policies in two layers: safe YAML composition with limits (size, nesting, aliases), then
 * validation that reports <em>every</em> problem as {@code FILE:LINE:COLUMN: message}, then
 * compilation into an immutable {@link Policy} of precompiled predicates.
 *
 * <pre>{@code
 * PolicyLoader loader = PolicyLoader.defaults();
 * Policy policy = loader.load(Path.of("policies/default.yaml"));   // throws PolicyException listing all problems
 * List<PolicyProblem> problems = loader.check(Path.of("mine.yaml")); // empty when valid
 * }</pre>
 *
 * <p>Every policy loaded by one loader shares the loader's {@link RateLimitStore}, so a hot reload keeps
 * the buckets of limits that did not change.
 */
public final class PolicyLoader {

    /** Larger than any hand-written policy; refused before parsing. */
    static final long MAX_FILE_BYTES = YamlNodes.MAX_CHARS;

    private final RateLimitStore store;
    private final MeterRegistry registry;

    private PolicyLoader(RateLimitStore store, MeterRegistry registry) {
        this.store = store;
        this.registry = registry;
    }

    /** A loader with an in-process rate-limit store on the system clock and the global meter registry. */
    public static PolicyLoader defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads and compiles a policy file; CIDR list files it names are read relative to its directory.
     *
     * @throws PolicyException listing every problem with file, line and column
     */
    public Policy load(Path file) {
        Objects.requireNonNull(file, "file");
        return parse(read(file), file.toString(), file.toAbsolutePath().getParent());
    }

    /** Compiles {@code text} read from {@code file} before (what a watcher saw settle). */
    Policy load(Path file, String text) {
        return parse(text, file.toString(), file.toAbsolutePath().getParent());
    }

    /**
     * Compiles policy text; CIDR list files are read relative to the directory of {@code sourceName}
     * when it names a path, else the working directory.
     *
     * @throws PolicyException listing every problem with file, line and column
     */
    public Policy parse(String yaml, String sourceName) {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(sourceName, "sourceName");
        Path base = null;
        try {
            Path p = Path.of(sourceName).toAbsolutePath().getParent();
            base = p != null && Files.isDirectory(p) ? p : null;
        } catch (RuntimeException e) {
            // <inline> and the like: resolve list files against the working directory
        }
        return parse(yaml, sourceName, base);
    }

    /** Every problem in the file; empty when it is valid. */
    public List<PolicyProblem> check(Path file) {
        try {
            load(file);
            return List.of();
        } catch (PolicyException e) {
            return e.problems();
        }
    }

    MeterRegistry registry() {
        return registry;
    }

    private Policy parse(String yaml, String sourceName, Path baseDir) {
        Problems problems = new Problems(sourceName);
        Node root = YamlNodes.compose(yaml, problems);
        problems.throwIfAny();
        return new PolicyParser(problems, baseDir).parse(root, sourceName, yaml, store, registry);
    }

    static String read(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new PolicyException(List.of(new PolicyProblem(file.toString(), 1, 1, "", PolicyProblem.Kind.TOO_LARGE,
                        "the file has " + size + " bytes; the limit is " + MAX_FILE_BYTES)));
            }
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new PolicyException(List.of(new PolicyProblem(file.toString(), 1, 1, "", PolicyProblem.Kind.SYNTAX,
                    "the file is not valid UTF-8")));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new PolicyException(List.of(new PolicyProblem(file.toString(), 0, 0, "", PolicyProblem.Kind.IO,
                    "no such file (looked for " + file.toAbsolutePath().normalize() + ")")));
        } catch (IOException e) {
            throw new PolicyException(List.of(new PolicyProblem(file.toString(), 0, 0, "", PolicyProblem.Kind.IO,
                    "cannot read the policy: " + e)));
        }
    }

    /** The first 12 hex digits of the SHA-256 of the source text (and of the CIDR lists it reads). */
    static String version(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }

    /** Configures a {@link PolicyLoader}; every setting is checked when it is made. */
    public static final class Builder {
        private Clock clock; // null: the system clock, read through System.nanoTime
        private RateLimitStore store;
        private long maximumBuckets = 100_000;
        private MeterRegistry registry = Metrics.globalRegistry;

        private Builder() {
        }

        /** The clock for rate-limit refills (default: the system clock); tests pass one they move by hand. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Where buckets live (default: a {@link LocalRateLimitStore} on {@link #clock}). */
        public Builder rateLimitStore(RateLimitStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** The bound of the default local store (default 100 000 buckets). */
        public Builder maximumBuckets(long maximumBuckets) {
            if (maximumBuckets < 1) {
                throw new IllegalArgumentException("maximumBuckets must be at least 1, was " + maximumBuckets);
            }
            this.maximumBuckets = maximumBuckets;
            return this;
        }

        /** Where shadow and reload counters go (default: the global registry). */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        public PolicyLoader build() {
            RateLimitStore s = store;
            if (s == null) {
                Clock c = clock;
                LocalRateLimitStore.Builder local = LocalRateLimitStore.builder().maximumBuckets(maximumBuckets);
                s = (c == null ? local : local.nanoTime(() -> nanos(c.instant()))).build();
            } else if (maximumBuckets != 100_000) {
                throw new IllegalStateException("maximumBuckets configures the default store; it conflicts with rateLimitStore(" + s + ")");
            }
            return new PolicyLoader(s, registry);
        }

        private static long nanos(Instant instant) {
            return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
        }
    }
}
