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

/**
 * IPGeolocation.io IP Security: {@code GET /v3/security?ip=&fields=security&output=json} and
 * {@code POST /v3/security-bulk} (≤ 50,000), the key in the {@code apiKey} query parameter. Every
 * successful lookup costs 2 credits, per valid address in a bulk call too (private, bogon and malformed
 * addresses cost nothing and answer {@code {message}} only). {@code security.threat_score} (0–100) is
 * the threat score; confidence is the highest per-signal confidence score given, else 70. 401 covers
 * every account problem (free plan, paused, expired, locked): the provider is turned off. 423 is a
 * bogon (never asked: bogons are filtered before the call).
 */
final class IpGeolocationApi extends ProviderApi {

    static final int CREDITS_PER_LOOKUP = 2;
    static final int BULK_LIMIT = 50_000;
    static final int DEFAULT_CONFIDENCE = 70;

    IpGeolocationApi(ProviderSettings settings) {
        super(settings);
    }

    @Override
    HttpRequest lookupRequest(IpAddress ip) {
        return request("/v3/security?ip=" + encode(ip.toString()) + "&fields=security&output=json&apiKey="
                + encode(settings.apiKey())).GET().build();
    }

    @Override
    int bulkLimit() {
        return BULK_LIMIT;
    }

    @Override
    int maxBodyBytes() {
        return 128 * 1024 * 1024; // a bulk answer for 50,000 addresses
    }

    @Override
    HttpRequest bulkRequest(List<IpAddress> ips) {
        ObjectNode body = MAPPER.createObjectNode();
        ArrayNode list = body.putArray("ips");
        ips.forEach(ip -> list.add(ip.toString()));
        return request("/v3/security-bulk?fields=security&output=json&apiKey=" + encode(settings.apiKey()))
                .timeout(settings.callTimeout().multipliedBy(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }

    @Override
    Duration defaultCooldown() {
        return Duration.ofHours(1); // a plan or surcharge limit: nothing will change in a minute
    }

    @Override
    ProviderAnswer onError(int status, HttpHeaders headers, JsonNode body, Instant now) {
        return switch (status) {
            case 405, 413, 415 -> throw new ProviderException(ProviderException.Kind.UNAVAILABLE,
                    status + " " + message(body) + " (the request was built wrongly: a Gatehouse bug)");
            case 499 -> throw new ProviderException(ProviderException.Kind.UNAVAILABLE, "499 " + message(body));
            default -> super.onError(status, headers, body, now);
        };
    }

    @Override
    ProviderAnswer map(JsonNode body) {
        if (!body.path("security").isObject()) {
            throw new ProviderException(ProviderException.Kind.UNAVAILABLE, "200 without a security object: " + message(body));
        }
        return mapItem(body);
    }

    static ProviderAnswer mapItem(JsonNode body) {
        JsonNode s = body.path("security");
        ProviderAnswer.Builder b = new ProviderAnswer.Builder();
        Integer threat = score(s, "threat_score");
        b.put(Signal.THREAT_SCORE, threat);
        if (threat != null) {
            Integer vpn = score(s, "vpn_confidence_score");
            Integer proxy = score(s, "proxy_confidence_score");
            int best = Math.max(vpn == null ? 0 : vpn, proxy == null ? 0 : proxy);
            b.put(Signal.CONFIDENCE, best > 0 ? best : DEFAULT_CONFIDENCE);
        }
        b.put(Signal.TOR, bool(s, "is_tor"));
        b.put(Signal.PROXY, bool(s, "is_proxy"));
        if (Boolean.TRUE.equals(bool(s, "is_proxy"))) {
            b.put(Signal.PROXY_TYPE, Boolean.TRUE.equals(bool(s, "is_residential_proxy")) ? "residential" : null);
        }
        b.put(Signal.VPN, bool(s, "is_vpn"));
        if (Boolean.TRUE.equals(bool(s, "is_vpn"))) {
            b.put(Signal.VPN_PROVIDER, first(s.path("vpn_provider_names")));
        }
        b.put(Signal.RELAY, bool(s, "is_relay"));
        if (Boolean.TRUE.equals(bool(s, "is_relay"))) {
            b.put(Signal.RELAY_PROVIDER, text(s, "relay_provider_name"));
        }
        b.put(Signal.ATTACKER, bool(s, "is_known_attacker"));
        b.put(Signal.KNOWN_BOT, bool(s, "is_bot"));
        b.put(Signal.HOSTING, bool(s, "is_cloud_provider"));
        if (Boolean.TRUE.equals(bool(s, "is_cloud_provider"))) {
            b.put(Signal.HOSTING_PROVIDER, text(s, "cloud_provider_name"));
        }
        return b.raw(raw(body)).build();
    }

    private static String first(JsonNode array) {
        return array.isArray() && !array.isEmpty() ? array.get(0).asText() : array.isTextual() ? array.asText() : null;
    }

    @Override
    Map<IpAddress, ProviderAnswer> mapBulk(JsonNode body) {
        Map<IpAddress, ProviderAnswer> out = new LinkedHashMap<>();
        for (JsonNode item : body) {
            IpAddress ip = IpAddress.tryParse(text(item, "ip"));
            if (ip != null && item.path("security").isObject()) {
                out.put(ip, mapItem(item));
            }
            // {message: "'10.0.0.1' is a bogon IP address."} entries name no ip field: nothing to cache
        }
        return out;
    }
}
