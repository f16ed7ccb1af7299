package dev.gatehouse.servlet;

import dev.gatehouse.DidYouMean;
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
                String suggestion = DidYouMean.closest(name, NAMES);
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
}
