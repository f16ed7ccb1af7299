package dev.gatehouse.engine.embedded;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The feeds whose vendors publish them at a stable public URL, in the format the engine parses: a
 * ready-made value for {@link EmbeddedEngine.Builder#url} (the settings value {@code data.urls: public}
 * proposed for {@code run}). Feeds without a public URL in a parsable format (the X4BNet and merged
 * lists, asn-derived prefixes, Zscaler, iCloud Private Relay's CSV, bogons) keep their bundled or
 * directory copy. Each URL is listed in the data set's {@code SOURCES.md} and in {@code docs/data.md}.
 */
public final class PublicFeeds {

    private static final Map<String, URI> URLS;

    static {
        Map<String, URI> m = new LinkedHashMap<>();
        put(m, "tor", "https://check.torproject.org/torbulkexitlist");
        put(m, "aws", "https://ip-ranges.amazonaws.com/ip-ranges.json");
        put(m, "gcp", "https://www.gstatic.com/ipranges/cloud.json");
        put(m, "google", "https://www.gstatic.com/ipranges/goog.json");
        put(m, "oracle", "https://docs.oracle.com/en-us/iaas/tools/public_ip_list.json");
        put(m, "fastly", "https://api.fastly.com/public-ip-list");
        put(m, "cloudflare-ipv4", "https://www.cloudflare.com/ips-v4");
        put(m, "cloudflare-ipv6", "https://www.cloudflare.com/ips-v6");
        put(m, "spamhaus-drop", "https://www.spamhaus.org/drop/drop_v4.json");
        put(m, "asn-ipv4", "https://cdn.jsdelivr.net/npm/@ip-location-db/asn/asn-ipv4.csv");
        put(m, "asn-ipv6", "https://cdn.jsdelivr.net/npm/@ip-location-db/asn/asn-ipv6.csv");
        put(m, "country-ipv4", "https://cdn.jsdelivr.net/npm/@ip-location-db/geo-whois-asn-country/geo-whois-asn-country-ipv4.csv");
        put(m, "country-ipv6", "https://cdn.jsdelivr.net/npm/@ip-location-db/geo-whois-asn-country/geo-whois-asn-country-ipv6.csv");
        String google = "https://developers.google.com/static/crawling/ipranges/";
        put(m, "crawlers/google/common-crawlers.json", google + "common-crawlers.json");
        put(m, "crawlers/google/special-crawlers.json", google + "special-crawlers.json");
        put(m, "crawlers/google/user-triggered-fetchers.json", google + "user-triggered-fetchers.json");
        put(m, "crawlers/apple/applebot.json", "https://search.developer.apple.com/applebot.json");
        put(m, "crawlers/anthropic/claude-bots.json", "https://claude.com/crawling/bots.json");
        put(m, "crawlers/ranges-txt/bing-ipv4.txt", "https://www.bing.com/toolbox/bingbot.json");
        put(m, "crawlers/ranges-txt/openai-ipv4.txt", "https://openai.com/gptbot.json");
        put(m, "crawlers/ranges-txt/perplexity-ipv4.txt", "https://www.perplexity.ai/perplexitybot.json");
        put(m, "crawlers/ranges-txt/duckduckbot-ipv4.txt", "https://duckduckgo.com/duckduckbot.json");
        put(m, "crawlers/ranges-txt/duckassistbot-ipv4.txt", "https://duckduckgo.com/duckassistbot.json");
        put(m, "crawlers/ipverse-crawlers.json", "https://raw.githubusercontent.com/ipverse/bot-ip-blocks/master/crawlers.json");
        put(m, "crawlers/ipverse-monitoring.json", "https://raw.githubusercontent.com/ipverse/bot-ip-blocks/master/monitoring.json");
        URLS = Map.copyOf(m);
    }

    private PublicFeeds() {
    }

    /** Feed key → public URL, for every bundled feed that has one. */
    public static Map<String, URI> urls() {
        return URLS;
    }

    private static void put(Map<String, URI> m, String key, String url) {
        m.put(key, URI.create(url));
    }
}
