package dev.gatehouse.api;

import java.util.Set;

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

    private static final Set<String> IDS = EnumIds.ids(values(), BotVerifiedBy::id);

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
        return EnumIds.byId(values(), BotVerifiedBy::id, id);
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
