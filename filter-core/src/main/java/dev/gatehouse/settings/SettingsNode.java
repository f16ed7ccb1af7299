package dev.gatehouse.settings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One value of a settings tree as a front end read it, before binding: a {@link Scalar} (text), a
 * {@link Sequence} or a {@link Mapping} of kebab-case keys. Every node remembers where it came from
 * ({@code gatehouse.yaml:3:9}, {@code init-param 'budget'}, {@code gatehouse.budget}), so that the
 * binder's messages point at the place to fix. Two nodes are equal when their values are, wherever
 * they came from: the same block read from a YAML file and from Spring's environment is equal.
 *
 * <p>Sub-trees that another part of Gatehouse binds (a provider's block, the Redis store's block) are
 * kept as nodes in {@link GatehouseSettings} and bound by their owner.
 */
public abstract sealed class SettingsNode permits SettingsNode.Scalar, SettingsNode.Sequence, SettingsNode.Mapping {

    private final String origin;

    private SettingsNode(String origin) {
        this.origin = Objects.requireNonNull(origin, "origin");
    }

    /** Where the value was written, e.g. {@code gatehouse.yaml:3:9}; prefixes every message about it. */
    public String origin() {
        return origin;
    }

    /** The value as plain Java: {@code String}, {@code List} or {@code Map} (insertion-ordered). */
    public abstract Object plain();

    @Override
    public final boolean equals(Object o) {
        return o instanceof SettingsNode other && plain().equals(other.plain());
    }

    @Override
    public final int hashCode() {
        return plain().hashCode();
    }

    @Override
    public String toString() {
        return String.valueOf(plain());
    }

    public static Scalar scalar(String value, String origin) {
        return new Scalar(value, origin, null);
    }

    /** A text value; a relative path in it is relative to {@link #baseDir()} (the YAML file's folder), else the working directory. */
    public static final class Scalar extends SettingsNode {
        private final String value;
        private final Path baseDir;

        public Scalar(String value, String origin, Path baseDir) {
            super(origin);
            this.value = Objects.requireNonNull(value, "value");
            this.baseDir = baseDir;
        }

        public String value() {
            return value;
        }

        /** The folder relative paths in this value are relative to; {@code null} = the working directory. */
        public Path baseDir() {
            return baseDir;
        }

        @Override
        public Object plain() {
            return value;
        }
    }

    /** A list of values. */
    public static final class Sequence extends SettingsNode {
        private final List<SettingsNode> items;

        public Sequence(List<? extends SettingsNode> items, String origin) {
            super(origin);
            this.items = List.copyOf(items);
        }

        public List<SettingsNode> items() {
            return items;
        }

        @Override
        public Object plain() {
            List<Object> out = new ArrayList<>(items.size());
            items.forEach(i -> out.add(i.plain()));
            return out;
        }
    }

    /** Keys to values, in the order written; each key remembers where it was written. */
    public static final class Mapping extends SettingsNode {
        private final Map<String, SettingsNode> entries;
        private final Map<String, String> keyOrigins;

        public Mapping(Map<String, ? extends SettingsNode> entries, Map<String, String> keyOrigins, String origin) {
            super(origin);
            this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
            this.keyOrigins = Collections.unmodifiableMap(new LinkedHashMap<>(keyOrigins));
        }

        public static Mapping empty(String origin) {
            return new Mapping(Map.of(), Map.of(), origin);
        }

        public Map<String, SettingsNode> entries() {
            return entries;
        }

        public SettingsNode get(String key) {
            return entries.get(key);
        }

        /** Where {@code key} was written (for "unknown key" messages); the mapping's origin when unknown. */
        public String keyOrigin(String key) {
            return keyOrigins.getOrDefault(key, origin());
        }

        /**
         * This mapping with {@code overrides} laid on top: a key in both takes the override's value,
         * except that two mappings are merged key by key. Command-line flags over a config file use this.
         */
        public Mapping overlay(Mapping overrides) {
            Map<String, SettingsNode> merged = new LinkedHashMap<>(entries);
            Map<String, String> origins = new LinkedHashMap<>(keyOrigins);
            overrides.entries.forEach((key, value) -> {
                SettingsNode mine = merged.get(key);
                merged.put(key, mine instanceof Mapping m && value instanceof Mapping o ? m.overlay(o) : value);
                origins.put(key, overrides.keyOrigin(key));
            });
            return new Mapping(merged, origins, origin());
        }

        @Override
        public Object plain() {
            Map<String, Object> out = new LinkedHashMap<>();
            entries.forEach((k, v) -> out.put(k, v.plain()));
            return out;
        }
    }
}
