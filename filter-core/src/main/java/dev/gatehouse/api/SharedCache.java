package dev.gatehouse.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * A cache the instances of a fleet share (Redis, see {@code RedisSharedCache}), for answers that cost
 * something to get again: crawler-verification outcomes (a DNS round trip), provider answers (a paid
 * call). With it, N instances make one lookup per IP between them instead of N. Off by default
 * ({@link #none()}); callers keep their own local cache in front of it.
 *
 * <p>Values are opaque bytes under a {@link Key} of namespace, <em>format version</em> and id. A caller
 * bumps its version whenever it changes how it encodes values; entries of other versions are then
 * invisible to it, so a newer Gatehouse never misreads what an older one wrote (and the other way round)
 * while both run during a rolling upgrade.
 *
 * <p>Never fails and never makes a caller wait long: {@link #get} completes with empty on a miss, an
 * expired entry, or when the shared store does not answer within its timeout; {@link #put} writes in
 * the background.
 *
 * <pre>{@code
 * SharedCache.Key key = new SharedCache.Key("crawler-rdns", 1, "66.249.66.1|googlebot.com,google.com");
 * shared.get(key).thenCompose(hit -> hit.isPresent()
 *         ? CompletableFuture.completedFuture(decode(hit.get().value()))
 *         : lookUp().thenApply(v -> { shared.put(key, encode(v), Duration.ofHours(6)); return v; }));
 * }</pre>
 */
public interface SharedCache extends AutoCloseable {

    /**
     * Where a value lives.
     *
     * @param namespace who writes it and what it is, e.g. {@code crawler-rdns} or {@code provider-iptrust}:
     *                  lower-case letters, digits and {@code -}
     * @param version   the format version of the value, at least 1; bump it when the encoding changes
     * @param id        the key within the namespace (an IP, an IP and suffixes…), at most 512 characters
     */
    record Key(String namespace, int version, String id) {
        private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9][a-z0-9-]{0,47}");

        public Key {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(id, "id");
            if (!NAMESPACE.matcher(namespace).matches()) {
                throw new IllegalArgumentException("shared cache namespace must be lower-case letters, digits or '-', was '" + namespace + "'");
            }
            if (version < 1) {
                throw new IllegalArgumentException("shared cache version must be at least 1, was " + version);
            }
            if (id.isEmpty() || id.length() > 512) {
                throw new IllegalArgumentException("shared cache id must be 1-512 characters, was " + id.length());
            }
        }
    }

    /**
     * A value found, with the time it has left (so a local cache in front keeps it no longer than the writer meant).
     *
     * @param value the bytes as written
     * @param ttl   time left before it expires, positive
     */
    record Entry(byte[] value, Duration ttl) {
        public Entry {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(ttl, "ttl");
        }
    }

    /** The entry under {@code key}; empty on a miss, an expired or unreadable entry, or when the store did not answer in time. Never fails. */
    CompletableFuture<Optional<Entry>> get(Key key);

    /** Stores {@code value} under {@code key} for {@code ttl}, in the background; a failure is counted, never thrown. */
    void put(Key key, byte[] value, Duration ttl);

    @Override
    default void close() {
    }

    /** No shared cache: every get misses at once, puts are dropped. The default everywhere. */
    static SharedCache none() {
        return NoSharedCache.INSTANCE;
    }

    /** Whether this is {@link #none()}, so callers can skip encoding values nobody will read. */
    default boolean isNone() {
        return false;
    }
}

/** {@link SharedCache#none()}. */
final class NoSharedCache implements SharedCache {
    static final NoSharedCache INSTANCE = new NoSharedCache();
    private static final CompletableFuture<Optional<Entry>> MISS = CompletableFuture.completedFuture(Optional.empty());

    private NoSharedCache() {
    }

    @Override
    public CompletableFuture<Optional<Entry>> get(Key key) {
        return MISS.copy();
    }

    @Override
    public void put(Key key, byte[] value, Duration ttl) {
    }

    @Override
    public boolean isNone() {
        return true;
    }

    @Override
    public String toString() {
        return "SharedCache.none()";
    }
}
