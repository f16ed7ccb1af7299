package dev.gatehouse.enforcement;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Signal;

import java.util.List;

/**
 * The {@code X-Gatehouse-*} request headers an application receives after an allow, and the rule that
 * keeps clients from forging them. Both adapters use this class, so the names, the values and what is
 * stripped are the same behind the proxy and behind the servlet filter.
 *
 * <p>Stripping: every client header whose name, compared case-insensitively with {@code -} and
 * {@code _} taken as the same character, starts with {@code X-Gatehouse-} is removed, whether or not
 * Gatehouse sets that name itself ({@code X_Gatehouse_Bot}, {@code x-gatehouse-client-ip}): CGI, WSGI
 * and several servers map {@code _} and {@code -} to the same variable, so any such name could be read
 * by the application as one of ours.
 */
public final class GatehouseHeaders {

    public static final String VERDICT = "X-Gatehouse-Verdict";
    public static final String RULE = "X-Gatehouse-Rule";
    public static final String THREAT_SCORE = "X-Gatehouse-Threat-Score";
    public static final String BOT = "X-Gatehouse-Bot";
    /** The response header with a compact trace of the decision (servlet filter, when enabled). */
    public static final String EXPLAIN = "X-Gatehouse-Explain";

    /** The request headers Gatehouse sets on an allowed request, in the order it sets them. */
    public static final List<String> UPSTREAM = List.of(VERDICT, RULE, THREAT_SCORE, BOT);

    private static final String PREFIX = "x-gatehouse-";

    private GatehouseHeaders() {
    }

    /**
     * Whether a client header named {@code name} must never reach the application: its name normalises
     * (case, {@code -}/{@code _}) to the {@code X-Gatehouse-} prefix.
     */
    public static boolean isReserved(String name) {
        return nameStartsWith(name, PREFIX);
    }

    /**
     * Whether header {@code name} starts with {@code prefix} when compared as header names are by the
     * applications behind us: case-insensitively, with {@code -} and {@code _} the same character.
     *
     * @param prefix lower case, {@code -} as the separator (e.g. {@code x-forwarded-})
     */
    public static boolean nameStartsWith(String name, String prefix) {
        if (name == null || name.length() < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            char c = name.charAt(i);
            char want = prefix.charAt(i);
            if (want == '-') {
                if (c != '-' && c != '_') {
                    return false;
                }
            } else if (Character.toLowerCase(c) != want) {
                return false;
            }
        }
        return true;
    }

    /** Whether header {@code name} is {@code other} compared as {@link #nameStartsWith} compares (lower case {@code other}). */
    public static boolean sameName(String name, String other) {
        return name != null && name.length() == other.length() && nameStartsWith(name, other);
    }

    /** Receives the upstream headers of a decision, name then value. */
    @FunctionalInterface
    public interface Sink {
        void header(String name, String value);
    }

    /**
     * Gives {@code sink} the {@code X-Gatehouse-*} headers of {@code decision}: verdict, rule, threat
     * score, and for a bot {@code X-Gatehouse-Bot: Googlebot; category=search; verified=verified}.
     */
    public static void forEach(Decision decision, Sink sink) {
        sink.header(VERDICT, decision.verdict().id());
        sink.header(RULE, decision.rule());
        sink.header(THREAT_SCORE, Integer.toString(decision.signals().threatScore()));
        String bot = bot(decision);
        if (bot != null) {
            sink.header(BOT, bot);
        }
    }

    /** The {@value #BOT} value for {@code decision}, or {@code null} when no bot was recognised. */
    public static String bot(Decision decision) {
        String bot = decision.signals().string(Signal.BOT_NAME);
        if (bot == null) {
            return null;
        }
        String category = decision.signals().string(Signal.BOT_CATEGORY);
        String verified = decision.signals().string(Signal.BOT_VERIFIED);
        if (category == null && verified == null) {
            return bot;
        }
        StringBuilder value = new StringBuilder(bot.length() + 40).append(bot);
        if (category != null) {
            value.append("; category=").append(category);
        }
        if (verified != null) {
            value.append("; verified=").append(verified);
        }
        return value.toString();
    }
}
