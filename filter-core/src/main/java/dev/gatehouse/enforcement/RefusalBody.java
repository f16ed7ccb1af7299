package dev.gatehouse.enforcement;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.api.Decision;

import java.io.UncheckedIOException;

/**
 * The small body sent with a refusal (403, 429, 503): JSON (written by Jackson) when the client prefers
 * it, HTML otherwise. Part of {@link Refusal}, which the servlet filter and the proxy both send.
 */
public final class RefusalBody {

    /** A rendered body and its content type. */
    public record Rendered(String contentType, String body) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private RefusalBody() {
    }

    /**
     * Renders the refusal for {@code decision}, choosing JSON or HTML by the {@code Accept} header, on the
     * bundled page and without a request id.
     */
    public static Rendered render(Decision decision, String accept) {
        return render(decision, accept, null, Pages.defaults());
    }

    /**
     * Renders the refusal for {@code decision}: JSON ({@code verdict}, {@code rule}, {@code status},
     * {@code message}, {@code request_id}, and {@code retry_after} for a rate limit) when the client prefers
     * it, else {@code pages}' HTML page. The status shown is the one sent ({@link Enforcement#refusalStatus}).
     *
     * @param requestId the request's id, or {@code null}
     */
    public static Rendered render(Decision decision, String accept, String requestId, Pages pages) {
        int status = Enforcement.refusalStatus(decision);
        String message = decision.response().message();
        long retryAfter = Pages.retryAfterSeconds(decision.response().headers().get("Retry-After"));
        if (prefersJson(accept)) {
            ObjectNode json = JSON.createObjectNode()
                    .put("verdict", decision.verdict().id())
                    .put("rule", decision.rule())
                    .put("status", status)
                    .put("message", message);
            return json(json, requestId, retryAfter);
        }
        return new Rendered(HTML, pages.render(status, message, requestId, retryAfter, decision.rule()));
    }

    /**
     * Renders an answer that is not a decision's (the proxy's 400, 404, 502, 504 …): JSON ({@code status},
     * {@code message}, {@code request_id}) or the page.
     *
     * @param message what to say, or {@code null} for the status's own sentence
     */
    public static Rendered render(int status, String message, String accept, String requestId, Pages pages) {
        if (prefersJson(accept)) {
            ObjectNode json = JSON.createObjectNode()
                    .put("status", status)
                    .put("message", message == null ? Pages.message(status) : message);
            return json(json, requestId, -1);
        }
        return new Rendered(HTML, pages.render(status, message, requestId, -1));
    }

    /** The HTML content type. */
    public static final String HTML = "text/html;charset=utf-8";

    private static Rendered json(ObjectNode json, String requestId, long retryAfter) {
        if (retryAfter >= 0) {
            json.put("retry_after", retryAfter);
        }
        if (requestId != null) {
            json.put("request_id", requestId);
        }
        try {
            return new Rendered("application/json", JSON.writeValueAsString(json) + "\n");
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a tree of strings and ints always serialises
        }
    }

    /**
     * Whether the {@code Accept} header prefers JSON ({@code application/json} or any {@code +json}
     * type) over HTML. Quality values count; a specific type beats {@code application/*} or
     * {@code text/*}, which beat {@code *}{@code /*}; on a tie the range listed first wins; no header,
     * or one that is unreadable, means HTML (a browser is the likeliest reader).
     */
    public static boolean prefersJson(String accept) {
        if (accept == null || accept.isBlank() || accept.length() > MAX_ACCEPT_CHARS) {
            return false;
        }
        Preference json = new Preference();
        Preference html = new Preference();
        String[] ranges = accept.split(",", MAX_RANGES + 1);
        for (int i = 0; i < Math.min(ranges.length, MAX_RANGES); i++) {
            String[] parts = ranges[i].split(";");
            String type = parts[0].strip().toLowerCase(java.util.Locale.ROOT);
            double q = quality(parts);
            if (type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"))) {
                json.offer(3, q, i);
            } else if (type.equals("text/html") || type.equals("application/xhtml+xml")) {
                html.offer(3, q, i);
            } else if (type.equals("application/*")) {
                json.offer(2, q, i);
            } else if (type.equals("text/*")) {
                html.offer(2, q, i);
            } else if (type.equals("*/*")) {
                json.offer(1, q, i);
                html.offer(1, q, i);
            }
        }
        if (json.q <= 0) {
            return false;
        }
        return json.q > html.q || (json.q == html.q && json.position < html.position);
    }

    private static final int MAX_ACCEPT_CHARS = 4096;
    private static final int MAX_RANGES = 64;

    /** The quality a client gives one kind of body: the most specific matching range decides. */
    private static final class Preference {
        int specificity;
        double q = -1;
        int position = Integer.MAX_VALUE;

        void offer(int specificity, double q, int position) {
            if (specificity > this.specificity) {
                this.specificity = specificity;
                this.q = q;
                this.position = position;
            }
        }
    }

    private static double quality(String[] parts) {
        for (int p = 1; p < parts.length; p++) {
            String param = parts[p].strip();
            if (param.length() > 2 && (param.charAt(0) == 'q' || param.charAt(0) == 'Q') && param.charAt(1) == '=') {
                String value = param.substring(2);
                if (!value.matches("0(\\.\\d{0,3})?|1(\\.0{0,3})?")) {
                    return 0; // an unreadable weight: ignore the range rather than guess
                }
                return Double.parseDouble(value);
            }
        }
        return 1;
    }

    static String escapeHtml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }
}
