package dev.gatehouse.api;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/** The name ↔ constant mapping the signal enums share ({@code verified}, {@code ip_range}, …). */
final class EnumIds {

    private EnumIds() {
    }

    /** Every constant's name, in declaration order. */
    static <E extends Enum<E>> Set<String> ids(E[] values, Function<E, String> id) {
        return Collections.unmodifiableSet(new LinkedHashSet<>(Stream.of(values).map(id).toList()));
    }

    /** The constant named {@code name}, or {@code null}. */
    static <E extends Enum<E>> E byId(E[] values, Function<E, String> id, String name) {
        for (E v : values) {
            if (id.apply(v).equals(name)) {
                return v;
            }
        }
        return null;
    }
}
