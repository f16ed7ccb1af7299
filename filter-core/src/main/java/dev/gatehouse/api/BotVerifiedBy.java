package dev.gatehouse.api;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * How a crawler was verified: the values of the signal {@code bot_verified_by}.
 * Signals hold the {@link #id()}; read it back with {@link Signals#botVerifiedBy()}.
 */
public enum BotVerifiedBy {
    /** The address is in a range the crawler's operator publishes. */
    IP_RANGE("ip_range"),
    /** Forward-confirmed reverse DNS under a documented suffix. */
    RDNS("rdns"),
    /** A remote provider said so. */
    PROVIDER("provider");

    private static final Set<String> IDS =
            Collections.unmodifiableSet(new LinkedHashSet<>(Stream.of(values()).map(BotVerifiedBy::id).toList()));

    private final String id;

    BotVerifiedBy(String id) {
        this.id = id;
    }

    /** The name in policies and JSON: {@code ip_range}, {@code rdns}, {@code provider}. */
    public String id() {
        return id;
    }

    /** The value named {@code id}, or {@code null}. */
    public static BotVerifiedBy byId(String id) {
        for (BotVerifiedBy v : values()) {
            if (v.id.equals(id)) {
                return v;
            }
        }
        return null;
    }

    /** Every name, in declaration order. */
    public static Set<String> ids() {
        return IDS;
    }

    @Override
    public String toString() {
        return id;
    }
}
