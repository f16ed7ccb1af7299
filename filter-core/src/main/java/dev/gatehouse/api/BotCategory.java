package dev.gatehouse.api;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The values of the {@code bot_category} signal, as fixed by the design contract. Rendered lower-case
 * ({@link #id()}) in policies, JSON and the {@code ua} command.
 */
public enum BotCategory {
    /** Search-engine indexing (an AI crawler that also indexes for search is {@code search}). */
    SEARCH,
    /** Collection of training data for AI models. */
    AI,
    /** Fetches made on behalf of a person's request (an assistant opening a link, a feed fetched on demand). */
    USER_TRIGGERED,
    /** SEO and marketing crawlers. */
    SEO,
    /** Uptime and performance monitoring services that name themselves. */
    MONITORING,
    /** Link previews for social networks and messengers. */
    SOCIAL,
    /** Client libraries, scripts, headless and driven browsers, test and monitoring tools that name no documented crawler. */
    AUTOMATION,
    /** Vulnerability and port scanners. */
    SCANNER,
    /** A crawler that fits none of the above. */
    OTHER;

    private static final List<String> IDS = Arrays.stream(values()).map(BotCategory::id).toList();

    /** The lower-case name used in policies and output, e.g. {@code user_triggered}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The category named {@code id} (case-insensitive), or {@code null}. */
    public static BotCategory byId(String id) {
        if (id == null) {
            return null;
        }
        for (BotCategory c : values()) {
            if (c.id().equalsIgnoreCase(id)) {
                return c;
            }
        }
        return null;
    }

    /** Every id, in declaration order (for did-you-mean suggestions and validation). */
    public static List<String> ids() {
        return IDS;
    }

    @Override
    public String toString() {
        return id();
    }
}
