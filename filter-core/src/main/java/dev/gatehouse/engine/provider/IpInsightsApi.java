package dev.gatehouse.engine.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.api.Signal;
import dev.gatehouse.net.IpAddress;

import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * ipinsights.io: {@code GET /api/v1/lookup?ip=} and {@code POST /api/v1/bulk-lookup} (≤ 100) with the key
 * in the {@code X-API-Key} header; answers in an envelope {@code {success, data}}. The document offers
 * no projection parameter. {@code threat_assessment.score} (0–100) is the threat score, with confidence
 * 60 (the service states none); a non-empty {@code blacklists} is {@code attacker}; an AI-agent
 * assessment of {@code probable} or {@code confirmed} is a known bot of category {@code ai}.
 * {@code X-RateLimit-Remaining: 0} stops calls until {@code Retry-After} / {@code X-RateLimit-Reset}
 * says, else for {@link #defaultCooldown()}.
 */
final class IpInsightsApi extends ProviderApi {

    static final int CONFIDENCE = 60;
    static final int BULK_LIMIT = 100;

    IpInsightsApi(ProviderSettings settings) {
        super(settings);
    }

    @Override
    HttpRequest lookupRequest(IpAddress ip) {
        return request("/api/v1/lookup?ip=" + encode(ip.toString())).header("X-API-Key", settings.apiKey()).GET().build();
    }

    @Override
    int bulkLimit() {
        return BULK_LIMIT;
    }

    @Override
    HttpRequest bulkRequest(List<IpAddress> ips) {
        ObjectNode body = MAPPER.createObjectNode();
        ArrayNode list = body.putArray("ips");
        ips.forEach(ip -> list.add(ip.toString()));
        return request("/api/v1/bulk-lookup").header("X-API-Key", settings.apiKey()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }

    /** The report call of {@code /api/v1/report} (201 on success). */
    HttpRequest reportRequest(IpAddress ip, List<String> categories, String comment) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("ip", ip.toString());
        ArrayNode list = body.putArray("categories");
        categories.stream().limit(5).forEach(list::add);
        if (comment != null) {
            body.put("comment", comment.length() > 1024 ? comment.substring(0, 1024) : comment);
        }
        body.put("source", "manual");
        return request("/api/v1/report").header("X-API-Key", settings.apiKey()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }

    @Override
    Duration defaultCooldown() {
        return Duration.ofMinutes(5); // an hourly quota: a short pause, then one probe
    }

    @Override
    Instant exhaustedUntil(HttpHeaders headers, JsonNode body, Instant now) {
        Optional<String> remaining = headers.firstValue("X-RateLimit-Remaining");
        if (remaining.isPresent() && remaining.get().strip().equals("0")) {
            return resumeAt(headers, now, defaultCooldown());
        }
        return null;
    }

    @Override
    ProviderAnswer map(JsonNode body) {
        if (!body.path("success").asBoolean(false) || !body.path("data").isObject()) {
            throw new ProviderException(ProviderException.Kind.UNAVAILABLE, "200 without {success: true, data: {…}}: " + message(body));
        }
        return mapData(body.path("data"));
    }

    static ProviderAnswer mapData(JsonNode d) {
        ProviderAnswer.Builder b = new ProviderAnswer.Builder();
        JsonNode threat = d.path("threat_assessment");
        Integer score = score(threat, "score");
        b.put(Signal.THREAT_SCORE, score);
        if (score != null) {
            b.put(Signal.CONFIDENCE, CONFIDENCE);
        }
        b.put(Signal.TOR, bool(d, "is_tor"));
        b.put(Signal.PROXY, bool(d, "is_proxy"));
        b.put(Signal.HOSTING, bool(d, "is_datacenter"));
        if (Boolean.TRUE.equals(bool(d, "is_datacenter"))) {
            b.put(Signal.HOSTING_PROVIDER, text(d, "isp"));
        }
        JsonNode blacklists = d.path("blacklists");
        if (blacklists.isArray()) {
            b.put(Signal.ATTACKER, !blacklists.isEmpty());
        }
        String agent = text(d.path("ai_agent_assessment"), "level");
        if ("probable".equals(agent) || "confirmed".equals(agent)) {
            b.put(Signal.KNOWN_BOT, Boolean.TRUE);
            b.put(Signal.BOT_CATEGORY, "ai");
        }
        b.put(Signal.ASN, asn(text(d, "as_number")));
        b.put(Signal.AS_ORG, text(d, "as_name"));
        b.putIfAbsent(Signal.AS_ORG, text(d, "org"));
        b.put(Signal.COUNTRY, text(d, "country_code"));
        return b.raw(raw(d)).build();
    }

    @Override
    Map<IpAddress, ProviderAnswer> mapBulk(JsonNode body) {
        // The document shows the bulk request, not its answer: read the lookup envelope around a list
        // ({data: [...]} or {data: {results: [...]}}), each item shaped like a lookup's data.
        JsonNode data = body.path("data");
        JsonNode items = data.isArray() ? data : data.path("results").isArray() ? data.path("results") : body.path("results");
        Map<IpAddress, ProviderAnswer> out = new LinkedHashMap<>();
        for (JsonNode item : items) {
            IpAddress ip = IpAddress.tryParse(text(item, "ip"));
            if (ip != null) {
                out.put(ip, item.has("error") ? ProviderAnswer.noData(message(item)) : mapData(item));
            }
        }
        return out;
    }
}
