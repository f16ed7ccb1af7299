package dev.gatehouse.engine.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.api.Signal;
import dev.gatehouse.net.IpAddress;

import java.net.http.HttpRequest;
import java.util.Map;

/**
 * IP Trust: {@code GET /ip/{ip}} with the key in the {@code X-API-Key} header. Which objects appear
 * depends on the plan (Essential, Plus, Premium); an absent object means "not on this plan", never
 * "false". The AS risk (0.0–1.0, Premium) is the only score: it becomes a {@code threat_score} of
 * risk × 100 with confidence 50, because it describes the network, not this address.
 */
final class IpTrustApi extends ProviderApi {

    /** Confidence of a network-level (AS) risk applied to one address. */
    static final int AS_RISK_CONFIDENCE = 50;

    private static final Map<String, String> BOT_CATEGORIES = Map.ofEntries(
            Map.entry("ahrefs_bot", "seo"),
            Map.entry("amazon_bot", "search"),
            Map.entry("amazon_user_bot", "user_triggered"),
            Map.entry("anthropic", "ai"),
            Map.entry("apple_bot", "search"),
            Map.entry("bing_bot", "search"),
            Map.entry("chatgpt_user", "user_triggered"),
            Map.entry("common_crawl_bot", "ai"),
            Map.entry("duckduck_bot", "search"),
            Map.entry("google_bot", "search"),
            Map.entry("google_special_crawlers", "search"),
            Map.entry("google_user_fetch", "user_triggered"),
            Map.entry("google_user_fetch_google", "user_triggered"),
            Map.entry("gpt_bot", "ai"),
            Map.entry("kagi_bot", "search"),
            Map.entry("openai_search_bot", "ai"),
            Map.entry("perplexity_crawler", "ai"),
            Map.entry("perplexity_user", "user_triggered"),
            Map.entry("pingdom_ipv4", "monitoring"),
            Map.entry("pingdom_ipv6", "monitoring"),
            Map.entry("yandex", "search"));

    IpTrustApi(ProviderSettings settings) {
        super(settings);
    }

    @Override
    HttpRequest lookupRequest(IpAddress ip) {
        // an address is hex digits, dots and colons: valid in a path as it is (IPv6 colons are not escaped)
        return request("/ip/" + ip).header("X-API-Key", settings.apiKey()).GET().build();
    }

    @Override
    ProviderAnswer map(JsonNode body) {
        ProviderAnswer.Builder b = new ProviderAnswer.Builder();
        b.put(Signal.BOGON, bool(body, "is_bogon"));
        JsonNode asn = body.path("asn");
        b.put(Signal.ASN, asn(text(asn, "number")));
        b.put(Signal.AS_ORG, text(asn, "company"));
        b.putIfAbsent(Signal.AS_ORG, text(asn, "name"));
        b.put(Signal.AS_ROUTE, text(asn, "route"));
        b.put(Signal.COUNTRY, text(body.path("location").path("meta"), "country_iso2"));
        b.putIfAbsent(Signal.COUNTRY, text(asn, "country"));
        Double risk = number(asn, "risk");
        if (risk != null && risk >= 0 && risk <= 1) {
            b.put(Signal.THREAT_SCORE, (int) Math.round(risk * 100));
            b.put(Signal.CONFIDENCE, AS_RISK_CONFIDENCE);
        }
        JsonNode hosting = body.path("hosting");
        Boolean hostingDetected = bool(hosting, "detected");
        if (hostingDetected == null && asn.has("type")) {
            hostingDetected = "hosting".equals(text(asn, "type"));
        }
        b.put(Signal.HOSTING, hostingDetected);
        if (Boolean.TRUE.equals(hostingDetected)) {
            b.put(Signal.HOSTING_PROVIDER, text(hosting, "name"));
        }
        JsonNode bot = body.path("known_bot");
        Boolean botDetected = bool(bot, "detected");
        b.put(Signal.KNOWN_BOT, botDetected);
        if (Boolean.TRUE.equals(botDetected)) {
            String name = text(bot, "name");
            b.put(Signal.BOT_NAME, name);
            String category = name == null ? null : BOT_CATEGORIES.get(name);
            if (category == null) {
                String type = text(bot, "bot_type");
                category = "crawler".equals(type) ? "search" : "ai".equals(type) ? "ai" : type == null ? null : "other";
            }
            b.put(Signal.BOT_CATEGORY, category);
        }
        b.put(Signal.TOR, bool(body.path("tor_exit_node"), "detected"));
        JsonNode relay = body.path("privacy_relay");
        b.put(Signal.RELAY, bool(relay, "detected"));
        if (Boolean.TRUE.equals(bool(relay, "detected"))) {
            b.put(Signal.RELAY_PROVIDER, text(relay, "provider"));
        }
        JsonNode proxy = body.path("proxy");
        b.put(Signal.PROXY, bool(proxy, "detected"));
        if (Boolean.TRUE.equals(bool(proxy, "detected"))) {
            b.put(Signal.PROXY_TYPE, text(proxy, "type"));
        }
        JsonNode vpn = body.path("vpn");
        b.put(Signal.VPN, bool(vpn, "detected"));
        if (Boolean.TRUE.equals(bool(vpn, "detected"))) {
            b.put(Signal.VPN_PROVIDER, text(vpn, "provider"));
        }
        // location.meta is a page of country trivia (currency, emoji…): not worth showing in explain
        return b.raw(raw(body, "location.meta", "abuse_contact")).build();
    }
}
