package dev.gatehouse.crawler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.api.BotCategory;
import dev.gatehouse.crawler.UserAgentClassifier.BotClaim;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class UserAgentClassifierTest {

    private static final UserAgentClassifier CLASSIFIER = UserAgentClassifier.loadDefault();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)                                            | Googlebot | search
            Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.108 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html) | Googlebot | search
            Googlebot-Image/1.0                                                                                                  | Googlebot-Image | search
            Mozilla/5.0 (compatible; Google-InspectionTool/1.0;)                                                                | Google-InspectionTool | search
            AdsBot-Google (+http://www.google.com/adsbot.html)                                                                  | AdsBot-Google | other
            Mozilla/5.0 (iPhone; CPU iPhone OS 14_7_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.1.2 Mobile/15E148 Safari/604.1 (compatible; AdsBot-Google-Mobile; +http://www.google.com/mobile/adsbot.html) | AdsBot-Google-Mobile | other
            FeedFetcher-Google; (+http://www.google.com/feedfetcher.html)                                                       | FeedFetcher-Google | user_triggered
            Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)                                              | Bingbot | search
            Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot) | Applebot | search
            Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.3; +https://openai.com/gptbot)             | GPTBot | ai
            Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; OAI-SearchBot/1.3; +https://openai.com/searchbot    | OAI-SearchBot | search
            Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; +https://openai.com/bot           | ChatGPT-User | user_triggered
            Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)            | ClaudeBot | ai
            Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Claude-User/1.0; +Claude-User@anthropic.com)        | Claude-User | user_triggered
            Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot) | PerplexityBot | search
            DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)                                                          | DuckDuckBot | search
            CCBot/2.0 (https://commoncrawl.org/faq/)                                                                            | CCBot | ai
            Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Amazonbot/0.1; +https://developer.amazon.com/support/amazonbot) Chrome/119.0.6045.214 Safari/537.36 | Amazonbot | ai
            meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)                            | meta-externalagent | ai
            facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)                                           | facebookexternalhit | social
            Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)                                                    | YandexBot | search
            Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)                                                  | AhrefsBot | seo
            Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)                                              | UptimeRobot | monitoring
            Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)                                         | SemrushBot | seo
            Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)                                                       | MJ12bot | seo
            Wget/1.21.2                                                                                                         | wget | automation
            Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com) | Bytespider | ai
            """)
    void classify_knownCrawler_namesItAndItsCategory(String ua, String name, String category) {
        assertThat(CLASSIFIER.classify(ua)).contains(new BotClaim(name, BotCategory.byId(category)));
    }

    @Test
    void classify_ordinaryBrowsers_claimsNothing() throws IOException {
        List<String> browsers = lines("browsers.txt");
        assertThat(browsers).hasSizeGreaterThan(60);
        for (String ua : browsers) {
            assertThat(CLASSIFIER.classify(ua)).as(ua).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            curl/8.5.0                                                                         | curl | automation
            python-requests/2.32.3                                                             | python-requests | automation
            Python/3.12 aiohttp/3.10.10                                                        | aiohttp | automation
            Go-http-client/2.0                                                                 | Go-http-client | automation
            okhttp/4.12.0                                                                      | okhttp | automation
            axios/1.7.7                                                                        | axios | automation
            PostmanRuntime/7.42.0                                                              | PostmanRuntime | automation
            Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36 | HeadlessChrome | automation
            Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Playwright/1.49 | Playwright | automation
            k6/0.55.0 (https://k6.io/)                                                         | k6 | automation
            Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)    | Nmap Scripting Engine | scanner
            sqlmap/1.8.11#stable (https://sqlmap.org)                                          | sqlmap | scanner
            Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Nuclei | Nuclei | scanner
            Mozilla/5.0 zgrab/0.x                                                              | zgrab | scanner
            """)
    void classify_automationAndScanners_secondTier(String ua, String name, String category) {
        UserAgentClassifier.Classification c = CLASSIFIER.explain(ua);
        assertThat(c.bot()).as(c.decidedBy()).contains(new BotClaim(name, BotCategory.byId(category)));
    }

    @Test
    void classify_namedCrawlerBeatsAutomationToken() {
        // a documented crawler built on a headless browser is the crawler, not "automation"
        String ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36 (compatible; Googlebot/2.1)";
        assertThat(CLASSIFIER.classify(ua)).contains(new BotClaim("Googlebot", BotCategory.SEARCH));
        assertThat(CLASSIFIER.explain(ua).decidedBy()).isEqualTo("catalog: token googlebot");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Code/1.95.3 Chrome/128.0.6613.186 Electron/32.2.1 Safari/537.36 | Electron
            Mozilla/5.0 (Linux; Android 14; SM-S918B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0.6778.39 Mobile Safari/537.36 | WebView
            Mozilla/5.0 (iPhone; CPU iPhone OS 18_1_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/490.0.0.38.108;] | FBAN
            Mozilla/5.0 (SMART-TV; LINUX; Tizen 6.5) AppleWebKit/537.36 (KHTML, like Gecko) 85.0.4183.93/6.5 TV Safari/537.36 | SMART-TV
            Mozilla/5.0 (PlayStation; PlayStation 5/8.40) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.4 Safari/605.1.15 | PlayStation
            Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Postman/11.19.0 Chrome/128.0.6613.186 Electron/32.2.2 Safari/537.36 | Electron
            """)
    void classify_allowListedBrowsers_areBrowsersEvenWithBotWords(String ua, String decidingWord) {
        UserAgentClassifier.Classification c = CLASSIFIER.explain(ua);
        assertThat(c.bot()).isEmpty();
        assertThat(c.decidedBy()).startsWith("browser: ").containsIgnoringCase(decidingWord.equals("WebView") ? "wv" : decidingWord);
    }

    @Test
    void classify_withoutAllowList_someAppsWouldBeFlagged() throws IOException {
        // the allow-list is what keeps these browsers out: without it a bot pattern claims some of them
        UserAgentClassifier bare = UserAgentClassifier.builder().cacheSize(0).tiers(false, true, true).build();
        List<String> flagged = lines("corpus/browsers-apps.txt").stream().filter(ua -> bare.classify(ua).isPresent()).toList();
        assertThat(flagged).isNotEmpty();
        flagged.forEach(ua -> assertThat(CLASSIFIER.classify(ua)).as(ua).isEmpty());
    }

    @Test
    void classify_tokensOnWordBoundaries() {
        // ChatGPTBot is not GPTBot; a build identifier containing a token is not the token
        assertThat(CLASSIFIER.explain("Mozilla/5.0 (compatible; xGPTBotx)").decidedBy()).doesNotStartWith("catalog");
        assertThat(CLASSIFIER.classify("Mozilla/5.0 (Linux; Android 13; Cubot KingKong Power Build/TP1A.220624.014) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.86 Mobile Safari/537.36")).isEmpty();
        assertThat(CLASSIFIER.classify("Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)")).map(BotClaim::name).contains("GPTBot");
    }

    @Test
    void classify_bareProductToken_isAutomation() {
        assertThat(CLASSIFIER.classify("MyInternalTool/1.0")).map(BotClaim::category).contains(BotCategory.AUTOMATION);
        // native apps name their HTTP stack after the product: not a bare token
        assertThat(CLASSIFIER.classify("Weather/2024.11 CFNetwork/1568.200.51 Darwin/24.1.0")).isEmpty();
    }

    @Test
    void rules_allHaveAPrefilterLiteralExceptStructuralOnes() {
        assertThat(CLASSIFIER.rules()).isNotEmpty().allSatisfy(r -> assertThat(r.keys).isNotEmpty());
        assertThat(UaRule.isbotSkipped()).hasSize(1); // the Google fragment: catalog.yaml names Google's crawlers
    }

    @Test
    void classify_emptyOrNull_claimsNothing() {
        assertThat(CLASSIFIER.classify(null)).isEmpty();
        assertThat(CLASSIFIER.classify("")).isEmpty();
        assertThat(CLASSIFIER.classify("\u0000\uffff")).isEmpty();
    }

    @Test
    void classify_vendorTokenIsCaseInsensitive() {
        assertThat(CLASSIFIER.classify("mozilla/5.0 (compatible; GOOGLEBOT/2.1)")).map(BotClaim::name).contains("Googlebot");
    }

    @Test
    void classify_tokenBeyondExaminedLength_isIgnored() {
        String padding = "Mozilla/5.0 (" + "x".repeat(UserAgentClassifier.MAX_EXAMINED_LENGTH); // browser-shaped: no structural rule applies
        assertThat(CLASSIFIER.classify(padding + " Googlebot/2.1")).isEmpty();
        assertThat(CLASSIFIER.classify("Googlebot/2.1 " + padding)).isPresent();
    }

    @Test
    void classify_withoutCache_givesSameAnswers() {
        UserAgentClassifier uncached = UserAgentClassifier.builder().cacheSize(0).build();
        String ua = "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)";
        assertThat(uncached.classify(ua)).isEqualTo(CLASSIFIER.classify(ua));
    }

    /**
     * Recall on the {@code instances} of crawler-user-agents.json: the share of real crawler User-Agents
     * that get a claim. The figure is printed for docs/crawlers.md.
     */
    @Test
    void classify_instancesOfTheDataSet_recallAtLeast99Percent() {
        JsonNode entries = CatalogData.readUserAgentPatterns();
        int total = 0;
        List<String> missed = new ArrayList<>();
        for (JsonNode entry : entries) {
            for (JsonNode instance : entry.path("instances")) {
                total++;
                Optional<BotClaim> claim = CLASSIFIER.classify(instance.asText());
                if (claim.isEmpty()) {
                    missed.add(entry.path("pattern").asText() + " :: " + instance.asText());
                }
            }
        }
        double recall = 1.0 - (double) missed.size() / total;
        System.out.printf("UA recall on crawler-user-agents instances: %d/%d = %.4f%n", total - missed.size(), total, recall);
        assertThat(total).isGreaterThan(2000);
        assertThat(recall).as("missed: %s", missed).isGreaterThanOrEqualTo(0.99);
    }

    @Test
    void patternCount_loadsEveryPattern() {
        assertThat(CLASSIFIER.patternCount()).isEqualTo(CatalogData.readUserAgentPatterns().size());
    }

    static List<String> lines(String resource) throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                UserAgentClassifierTest.class.getResourceAsStream(resource), StandardCharsets.UTF_8))) {
            return r.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        }
    }
}
