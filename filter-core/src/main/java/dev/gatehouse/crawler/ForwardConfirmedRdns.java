package dev.gatehouse.crawler;

import dev.gatehouse.net.IpAddress;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Forward-confirmed reverse DNS, as the vendors document it: the PTR names of the address, kept only
 * when they end with a documented suffix on a label boundary, must resolve (A or AAAA) back to the
 * address. Any one name passing is enough.
 */
final class ForwardConfirmedRdns {

    /** At most this many matching PTR names are resolved forward: a PTR set is attacker-shaped. */
    static final int MAX_NAMES_CHECKED = 4;

    enum Result {
        /** A documented name resolves back to the address. */
        CONFIRMED,
        /** DNS answered, and no documented name resolves back: the claim is false. */
        REFUTED,
        /** DNS did not answer usefully (timeout, SERVFAIL): nothing can be concluded. */
        INDETERMINATE
    }

    record Outcome(Result result, String hostname, String note) {}

    private final DnsLookup dns;

    ForwardConfirmedRdns(DnsLookup dns) {
        this.dns = dns;
    }

    /**
     * Whether {@code host} is {@code suffix} or lies under it on a label boundary:
     * {@code crawl-66-249-66-1.googlebot.com} is under {@code googlebot.com}, {@code evilgooglebot.com}
     * and {@code googlebot.com.evil.net} are not.
     */
    static boolean isUnder(String host, String suffix) {
        String h = stripDot(host.toLowerCase(Locale.ROOT));
        String s = stripDot(suffix.toLowerCase(Locale.ROOT));
        return !s.isEmpty() && (h.equals(s) || (h.endsWith(s) && h.charAt(h.length() - s.length() - 1) == '.'));
    }

    CompletableFuture<Outcome> check(IpAddress ip, List<String> suffixes) {
        return dns.ptr(ip.reverseName()).thenCompose(ptr -> {
            switch (ptr.status()) {
                case FAILED:
                    return done(Result.INDETERMINATE, null, "PTR lookup of " + ip + " failed: " + ptr.problem());
                case NXDOMAIN:
                    return done(Result.REFUTED, null, "no PTR record for " + ip + " (NXDOMAIN)");
                default:
                    break;
            }
            if (ptr.values().isEmpty()) {
                return done(Result.REFUTED, null, "no PTR record for " + ip);
            }
            List<String> candidates = new ArrayList<>();
            for (String name : ptr.values()) {
                if (candidates.size() < MAX_NAMES_CHECKED && !candidates.contains(name)
                        && suffixes.stream().anyMatch(s -> isUnder(name, s))) {
                    candidates.add(name);
                }
            }
            if (candidates.isEmpty()) {
                return done(Result.REFUTED, null, "PTR " + String.join(", ", ptr.values()) + " is not under "
                        + String.join(", ", suffixes));
            }
            return confirm(ip, candidates);
        });
    }

    private CompletableFuture<Outcome> confirm(IpAddress ip, List<String> candidates) {
        List<CompletableFuture<DnsLookup.Answer>> lookups = candidates.stream()
                .map(name -> dns.addresses(name, !ip.isV4()))
                .toList();
        return CompletableFuture.allOf(lookups.toArray(new CompletableFuture<?>[0])).thenApply(ignored -> {
            String text = ip.toString();
            String failure = null;
            for (int i = 0; i < candidates.size(); i++) {
                DnsLookup.Answer answer = lookups.get(i).join();
                if (answer.status() == DnsLookup.Status.OK && answer.values().contains(text)) {
                    return new Outcome(Result.CONFIRMED, candidates.get(i), "PTR " + candidates.get(i) + " resolves back to " + ip);
                }
                if (answer.status() == DnsLookup.Status.FAILED) {
                    failure = "forward lookup of " + candidates.get(i) + " failed: " + answer.problem();
                }
            }
            if (failure != null) {
                return new Outcome(Result.INDETERMINATE, null, failure);
            }
            return new Outcome(Result.REFUTED, null, "PTR " + String.join(", ", candidates) + " does not resolve back to " + ip);
        });
    }

    private static CompletableFuture<Outcome> done(Result result, String host, String note) {
        return CompletableFuture.completedFuture(new Outcome(result, host, note));
    }

    private static String stripDot(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
