package dev.gatehouse.crawler;

import dev.gatehouse.net.Cidr;
import dev.gatehouse.net.IpAddress;

import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The known crawlers: name, category, User-Agent tokens, documented rDNS suffixes and published IP
 * ranges. STUB: owned by the crawler work; replace wholesale (keep the signatures).
 */
public final class CrawlerCatalog {

    /**
     * One crawler.
     *
     * @param name          the {@code bot_name}, e.g. {@code Googlebot}, {@code GPTBot}
     * @param category      the {@code bot_category}: {@code search}, {@code ai}, {@code user_triggered}, {@code seo},
     *                      {@code monitoring}, {@code social}, {@code other}
     * @param vendor        who runs it, e.g. {@code google}, {@code openai}; crawlers of one vendor may share ranges
     * @param rdnsSuffixes  documented reverse-DNS suffixes (e.g. {@code googlebot.com}); empty when the vendor documents none
     */
    public record Crawler(String name, String category, String vendor, List<String> rdnsSuffixes) {}

    public static CrawlerCatalog loadDefault() {
        return new CrawlerCatalog();
    }

    /** The crawler whose published ranges contain {@code ip} (most specific prefix), if any. */
    public Optional<Crawler> byAddress(IpAddress ip) {
        return Optional.empty();
    }

    /** Visits every published range with its crawler, so an engine can fold them into its own index. */
    public void forEachRange(BiConsumer<Cidr, Crawler> action) {
    }

    /** The crawler with this {@code bot_name}, if known. */
    public Optional<Crawler> byName(String name) {
        return Optional.empty();
    }
}
