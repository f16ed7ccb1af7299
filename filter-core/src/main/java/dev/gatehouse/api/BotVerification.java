package dev.gatehouse.api;

import java.util.Set;

/**
 * The outcome of crawler verification: the values of the signal {@code bot_verified}.
 * Signals hold the {@link #id()}; read it back with {@link Signals#botVerification()}.
 */
public enum BotVerification {
    /** The address proves the claimed crawler (published range, forward-confirmed rDNS or a provider). */
    VERIFIED("verified"),
    /** The claimed crawler documents how to check it and the address fails. */
    SPOOFED("spoofed"),
    /** The check could not decide (DNS timed out or failed, nothing published to check against). */
    UNKNOWN("unknown"),
    /** No crawler was claimed or found; an absent {@code bot_verified} means this. */
    NONE("none");

    private static final Set<String> IDS = EnumIds.ids(values(), BotVerification::id);

    private final String id;

    BotVerification(String id) {
        this.id = id;
    }

    /** The name in policies and JSON: {@code verified}, {@code spoofed}, {@code unknown}, {@code none}. */
    public String id() {
        return id;
    }

    /** The value named {@code id}, or {@code null}. */
    public static BotVerification byId(String id) {
        return EnumIds.byId(values(), BotVerification::id, id);
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
