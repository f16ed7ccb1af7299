package dev.gatehouse.engine.provider;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.net.IpAddress;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One service's wire contract, as its document describes it: how to ask for one address (auth in the
 * header or query parameter it names, the projection that asks only for mapped fields), how its 200
 * body maps to signals, what each error status means, and what its usage counters say. One subclass
 * per service; everything around the call (cache, quota, breaker) is {@link ProviderClient}'s.
 */
abstract class ProviderApi {

    static final ObjectMapper MAPPER = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    /** Raw values longer than this are cut (IPIntel's summaries run to paragraphs). */
    private static final int MAX_RAW_TEXT = 300;
    private static final int MAX_RAW_FIELDS = 200;

    final ProviderSettings settings;

    ProviderApi(ProviderSettings settings) {
        this.settings = settings;
    }

    /** The request for one address. */
    abstract HttpRequest lookupRequest(IpAddress ip);

    /** Maps a 200 body. */
    abstract ProviderAnswer map(JsonNode body) throws ProviderException;

    /**
     * Maps a non-200 answer: a "no data" answer to cache (400 for this address, 404, 422, 423), or an
     * exception whose kind says what follows. Subclasses refine it with their documented bodies.
     */
    ProviderAnswer onError(int status, HttpHeaders headers, JsonNode body, Instant now) throws ProviderException {
        String why = status + " " + message(body);
        switch (status) {
            case 400, 404, 422, 423 -> {
                return ProviderAnswer.noData(why);
            }
            case 401 -> throw new ProviderException(ProviderException.Kind.KEY_REJECTED, why);
            case 403 -> throw new ProviderException(planGated(body) ? ProviderException.Kind.PLAN_GATED
                    : ProviderException.Kind.KEY_REJECTED, why);
            case 429 -> throw new ProviderException(ProviderException.Kind.RATE_LIMITED, why,
                    resumeAt(headers, now, defaultCooldown()), null);
            default -> throw new ProviderException(ProviderException.Kind.UNAVAILABLE, why);
        }
    }

    /** When the usage seen on any answer (headers or body counters) is at its limit: the instant it resets, else {@code null}. */
    Instant exhaustedUntil(HttpHeaders headers, JsonNode body, Instant now) {
        return null;
    }

    /** How long to stop after a 429 that names no reset time. */
    Duration defaultCooldown() {
        return Duration.ofMinutes(1);
    }

    /** How many addresses one bulk call may carry; 0 = no bulk endpoint. */
    int bulkLimit() {
        return 0;
    }

    HttpRequest bulkRequest(List<IpAddress> ips) {
        throw new UnsupportedOperationException(settings.name() + " has no bulk endpoint");
    }

    /** Maps a 200 bulk body to one answer per address it names. */
    Map<IpAddress, ProviderAnswer> mapBulk(JsonNode body) throws ProviderException {
        throw new UnsupportedOperationException(settings.name() + " has no bulk endpoint");
    }

    /** The body limit for one answer; a bigger one is "malformed" (a lookup answer is a few KB). */
    int maxBodyBytes() {
        return 256 * 1024;
    }

    // ---- helpers for the subclasses ----

    HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(settings.baseUrl() + pathAndQuery))
                .timeout(settings.callTimeout())
                .header("Accept", "application/json")
                .header("User-Agent", "gatehouse");
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static boolean planGated(JsonNode body) {
        return body != null && (body.has("allowed_plans") || "PRO_REQUIRED".equals(body.path("code").asText(null)));
    }

    /** The provider's own error text ({@code error}, {@code message}, plus {@code code}), short, one line. */
    static String message(JsonNode body) {
        if (body == null) {
            return "(no JSON body)";
        }
        String text = body.path("error").isTextual() ? body.path("error").asText()
                : body.path("message").isTextual() ? body.path("message").asText() : body.toString();
        String code = body.path("code").asText("");
        text = text.replaceAll("\\s+", " ").strip();
        if (text.length() > 200) {
            text = text.substring(0, 200) + "…";
        }
        return code.isEmpty() ? text : code + ": " + text;
    }

    /**
     * The longest pause a provider's hint is believed for: no documented quota window is longer than a
     * month. Also keeps an absurd hint ({@code Retry-After: 99999999999999999}) from overflowing
     * {@link Instant}, which once escaped as a {@code DateTimeException} instead of a rate limit.
     */
    static final Duration MAX_PAUSE = Duration.ofDays(31);

    /**
     * {@code Retry-After} (seconds or HTTP date), else {@code X-RateLimit-Reset} (epoch or delta seconds), else
     * now + fallback; at most {@link #MAX_PAUSE} from now.
     */
    static Instant resumeAt(HttpHeaders headers, Instant now, Duration fallback) {
        long maxSeconds = MAX_PAUSE.toSeconds();
        Optional<String> retryAfter = headers.firstValue("Retry-After");
        if (retryAfter.isPresent()) {
            String v = retryAfter.get().strip();
            try {
                return now.plusSeconds(Math.min(maxSeconds, Math.max(0, Long.parseLong(v))));
            } catch (NumberFormatException notSeconds) {
                try {
                    return atMost(ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant(), now);
                } catch (DateTimeParseException notDate) {
                    // fall through to the next hint
                }
            }
        }
        Optional<String> reset = headers.firstValue("X-RateLimit-Reset");
        if (reset.isPresent()) {
            try {
                long v = Long.parseLong(reset.get().strip());
                return v > 1_000_000_000L ? atMost(Instant.ofEpochSecond(Math.min(v, now.getEpochSecond() + maxSeconds)), now)
                        : now.plusSeconds(Math.min(maxSeconds, Math.max(0, v)));
            } catch (NumberFormatException ignored) {
                // fall back
            }
        }
        return now.plus(fallback);
    }

    private static Instant atMost(Instant until, Instant now) {
        Instant limit = now.plus(MAX_PAUSE);
        return until.isAfter(limit) ? limit : until;
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isValueNode() && !v.isNull() ? v.asText().strip() : null;
    }

    static Boolean bool(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isBoolean() ? v.booleanValue() : null;
    }

    /** A number or numeric string ({@code "18.51"}), or {@code null}. */
    static Double number(JsonNode node, String field) {
        JsonNode v = node.path(field);
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isTextual()) {
            try {
                return Double.parseDouble(v.asText().strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** A 0–100 score (rounded, clamped), or {@code null}. */
    static Integer score(JsonNode node, String field) {
        Double d = number(node, field);
        return d == null || d.isNaN() ? null : (int) Math.max(0, Math.min(100, Math.round(d)));
    }

    /** {@code AS8075}, {@code as8075} or {@code 8075} → 8075; {@code null} otherwise. */
    static Integer asn(String text) {
        if (text == null) {
            return null;
        }
        String digits = text.strip().toUpperCase(Locale.ROOT);
        digits = digits.startsWith("AS") ? digits.substring(2) : digits;
        try {
            long v = Long.parseLong(digits.strip());
            return v > 0 && v <= 0xFFFF_FFFFL && v <= Integer.MAX_VALUE ? (int) v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The body's fields as dotted paths with plain values (strings cut, bounded count): each provider's own values for {@code explain}. */
    static Map<String, Object> raw(JsonNode body, String... skip) {
        Map<String, Object> out = new LinkedHashMap<>();
        flatten("", body, out, List.of(skip));
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, Object> out, List<String> skip) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext() && out.size() < MAX_RAW_FIELDS) {
            Map.Entry<String, JsonNode> e = fields.next();
            String path = prefix + e.getKey();
            if (skip.contains(path)) {
                continue;
            }
            JsonNode v = e.getValue();
            if (v.isObject()) {
                flatten(path + ".", v, out, skip);
            } else {
                out.put(path, plain(v));
            }
        }
    }

    private static Object plain(JsonNode v) {
        if (v.isNull()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isIntegralNumber()) {
            return v.canConvertToLong() ? v.longValue() : v.asText();
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isArray()) {
            List<Object> list = new ArrayList<>();
            for (JsonNode item : v) {
                if (list.size() == 50) {
                    break;
                }
                list.add(item.isObject() ? MAPPER.convertValue(item, Map.class) : plain(item));
            }
            return list;
        }
        String s = v.asText();
        return s.length() > MAX_RAW_TEXT ? s.substring(0, MAX_RAW_TEXT) + "…" : s;
    }
}
