package dev.gatehouse.engine.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.api.Signal;
import dev.gatehouse.net.IpAddress;

import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * IPBot: {@code GET /v1/ip/{ip}?fields=…} with the key in the {@code X-API-Key} header (optional:
 * anonymous use is allowed at a lower rate). {@code score.risk_score} (0–100) is the threat score and
 * {@code classification.confidence} (low/medium/high → 40/70/90) its confidence;
 * {@code classification.is_verified_crawler} is a provider verification. Should the service reject
 * our projection ({@code 400 INVALID_FIELDS}), the adapter asks without it from then on.
 */
final class IpBotApi extends ProviderApi {

    /** The top-level objects the mapping reads (not {@code stack}, not the Pro-only {@code rdap}). */
    static final String FIELDS = "ip,location,network,routing,score,classification,evidence";

    private volatile boolean project = true;

    IpBotApi(ProviderSettings settings) {
        super(settings);
    }

    @Override
    HttpRequest lookupRequest(IpAddress ip) {
        HttpRequest.Builder r = request("/v1/ip/" + ip + (project ? "?fields=" + encode(FIELDS) : ""));
        if (settings.hasApiKey()) {
            r.header("X-API-Key", settings.apiKey());
        }
        return r.GET().build();
    }

    @Override
    ProviderAnswer onError(int status, HttpHeaders headers, JsonNode body, Instant now) {
        String code = body == null ? "" : body.path("code").asText("");
        if (status == 400 && "INVALID_FIELDS".equals(code) && project) {
            project = false; // the next call asks for the whole answer
            throw new ProviderException(ProviderException.Kind.UNAVAILABLE, "400 INVALID_FIELDS: projection '" + FIELDS
                    + "' refused; asking without it from now on");
        }
        if (status == 503 && "AUTH_DISABLED".equals(code)) {
            throw new ProviderException(ProviderException.Kind.UNAVAILABLE, "503 " + message(body));
        }
        return super.onError(status, headers, body, now);
    }

    @Override
    ProviderAnswer map(JsonNode body) {
        ProviderAnswer.Builder b = new ProviderAnswer.Builder();
        JsonNode score = body.path("score");
        Integer risk = score(score, "risk_score");
        if (risk == null) {
            Integer ipScore = score(score, "ip_score"); // 100 = good, so risk is its complement
            risk = ipScore == null ? null : 100 - ipScore;
        }
        b.put(Signal.THREAT_SCORE, risk);
        JsonNode c = body.path("classification");
        if (risk != null) {
            b.put(Signal.CONFIDENCE, switch (String.valueOf(text(c, "confidence"))) {
                case "high" -> 90;
                case "medium" -> 70;
                case "low" -> 40;
                default -> 60;
            });
        }
        String proxyType = text(c, "proxy_type");
        boolean vpnProxy = "vpn".equals(proxyType) || "vpn".equals(text(c, "usage_type"));
        Boolean isVpn = bool(c, "is_vpn");
        b.put(Signal.VPN, isVpn != null ? isVpn : vpnProxy ? Boolean.TRUE : null);
        Boolean isProxy = bool(c, "is_proxy");
        // IPBot reports a VPN as a proxy of type vpn; a VPN is its own signal, so it is not also a proxy here
        b.put(Signal.PROXY, Boolean.TRUE.equals(isProxy) && vpnProxy ? Boolean.FALSE : isProxy);
        if (Boolean.TRUE.equals(isProxy) && !vpnProxy) {
            b.put(Signal.PROXY_TYPE, proxyType);
        }
        b.put(Signal.TOR, bool(c, "is_tor"));
        b.put(Signal.RELAY, bool(c, "is_privacy_relay"));
        Boolean datacenter = bool(c, "is_datacenter");
        if (datacenter == null && body.path("network").has("category")) {
            String category = text(body.path("network"), "category");
            datacenter = "hosting".equals(category) || "datacenter".equals(category);
        }
        b.put(Signal.HOSTING, datacenter);
        if (Boolean.TRUE.equals(datacenter)) {
            b.put(Signal.HOSTING_PROVIDER, text(body.path("network"), "operator"));
        }
        b.put(Signal.KNOWN_BOT, bool(c, "is_known_crawler"));
        if (Boolean.TRUE.equals(bool(c, "is_verified_crawler"))) {
            b.put(Signal.KNOWN_BOT, Boolean.TRUE);
            b.put(Signal.BOT_VERIFIED, "verified");
            b.put(Signal.BOT_VERIFIED_BY, "provider");
            b.put(Signal.BOT_CATEGORY, "search");
        }
        Boolean bogon = bool(c, "is_bogon");
        b.put(Signal.BOGON, bogon != null ? bogon : bool(body.path("network"), "is_bogon"));
        JsonNode network = body.path("network");
        b.put(Signal.ASN, asn(text(network, "asn")));
        b.putIfAbsent(Signal.ASN, asn(text(body.path("routing"), "origin_asn")));
        b.put(Signal.AS_ORG, text(network, "org"));
        b.put(Signal.AS_ROUTE, text(body.path("routing"), "prefix"));
        b.putIfAbsent(Signal.AS_ROUTE, text(network.path("allocation"), "cidr"));
        b.put(Signal.COUNTRY, text(body.path("location"), "country_code"));
        var raw = raw(body, "evidence");
        List<String> evidence = new ArrayList<>();
        for (JsonNode s : body.path("evidence").path("signals")) {
            evidence.add(text(s, "category") + "/" + text(s, "label") + " (severity " + text(s, "severity")
                    + ", confidence " + text(s, "confidence") + ")");
        }
        raw.put("evidence.signals", evidence);
        return b.raw(raw).build();
    }
}
