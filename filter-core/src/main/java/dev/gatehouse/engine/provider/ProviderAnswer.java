package dev.gatehouse.engine.provider;

import dev.gatehouse.api.Signal;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One provider's answer for one address: its fields mapped to signal names ({@code values}, including
 * its own {@code threat_score} / {@code confidence} on the 0–100 scale) and its own fields as sent
 * ({@code raw}). {@code found = false} is a "no data" answer (404, 422, 423): cached for the negative
 * TTL so the address is not asked again at once.
 */
record ProviderAnswer(boolean found, Map<Signal, Object> values, Map<String, Object> raw, String reason) {

    ProviderAnswer {
        values = values.isEmpty() ? Map.of() : Map.copyOf(values);
        raw = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(raw));
    }

    static ProviderAnswer noData(String reason) {
        return new ProviderAnswer(false, Map.of(), Map.of(), reason);
    }

    /** Collects mapped values; {@code null} values are skipped, so absent fields stay absent (not false). */
    static final class Builder {
        private final Map<Signal, Object> values = new EnumMap<>(Signal.class);
        private Map<String, Object> raw = Map.of();

        Builder put(Signal signal, Object value) {
            if (value instanceof String s && s.isBlank()) {
                return this;
            }
            if (value != null) {
                values.put(signal, value);
            }
            return this;
        }

        /** Sets a value only when none was mapped yet (a preferred field was put first). */
        Builder putIfAbsent(Signal signal, Object value) {
            return values.containsKey(signal) ? this : put(signal, value);
        }

        Object get(Signal signal) {
            return values.get(signal);
        }

        Builder raw(Map<String, Object> raw) {
            this.raw = raw;
            return this;
        }

        ProviderAnswer build() {
            return new ProviderAnswer(true, values, raw, null);
        }
    }
}
