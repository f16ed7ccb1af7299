package dev.gatehouse.servlet;

import dev.gatehouse.api.Decision;
import dev.gatehouse.net.ClientIpResolver;

import java.util.Locale;

/**
 * The one-line trace sent in {@code X-Gatehouse-Explain}: verdict and rule, how the client address
 * was chosen, the rules considered, and the timings. Printable ASCII only and bounded, so it is always
 * a legal header value whatever the policy or the client put in it.
 *
 * <p>Example: {@code block rule/block-tor; client=192.0.2.66 (FIRST_UNTRUSTED_HOP X-Forwarded-For
 * hop 1); trace=block-tor:match; engine=0.412ms policy=0.020ms}
 *
 * <p>Public for the other adapters that send it (the Spring starter's WebFlux and gateway filters).
 */
public final class ExplainHeader {

    static final int MAX_CHARS = 1024;

    private ExplainHeader() {
    }

    /** @param resolution how the client was found; {@code null} when the peer is not an IP address */
    public static String render(Decision decision, ClientIpResolver.Resolution resolution) {
        StringBuilder b = new StringBuilder(160);
        b.append(decision.verdict().id()).append(' ').append(decision.rule());
        if (decision.shadowed() != null) {
            b.append(" (shadow: would ").append(decision.shadowed().id()).append(')');
        }
        if (resolution == null) {
            b.append("; client=none (the peer is not an IP address)");
        } else {
            b.append("; client=").append(decision.signals().ip()).append(" (").append(resolution.reason());
            if (resolution.header() != null) {
                b.append(' ').append(resolution.header()).append(" hop ").append(resolution.hop());
            }
            b.append(')');
        }
        if (!decision.trace().isEmpty()) {
            b.append("; trace=");
            for (int i = 0; i < decision.trace().size(); i++) {
                Decision.TraceStep step = decision.trace().get(i);
                b.append(i == 0 ? "" : ",").append(step.rule()).append(step.matched() ? ":match" : ":no");
            }
        }
        Decision.Timings t = decision.timings();
        b.append("; engine=").append(millis(t.engineNanos())).append(" policy=").append(millis(t.policyNanos()));
        if (t.budgetExceeded()) {
            b.append("; budget-exceeded");
        }
        return sanitize(b);
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3fms", nanos / 1e6);
    }

    private static String sanitize(CharSequence s) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_CHARS));
        for (int i = 0; i < s.length() && out.length() < MAX_CHARS; i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        if (s.length() > MAX_CHARS) {
            out.setLength(MAX_CHARS - 3);
            out.append("...");
        }
        return out.toString();
    }
}
