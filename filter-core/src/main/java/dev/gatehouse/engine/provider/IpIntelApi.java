package dev.gatehouse.engine.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.api.Signal;
import dev.gatehouse.net.IpAddress;

import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * IPIntel.ai: {@code GET /ip/{ip}?api_key=}. {@code threat_score} (0–100) with {@code confidence_level}
 * (0–100) as its confidence, as the document advises to use them together; {@code verified_bot} is a
 * provider verification. Every answer carries {@code api_usage} counters ({@code "8/500"}): one at its
 * limit stops calls until that window resets (the second, the minute, 00:00 UTC for the day).
 * 403 is either a rejected key or, with {@code allowed_plans}, an endpoint the plan lacks; both turn the
 * provider off ({@code /ip/} is on every plan, so a plan-gated answer means a misconfigured base URL).
 */
final class IpIntelApi extends ProviderApi {

    IpIntelApi(ProviderSettings settings) {
        super(settings);
    }

    @Override
    HttpRequest lookupRequest(IpAddress ip) {
        return request("/ip/" + ip + "?api_key=" + encode(settings.apiKey())).GET().build();
    }

    @Override
    ProviderAnswer onError(int status, HttpHeaders headers, JsonNode body, Instant now) {
        if (status == 429) {
            Instant until = exhaustedUntil(headers, body, now);
            throw new ProviderException(ProviderException.Kind.RATE_LIMITED, "429 " + message(body),
                    until != null ? until : resumeAt(headers, now, defaultCooldown()), null);
        }
        return super.onError(status, headers, body, now);
    }

    @Override
    Instant exhaustedUntil(HttpHeaders headers, JsonNode body, Instant now) {
        JsonNode usage = body == null ? null : body.path("api_usage");
        if (usage == null || !usage.isObject()) {
            return null;
        }
        if (full(text(usage, "day_limit"))) {
            return LocalDate.ofInstant(now, ZoneOffset.UTC).plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        }
        if (full(text(usage, "min_limit"))) {
            return now.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
        }
        if (full(text(usage, "sec_limit"))) {
            return now.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        }
        return null;
    }

    /** {@code "8/500"} (or {@code "8\/500"}): used ≥ allowed. */
    static boolean full(String counter) {
        if (counter == null) {
            return false;
        }
        String[] parts = counter.replace("\\/", "/").split("/");
        try {
            return parts.length == 2 && Long.parseLong(parts[0].strip()) >= Long.parseLong(parts[1].strip());
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Override
    ProviderAnswer map(JsonNode body) {
        if (!body.has("ip") && !body.has("threat_score")) {
            throw new ProviderException(ProviderException.Kind.UNAVAILABLE, "200 without an IP answer: " + message(body));
        }
        ProviderAnswer.Builder b = new ProviderAnswer.Builder();
        Integer threat = score(body, "threat_score");
        b.put(Signal.THREAT_SCORE, threat);
        if (threat != null) {
            Integer confidence = score(body, "confidence_level");
            b.put(Signal.CONFIDENCE, confidence == null ? 50 : confidence);
        }
        b.put(Signal.TOR, bool(body, "is_tor_exit"));
        if (Boolean.TRUE.equals(bool(body, "verified_bot"))) {
            b.put(Signal.KNOWN_BOT, Boolean.TRUE);
            b.put(Signal.BOT_VERIFIED, "verified");
            b.put(Signal.BOT_VERIFIED_BY, "provider");
            b.put(Signal.BOT_NAME, text(body, "verified_bot_name"));
            b.put(Signal.BOT_CATEGORY, category(text(body, "verified_bot_type")));
        }
        b.put(Signal.ASN, asn(text(body, "asn")));
        b.put(Signal.AS_ORG, text(body, "as_name"));
        b.put(Signal.COUNTRY, text(body, "country_code"));
        return b.raw(raw(body, "api_usage", "response_ms")).build();
    }

    /** {@code "AI bot"} → ai, {@code "Search engine"} → search, … ; anything else → other. */
    static String category(String type) {
        if (type == null) {
            return null;
        }
        String t = type.toLowerCase(Locale.ROOT);
        if (t.contains("ai")) {
            return "ai";
        }
        if (t.contains("search") || t.contains("crawler")) {
            return "search";
        }
        if (t.contains("monitor")) {
            return "monitoring";
        }
        if (t.contains("social")) {
            return "social";
        }
        if (t.contains("seo")) {
            return "seo";
        }
        return "other";
    }
}
