package dev.gatehouse.enforcement;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one page every answer Gatehouse makes itself is rendered with (403, 429, 503 refusals; the proxy's
 * 400, 404, 405, 500, 502, 504): small, self-contained (inline CSS, no script, no external resource),
 * saying what happened in plain words, the request id and when to try again; never a rule's pattern, a
 * stack trace or a server name.
 *
 * <p>Operators may replace it ({@code pages.template}); the template's placeholders (see
 * {@code docs/configuration.md}) are {@code {{status}}}, {@code {{title}}}, {@code {{message}}},
 * {@code {{detail}}}, {@code {{retry}}}, {@code {{retry_after}}}, {@code {{request_id}}} and {@code {{rule}}}; every value is
 * HTML-escaped when substituted. The template is parsed once, so rendering is one pass of appends.
 */
public final class Pages {

    /** The placeholders a template may use. */
    public static final List<String> PLACEHOLDERS = List.of("status", "title", "message", "detail", "retry", "retry_after", "request_id", "rule");
    private static final String DEFAULT_RESOURCE = "dev/gatehouse/enforcement/page.html";
    private static final int MAX_TEMPLATE = 256 * 1024;

    private static final Pages DEFAULTS = parse(defaultTemplate(), "the bundled page " + DEFAULT_RESOURCE);

    /** What the page says for a status: a title and a sentence; {@code retry} says whether a retry soon may help. */
    private record Wording(String title, String message, boolean retrySoon) {}

    private static final Map<Integer, Wording> WORDING = Map.ofEntries(
            Map.entry(400, new Wording("Bad request", "This request could not be understood.", false)),
            Map.entry(401, new Wording("Not signed in", "This page needs you to sign in.", false)),
            Map.entry(403, new Wording("Access denied", "This site does not accept this request.", false)),
            Map.entry(404, new Wording("Not found", "There is nothing at this address.", false)),
            Map.entry(405, new Wording("Method not allowed", "This kind of request is not accepted here.", false)),
            Map.entry(408, new Wording("Request timeout", "The request took too long to arrive.", true)),
            Map.entry(413, new Wording("Request too large", "The request is larger than this site accepts.", false)),
            Map.entry(414, new Wording("Address too long", "The address is longer than this site accepts.", false)),
            Map.entry(429, new Wording("Too many requests", "You sent too many requests in a short time.", true)),
            Map.entry(431, new Wording("Headers too large", "The request headers are larger than this site accepts.", false)),
            Map.entry(500, new Wording("Something went wrong", "The server could not complete this request.", true)),
            Map.entry(501, new Wording("Not supported", "This kind of request is not supported here.", false)),
            Map.entry(502, new Wording("Site unreachable", "The site behind this gateway could not be reached.", true)),
            Map.entry(503, new Wording("Service unavailable", "The site cannot answer right now.", true)),
            Map.entry(504, new Wording("Site too slow", "The site behind this gateway did not answer in time.", true)));

    /** A literal run of the template, or a placeholder ({@code placeholder >= 0}, an index into {@link #PLACEHOLDERS}). */
    private record Part(String literal, int placeholder) {}

    private final List<Part> parts;
    private final String origin;

    private Pages(List<Part> parts, String origin) {
        this.parts = List.copyOf(parts);
        this.origin = origin;
    }

    /** The bundled page. */
    public static Pages defaults() {
        return DEFAULTS;
    }

    /**
     * The operator's template.
     *
     * @throws IllegalArgumentException naming the file: missing, unreadable, not UTF-8, too large, or with an
     *                                  unknown or unclosed placeholder (with its line)
     */
    public static Pages template(Path file) {
        String where = "pages.template " + file;
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(where + ": no such file (looked for " + file.toAbsolutePath().normalize() + ")");
            }
            if (Files.size(file) > MAX_TEMPLATE) {
                throw new IllegalArgumentException(where + ": larger than " + (MAX_TEMPLATE / 1024) + "KB");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": cannot read it: " + e, e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(where + ": not UTF-8 text");
        }
        return parse(text, where);
    }

    static Pages parse(String template, String where) {
        List<Part> parts = new ArrayList<>();
        int at = 0;
        while (true) {
            int open = template.indexOf("{{", at);
            if (open < 0) {
                parts.add(new Part(template.substring(at), -1));
                return new Pages(parts, where);
            }
            int close = template.indexOf("}}", open + 2);
            int line = 1 + (int) template.substring(0, open).chars().filter(c -> c == '\n').count();
            if (close < 0) {
                throw new IllegalArgumentException(where + ":" + line + ": '{{' is never closed with '}}'");
            }
            String name = template.substring(open + 2, close).strip();
            int index = PLACEHOLDERS.indexOf(name);
            if (index < 0) {
                throw new IllegalArgumentException(where + ":" + line + ": unknown placeholder {{" + name + "}}"
                        + dev.gatehouse.text.DidYouMean.suggest(name, PLACEHOLDERS) + "; known: " + String.join(", ", PLACEHOLDERS));
            }
            parts.add(new Part(template.substring(at, open), -1));
            parts.add(new Part(null, index));
            at = close + 2;
        }
    }

    /** Where the template came from (the bundled page or the operator's file). */
    public String origin() {
        return origin;
    }

    /** The plain-words title for {@code status} ({@code Access denied}, {@code Too many requests}, …). */
    public static String title(int status) {
        Wording w = WORDING.get(status);
        return w != null ? w.title() : status >= 500 ? "Something went wrong" : "Request not accepted";
    }

    /** The plain-words sentence for {@code status}. */
    public static String message(int status) {
        Wording w = WORDING.get(status);
        return w != null ? w.message() : status >= 500 ? "The server could not complete this request." : "This request was not accepted.";
    }

    /**
     * The page.
     *
     * @param status            the HTTP status sent
     * @param message           what to say, or {@code null}/blank for the status's own sentence ({@link #message(int)})
     * @param requestId         the request's id
     * @param retryAfterSeconds the {@code Retry-After} sent, or a negative number when none was
     */
    public String render(int status, String message, String requestId, long retryAfterSeconds) {
        return render(status, message, requestId, retryAfterSeconds, null);
    }

    /**
     * The page for a refusal by {@code rule} (the decision's namespaced reason, e.g. {@code rule/block-tor},
     * which a visitor may quote alongside the request id); {@code null} for an error that is no decision's.
     */
    public String render(int status, String message, String requestId, long retryAfterSeconds, String rule) {
        String title = title(status);
        String text = message == null || message.isBlank() || message.strip().equalsIgnoreCase(title) ? message(status) : message;
        String detail = status == 403 || status == 401
                ? "If you think this is a mistake, contact the site's owner and give them the request id below."
                : "";
        String retry = retry(status, retryAfterSeconds);
        String[] values = {Integer.toString(status), title, text, detail, retry,
                retryAfterSeconds >= 0 ? Long.toString(retryAfterSeconds) : "", requestId == null ? "" : requestId,
                rule == null ? "" : rule};
        StringBuilder out = new StringBuilder(4096);
        for (Part p : parts) {
            if (p.placeholder() < 0) {
                out.append(p.literal());
            } else {
                escapeHtml(values[p.placeholder()], out);
            }
        }
        return out.toString();
    }

    /** When to try again, in plain words, or {@code ""} when trying again will not help. */
    static String retry(int status, long retryAfterSeconds) {
        if (retryAfterSeconds >= 0) {
            return "Please try again in " + inWords(retryAfterSeconds) + ".";
        }
        Wording w = WORDING.get(status);
        return w != null && w.retrySoon() || (w == null && status >= 500) ? "Please try again in a moment." : "";
    }

    private static String inWords(long seconds) {
        if (seconds <= 1) {
            return "a second";
        }
        if (seconds < 120) {
            return seconds + " seconds";
        }
        long minutes = (seconds + 59) / 60;
        if (minutes < 120) {
            return minutes + " minutes";
        }
        return ((minutes + 59) / 60) + " hours";
    }

    /** The seconds of a {@code Retry-After} value in delta-seconds, or -1 when absent or a date. */
    public static long retryAfterSeconds(String retryAfter) {
        if (retryAfter == null || retryAfter.isBlank() || retryAfter.length() > 12) {
            return -1;
        }
        try {
            long s = Long.parseLong(retryAfter.strip());
            return s >= 0 ? s : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static void escapeHtml(String s, StringBuilder out) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t') {
                        out.append("&#xFFFD;"); // a control character has no business on a page
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }

    private static String defaultTemplate() {
        try (InputStream in = Pages.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULT_RESOURCE + " is missing from the gatehouse-filter-core jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
