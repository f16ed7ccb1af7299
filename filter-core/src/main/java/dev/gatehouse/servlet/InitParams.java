package dev.gatehouse.servlet;

import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.net.ForwardedHeaders;
import dev.gatehouse.net.TrustedProxies;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The filter's init-params, read and checked at once. Every message names the parameter and the value;
 * an unknown parameter is an error (with a did-you-mean), because a misspelt {@code trusted-proxies}
 * silently trusting nobody is exactly the kind of mistake operators never notice.
 */
record InitParams(Path policy, TrustedProxies trustedProxies, ForwardedHeaders forwardedHeaders, Duration budget,
                  boolean failOpen, FilterOptions options) {

    static final String POLICY = "policy";
    static final String TRUSTED_PROXIES = "trusted-proxies";
    static final String FORWARDED_HEADERS = "forwarded-headers";
    static final String BUDGET_MS = "budget-ms";
    static final String FAIL_OPEN = "fail-open";
    static final String EXPLAIN_HEADER = "explain-header";
    static final String UPSTREAM_HEADERS = "upstream-headers";
    static final List<String> NAMES = List.of(POLICY, TRUSTED_PROXIES, FORWARDED_HEADERS, BUDGET_MS, FAIL_OPEN, EXPLAIN_HEADER,
            UPSTREAM_HEADERS);

    /** @throws IllegalArgumentException naming the parameter, the value and the rule */
    static InitParams parse(Map<String, String> params) {
        for (String name : params.keySet()) {
            if (!NAMES.contains(name)) {
                String suggestion = closest(name);
                throw new IllegalArgumentException("unknown init-param '" + name + "'"
                        + (suggestion == null ? "" : " (did you mean '" + suggestion + "'?)") + "; known: " + String.join(", ", NAMES));
            }
        }
        String policyText = params.get(POLICY);
        if (policyText == null || policyText.isBlank()) {
            throw new IllegalArgumentException("init-param '" + POLICY + "' is required: the path of the policy YAML file");
        }
        Path policy;
        try {
            policy = Path.of(policyText.strip());
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("init-param '" + POLICY + "' is not a valid path: '" + policyText + "'", e);
        }
        TrustedProxies trusted;
        try {
            trusted = TrustedProxies.parse(Arrays.asList(params.getOrDefault(TRUSTED_PROXIES, "").split("[,\\s]+")));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("init-param '" + TRUSTED_PROXIES + "': " + e.getMessage(), e);
        }
        ForwardedHeaders headers = forwardedHeaders(params.get(FORWARDED_HEADERS));
        Duration budget = Duration.ofMillis(integer(BUDGET_MS, params.get(BUDGET_MS), 50, 1, 60_000));
        FilterOptions options = FilterOptions.builder()
                .explainHeader(bool(EXPLAIN_HEADER, params.get(EXPLAIN_HEADER), false))
                .upstreamHeaders(bool(UPSTREAM_HEADERS, params.get(UPSTREAM_HEADERS), true))
                .build();
        return new InitParams(policy, trusted, headers, budget, bool(FAIL_OPEN, params.get(FAIL_OPEN), true), options);
    }

    ClientIpResolver resolver() {
        return ClientIpResolver.builder().trustedProxies(trustedProxies).headers(forwardedHeaders).build();
    }

    private static ForwardedHeaders forwardedHeaders(String value) {
        if (value == null || value.isBlank()) {
            return ForwardedHeaders.X_FORWARDED_FOR;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "x-forwarded-for" -> ForwardedHeaders.X_FORWARDED_FOR;
            case "forwarded" -> ForwardedHeaders.FORWARDED;
            case "both" -> ForwardedHeaders.BOTH;
            default -> throw new IllegalArgumentException("init-param '" + FORWARDED_HEADERS + "' must be x-forwarded-for, forwarded or both, was '"
                    + value + "'");
        };
    }

    private static boolean bool(String name, String value, boolean fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("init-param '" + name + "' must be true or false, was '" + value + "'");
        };
    }

    private static int integer(String name, String value, int fallback, int min, int max) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        String v = value.strip();
        if (!v.matches("\\d{1,9}")) {
            throw new IllegalArgumentException("init-param '" + name + "' must be a whole number of milliseconds, was '" + value + "'");
        }
        int n = Integer.parseInt(v);
        if (n < min || n > max) {
            throw new IllegalArgumentException("init-param '" + name + "' must be within " + min + ".." + max + ", was " + n);
        }
        return n;
    }

    /** The known name within edit distance 3 of {@code name}, or {@code null}. */
    static String closest(String name) {
        String best = null;
        int bestDistance = 4;
        for (String known : NAMES) {
            int d = distance(name.toLowerCase(Locale.ROOT), known);
            if (d < bestDistance) {
                best = known;
                bestDistance = d;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
