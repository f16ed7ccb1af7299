package dev.gatehouse.api;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The signals a policy can test, with the names fixed by the design contract.
 *
 * <p>Request attributes ({@code request.path}, …) are not signals: they come from
 * {@link dev.gatehouse.api.RequestFacts}.
 */
public enum Signal {
    IP("ip", Type.STRING),
    IP_VERSION("ip_version", Type.INTEGER),
    BOGON("bogon", Type.BOOLEAN),
    ASN("asn", Type.INTEGER),
    AS_ORG("as_org", Type.STRING),
    AS_ROUTE("as_route", Type.STRING),
    COUNTRY("country", Type.STRING),
    THREAT_SCORE("threat_score", Type.INTEGER),
    CONFIDENCE("confidence", Type.INTEGER),
    TOR("tor", Type.BOOLEAN),
    VPN("vpn", Type.BOOLEAN),
    VPN_PROVIDER("vpn_provider", Type.STRING),
    PROXY("proxy", Type.BOOLEAN),
    PROXY_TYPE("proxy_type", Type.STRING),
    RELAY("relay", Type.BOOLEAN),
    RELAY_PROVIDER("relay_provider", Type.STRING),
    HOSTING("hosting", Type.BOOLEAN),
    HOSTING_PROVIDER("hosting_provider", Type.STRING),
    ATTACKER("attacker", Type.BOOLEAN),
    KNOWN_BOT("known_bot", Type.BOOLEAN),
    BOT_NAME("bot_name", Type.STRING),
    BOT_CATEGORY("bot_category", Type.STRING),
    BOT_VERIFIED("bot_verified", Type.STRING),
    BOT_VERIFIED_BY("bot_verified_by", Type.STRING),
    UA_CLAIMS_BOT("ua_claims_bot", Type.BOOLEAN),
    UA_INCONSISTENT("ua_inconsistent", Type.BOOLEAN),
    /** The client holds a valid challenge pass (set by the Gatehouse before the policy runs; absent = false). */
    CHALLENGE_PASSED("challenge_passed", Type.BOOLEAN);

    /** How a signal's value is represented: {@code Boolean}, {@code Integer} or {@code String}. */
    public enum Type { BOOLEAN, INTEGER, STRING }

    private static final Map<String, Signal> BY_NAME =
            Stream.of(values()).collect(Collectors.toUnmodifiableMap(Signal::id, Function.identity()));

    private final String id;
    private final Type type;

    Signal(String id, Type type) {
        this.id = id;
        this.type = type;
    }

    /** The name used in policies, JSON output and the design contract, e.g. {@code threat_score}. */
    public String id() {
        return id;
    }

    public Type type() {
        return type;
    }

    /** The signal with this policy name, or {@code null}. */
    public static Signal byId(String id) {
        return id == null ? null : BY_NAME.get(id.toLowerCase(Locale.ROOT));
    }

    /** All policy names, for did-you-mean suggestions. */
    public static java.util.Set<String> ids() {
        return BY_NAME.keySet();
    }

    @Override
    public String toString() {
        return id;
    }
}
