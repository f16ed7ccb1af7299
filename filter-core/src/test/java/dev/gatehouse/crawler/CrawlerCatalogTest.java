package dev.gatehouse.crawler;

import dev.gatehouse.api.BotCategory;
import dev.gatehouse.crawler.CrawlerCatalog.Crawler;
import dev.gatehouse.net.Cidr;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class CrawlerCatalogTest {

    private static final CrawlerCatalog CATALOG = CrawlerCatalog.loadDefault();

    @Test
    void load_rangeFilesFromOpener_sameCatalogAsBundled() {
        CrawlerCatalog loaded = CrawlerCatalog.load(file -> CrawlerCatalog.class.getResourceAsStream("/dev/gatehouse/data/crawlers/" + file));
        assertThat(loaded.publishedPrefixCount()).isEqualTo(CATALOG.publishedPrefixCount());
        assertThat(loaded.crawlers()).isEqualTo(CATALOG.crawlers());
        assertThat(CrawlerCatalog.rangeFiles()).contains("google/common-crawlers.json", "ipverse-crawlers.json",
                "ranges-txt/bing-ipv4.txt").doesNotHaveDuplicates().allSatisfy(f -> assertThat(f).doesNotContain("#"));
    }

    @Test
    void load_textAndJsonByContent_badPrefixesSkipped() {
        Map<String, String> files = new HashMap<>();
        files.put("ranges-txt/bing-ipv4.txt", "{\"prefixes\": [{\"ipv4Prefix\": \"\u200B9.8.7.0/24\"}, {\"ipv4Prefix\": \"nonsense\"}]}");
        files.put("google/common-crawlers.json", "1.2.3.0/24\nnot-a-prefix\n");
        CrawlerCatalog catalog = CrawlerCatalog.load(file -> files.containsKey(file)
                ? new java.io.ByteArrayInputStream(files.get(file).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                : CrawlerCatalog.class.getResourceAsStream("/dev/gatehouse/data/crawlers/" + file));
        assertThat(catalog.byAddress(IpAddress.parse("9.8.7.6")).map(Crawler::name)).contains("Bingbot");
        assertThat(catalog.byAddress(IpAddress.parse("1.2.3.4")).map(Crawler::name)).contains("Googlebot");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "66.249.66.1, Googlebot, search, google",          // google/common-crawlers.json 66.249.66.0/27
            "2001:4860:4801:10::1, Googlebot, search, google", // IPv6 prefix of the same file
            "157.55.39.1, Bingbot, search, microsoft",
            "17.241.208.170, Applebot, search, apple",
            "216.73.216.1, ClaudeBot, ai, anthropic",          // anthropic/claude-bots.json
            "20.171.206.1, GPTBot, ai, openai",
    })
    void byAddress_publishedRange_namesTheCrawler(String ip, String name, String category, String vendor) {
        assertThat(CATALOG.byAddress(IpAddress.parse(ip))).get()
                .returns(name, Crawler::name).returns(BotCategory.byId(category), Crawler::category).returns(vendor, Crawler::vendor);
    }

    @Test
    void byAddress_nonAuthoritativeAggregate_isNotProof() {
        // 31.13.64.0/18 is in AS32934 (Meta), listed by ipverse with ip_list_authoritative=false
        assertThat(CATALOG.byAddress(IpAddress.parse("31.13.64.10"))).isEmpty();
        assertThat(CATALOG.rangeEvidence(CATALOG.byName("meta-externalagent").orElseThrow(), IpAddress.parse("31.13.64.10")))
                .isEqualTo(CrawlerCatalog.RangeEvidence.PREFILTER_ONLY);
        assertThat(CATALOG.rangeEvidence(CATALOG.byName("meta-externalagent").orElseThrow(), IpAddress.parse("192.0.2.1")))
                .isEqualTo(CrawlerCatalog.RangeEvidence.OUTSIDE_PREFILTER);
    }

    @Test
    void byAddress_ordinaryAddress_isEmpty() {
        assertThat(CATALOG.byAddress(IpAddress.parse("192.0.2.1"))).isEmpty();
        assertThat(CATALOG.byAddress(IpAddress.parse("2001:db8::1"))).isEmpty();
    }

    @Test
    void forEachRange_visitsOnlyAuthoritativeRanges() {
        AtomicInteger count = new AtomicInteger();
        Map<String, Integer> byCrawler = new HashMap<>();
        CATALOG.forEachRange((cidr, crawler) -> {
            count.incrementAndGet();
            byCrawler.merge(crawler.name(), 1, Integer::sum);
            assertThat(cidr.contains(IpAddress.parse("31.13.64.10"))).as("Meta aggregate " + cidr).isFalse();
        });
        assertThat(count.get()).isEqualTo(CATALOG.publishedPrefixCount()).isGreaterThan(2000);
        assertThat(byCrawler).containsKeys("Googlebot", "AdsBot-Google", "FeedFetcher-Google", "Bingbot", "Applebot", "GPTBot",
                "OAI-SearchBot", "ChatGPT-User", "ClaudeBot", "PerplexityBot", "DuckDuckBot", "CCBot", "Amazonbot", "UptimeRobot")
                .doesNotContainKeys("meta-externalagent", "YandexBot");
    }

    @Test
    void rangeEvidence_googleUserTriggeredRange_doesNotProveGooglebot() {
        Cidr[] first = new Cidr[1];
        CATALOG.rangeLists().stream().filter(l -> l.id().equals("google-user-triggered")).findFirst().orElseThrow()
                .prefixes().stream().filter(c -> c.version() == 4)
                .filter(c -> CATALOG.rangeEvidence(CATALOG.byName("Googlebot").orElseThrow(), c.network())
                        != CrawlerCatalog.RangeEvidence.PUBLISHED)
                .findFirst().ifPresent(c -> first[0] = c);
        assertThat(first[0]).as("a user-triggered range not also in the crawler lists").isNotNull();
        assertThat(CATALOG.inPublishedRanges("FeedFetcher-Google", first[0].network())).isTrue();
        assertThat(CATALOG.inPublishedRanges("Googlebot", first[0].network())).isFalse();
    }

    @Test
    void inPublishedRanges_sameVendorOtherList_counts() {
        // OpenAI publishes one file per bot; any of them proves the vendor's address
        assertThat(CATALOG.inPublishedRanges("ChatGPT-User", IpAddress.parse("20.171.206.1"))).isTrue();
        assertThat(CATALOG.inPublishedRanges("ClaudeBot", IpAddress.parse("20.171.206.1"))).isFalse();
    }

    @Test
    void byName_exactOrIgnoringCase() {
        assertThat(CATALOG.byName("Googlebot")).get().returns(BotCategory.SEARCH, Crawler::category);
        assertThat(CATALOG.byName("googlebot")).get().returns("Googlebot", Crawler::name);
        assertThat(CATALOG.byName("OAI-SearchBot")).get().returns(BotCategory.SEARCH, Crawler::category);
        assertThat(CATALOG.byName("Claude-User")).get().returns(BotCategory.USER_TRIGGERED, Crawler::category);
        assertThat(CATALOG.byName("no-such-bot")).isEmpty();
        assertThat(CATALOG.byName(null)).isEmpty();
    }

    @Test
    void crawlers_everyEntryIsWellFormed() {
        assertThat(CATALOG.crawlers()).hasSizeGreaterThan(60).allSatisfy(c -> {
            assertThat(c.category()).isNotNull();
            assertThat(c.rdnsSuffixes()).allSatisfy(s -> assertThat(s).doesNotStartWith(".").doesNotEndWith(".").contains("."));
        });
    }

    @Test
    void crawlers_everyNameIsClassifiedAsItself() {
        UserAgentClassifier classifier = UserAgentClassifier.loadDefault();
        for (Crawler c : CATALOG.crawlers()) {
            assertThat(classifier.classify("Mozilla/5.0 (compatible; " + c.name() + "/1.0)"))
                    .as(c.name()).contains(new UserAgentClassifier.BotClaim(c.name(), c.category()));
        }
    }
}
