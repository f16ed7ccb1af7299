package dev.gatehouse;

/**
 * The small body sent with a 403 or 429: JSON when the client prefers it, HTML otherwise. Shared by
 * the servlet filter and the proxy so both answer alike.
 */
public final class RefusalBody {

    /** A rendered body and its content type. */
    public record Rendered(String contentType, String body) {}

    private RefusalBody() {
    }

    /** Renders the refusal for {@code decision}, choosing JSON or HTML by the {@code Accept} header. */
    public static Rendered render(Decision decision, String accept) {
        int status = decision.response().status();
        String message = decision.response().message();
        if (prefersJson(accept)) {
            String json = "{\"verdict\":\"" + decision.verdict().id() + "\",\"rule\":\"" + escapeJson(decision.rule())
                    + "\",\"status\":" + status + ",\"message\":\"" + escapeJson(message) + "\"}\n";
            return new Rendered("application/json", json);
        }
        String html = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + status + " " + escapeHtml(message)
                + "</title></head>\n<body><h1>" + escapeHtml(message) + "</h1>\n<p>Verdict: " + decision.verdict().id()
                + " (" + escapeHtml(decision.rule()) + ")</p></body></html>\n";
        return new Rendered("text/html;charset=utf-8", html);
    }

    static boolean prefersJson(String accept) {
        if (accept == null) {
            return false;
        }
        String a = accept.toLowerCase(java.util.Locale.ROOT);
        int json = a.indexOf("application/json");
        int html = a.indexOf("text/html");
        return json >= 0 && (html < 0 || json < html);
    }

    static String escapeJson(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    static String escapeHtml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
