package dev.gatehouse.crawler;

import dev.gatehouse.api.Enricher;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The {@code ua_inconsistent} signal: the request's headers contradict the browser its User-Agent names.
 * Each contradiction found is a reason, written to the trace as a note
 * ({@code ua_inconsistent: no Accept-Language; ...}). Checks, all on headers every release of the named
 * browser sends:
 * <ul>
 *   <li>{@code HeadlessChrome} in the User-Agent (Chrome's headless mode says so itself);</li>
 *   <li>a Chrome, Edge, Firefox or Safari User-Agent without {@code Accept-Language} or {@code Accept};</li>
 *   <li>over HTTPS (known from {@code Sec-Fetch-*} headers, {@code X-Forwarded-Proto: https} or
 *       {@link Builder#https}): Chromium ≥ 89 without {@code Sec-CH-UA}; Chromium ≥ 80 or Firefox ≥ 90
 *       without {@code Sec-Fetch-Mode};</li>
 *   <li>impossible combinations: client hints ({@code Sec-CH-UA}) from a Firefox or Safari User-Agent;
 *       {@code Sec-CH-UA-Platform} naming another operating system than the User-Agent;
 *       {@code Sec-CH-UA-Mobile: ?1} with a desktop Windows or macOS User-Agent.</li>
 * </ul>
 * Clients that name no browser (no {@code Mozilla/5.0}) and claimed crawlers are not checked: their
 * headers promise nothing. False-positive risks (privacy extensions that strip headers, old browsers,
 * corporate proxies that rewrite them) are documented in {@code docs/scoring.md}; no shipped policy blocks
 * on this signal.
 */
public final class HeaderConsistency implements Enricher {

    /** The source name of the signal. */
    public static final String SOURCE = "headers";

    private final boolean https;

    private HeaderConsistency(Builder b) {
        this.https = b.https;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The checks, not assuming HTTPS (it is inferred from the request). */
    public static HeaderConsistency defaults() {
        return builder().build();
    }

    @Override
    public CompletionStage<Signals> enrich(RequestFacts facts, Signals known) {
        List<String> reasons = reasons(facts, known.isTrue(Signal.UA_CLAIMS_BOT));
        if (reasons.isEmpty()) {
            return CompletableFuture.completedFuture(known);
        }
        return CompletableFuture.completedFuture(known.toBuilder()
                .put(Signal.UA_INCONSISTENT, Boolean.TRUE, SOURCE)
                .note("ua_inconsistent: " + String.join("; ", reasons))
                .build());
    }

    /** The contradictions found, empty when none (or when the User-Agent names no browser). */
    List<String> reasons(RequestFacts facts, boolean claimsBot) {
        String ua = facts.userAgent();
        List<String> reasons = new ArrayList<>(2);
        if (ua == null || !ua.startsWith("Mozilla/5.0 (")) {
            return reasons;
        }
        if (ua.contains("HeadlessChrome/")) {
            reasons.add("User-Agent names HeadlessChrome");
        }
        if (claimsBot) {
            return reasons; // a crawler's UA imitates a browser's; its headers are its own business
        }
        int chromium = version(ua, "Chrome/");
        int firefox = ua.contains("Gecko/") ? version(ua, "Firefox/") : -1;
        boolean safari = chromium < 0 && firefox < 0 && ua.contains("Version/") && ua.contains("Safari/")
                && !ua.contains("CriOS/") && !ua.contains("FxiOS/");
        boolean iosShell = ua.contains("CriOS/") || ua.contains("FxiOS/") || ua.contains("EdgiOS/");
        if (chromium < 0 && firefox < 0 && !safari) {
            return reasons;
        }
        String browser = chromium >= 0 ? "Chrome " + chromium : firefox >= 0 ? "Firefox " + firefox : "Safari";
        if (facts.header("Accept-Language") == null) {
            reasons.add(browser + " without Accept-Language");
        }
        if (facts.header("Accept") == null) {
            reasons.add(browser + " without Accept");
        }
        boolean fetchMetadata = facts.header("Sec-Fetch-Mode") != null || facts.header("Sec-Fetch-Site") != null
                || facts.header("Sec-Fetch-Dest") != null;
        boolean secure = https || fetchMetadata || "https".equalsIgnoreCase(first(facts.header("X-Forwarded-Proto")));
        boolean hints = facts.header("Sec-CH-UA") != null;
        if (secure && chromium >= 89 && !hints) {
            reasons.add(browser + " over HTTPS without Sec-CH-UA");
        }
        if (secure && !fetchMetadata && (chromium >= 80 || firefox >= 90)) {
            reasons.add(browser + " over HTTPS without Sec-Fetch-Mode");
        }
        if (hints && (firefox >= 0 || safari || iosShell)) {
            reasons.add("Sec-CH-UA sent with a " + (firefox >= 0 ? "Firefox" : "Safari/WebKit") + " User-Agent");
        }
        String platform = unquote(facts.header("Sec-CH-UA-Platform"));
        String uaPlatform = platform(ua);
        if (platform != null && uaPlatform != null && !platform.equalsIgnoreCase(uaPlatform)) {
            reasons.add("Sec-CH-UA-Platform " + platform + " but the User-Agent says " + uaPlatform);
        }
        if ("?1".equals(facts.header("Sec-CH-UA-Mobile")) && ("Windows".equals(uaPlatform) || "macOS".equals(uaPlatform))) {
            reasons.add("Sec-CH-UA-Mobile ?1 with a desktop " + uaPlatform + " User-Agent");
        }
        return reasons;
    }

    /** The major version after {@code token}, or -1. */
    static int version(String ua, String token) {
        int at = ua.indexOf(token);
        if (at < 0) {
            return -1;
        }
        int i = at + token.length();
        int v = 0;
        int digits = 0;
        while (i < ua.length() && Character.isDigit(ua.charAt(i)) && digits < 6) {
            v = v * 10 + (ua.charAt(i++) - '0');
            digits++;
        }
        return digits == 0 ? -1 : v;
    }

    /** The operating system as {@code Sec-CH-UA-Platform} spells it, or {@code null} when unsure. */
    static String platform(String ua) {
        if (ua.contains("Windows NT")) {
            return "Windows";
        }
        if (ua.contains("Android")) {
            return "Android";
        }
        if (ua.contains("iPhone") || ua.contains("iPad")) {
            return "iOS";
        }
        if (ua.contains("Macintosh")) {
            return "macOS";
        }
        if (ua.contains("CrOS")) {
            return "Chrome OS";
        }
        if (ua.contains("Linux")) {
            return "Linux";
        }
        return null;
    }

    private static String unquote(String v) {
        if (v == null) {
            return null;
        }
        String s = v.strip();
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    private static String first(String v) {
        if (v == null) {
            return null;
        }
        int comma = v.indexOf(',');
        return (comma < 0 ? v : v.substring(0, comma)).strip().toLowerCase(Locale.ROOT);
    }

    @Override
    public String name() {
        return SOURCE;
    }

    /** Options. */
    public static final class Builder {
        private boolean https;

        private Builder() {
        }

        /** Whether every request reached the site over HTTPS (the listener terminates TLS). Default false: inferred per request. */
        public Builder https(boolean value) {
            this.https = value;
            return this;
        }

        public HeaderConsistency build() {
            return new HeaderConsistency(this);
        }
    }
}
