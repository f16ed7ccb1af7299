package dev.gatehouse.crawler;

import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HeaderConsistencyTest {

    private static final String CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    private static final String FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
    private static final String SAFARI = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15";
    private static final Map<String, String> CHROME_HEADERS = Map.of(
            "Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language", "en-GB,en;q=0.9",
            "Sec-CH-UA", "\"Google Chrome\";v=\"131\", \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"",
            "Sec-CH-UA-Mobile", "?0",
            "Sec-CH-UA-Platform", "\"Windows\"",
            "Sec-Fetch-Site", "none",
            "Sec-Fetch-Mode", "navigate",
            "Sec-Fetch-Dest", "document");

    private final HeaderConsistency checks = HeaderConsistency.defaults();

    @Test
    void realChromeOverHttps_isConsistent() {
        assertThat(reasons(CHROME, CHROME_HEADERS)).isEmpty();
        assertThat(enrich(CHROME, CHROME_HEADERS).value(Signal.UA_INCONSISTENT)).isNull();
    }

    @Test
    void realFirefoxAndSafari_areConsistent() {
        Map<String, String> firefox = Map.of("Accept", "text/html", "Accept-Language", "de", "Sec-Fetch-Mode", "navigate",
                "Sec-Fetch-Site", "none", "Sec-Fetch-Dest", "document");
        assertThat(reasons(FIREFOX, firefox)).isEmpty();
        assertThat(reasons(SAFARI, Map.of("Accept", "text/html", "Accept-Language", "fr-FR", "Sec-Fetch-Mode", "navigate"))).isEmpty();
    }

    @Test
    void plainHttpChromeWithoutFetchMetadata_isNotBlamedForMissingHints() {
        // over plain HTTP Chrome sends neither Sec-CH-UA nor Sec-Fetch-*: only HTTPS makes their absence odd
        assertThat(reasons(CHROME, Map.of("Accept", "*/*", "Accept-Language", "en"))).isEmpty();
    }

    @Test
    void scriptWithChromeUserAgent_givesEveryReason() {
        Signals s = enrich(CHROME, Map.of("X-Forwarded-Proto", "https"));
        assertThat(s.isTrue(Signal.UA_INCONSISTENT)).isTrue();
        assertThat(s.observation(Signal.UA_INCONSISTENT).sources()).containsExactly("headers");
        assertThat(String.join("\n", s.notes())).contains("ua_inconsistent: ")
                .contains("Chrome 131 without Accept-Language").contains("Chrome 131 without Accept")
                .contains("Chrome 131 over HTTPS without Sec-CH-UA").contains("Chrome 131 over HTTPS without Sec-Fetch-Mode");
    }

    @Test
    void chromeBefore89_isNotExpectedToSendClientHints() {
        String old = CHROME.replace("Chrome/131.0.0.0", "Chrome/88.0.4324.150");
        assertThat(reasons(old, Map.of("Accept", "*/*", "Accept-Language", "en", "Sec-Fetch-Mode", "navigate"))).isEmpty();
    }

    @Test
    void headlessChrome_isInconsistentEvenWithAllHeaders() {
        assertThat(reasons(CHROME.replace("Chrome/", "HeadlessChrome/"), CHROME_HEADERS)).containsExactly("User-Agent names HeadlessChrome");
    }

    @Test
    void impossibleCombinations() {
        assertThat(reasons(FIREFOX, Map.of("Accept", "*/*", "Accept-Language", "en", "Sec-Fetch-Mode", "cors",
                "Sec-CH-UA", "\"Chromium\";v=\"131\""))).containsExactly("Sec-CH-UA sent with a Firefox User-Agent");
        Map<String, String> mac = new java.util.HashMap<>(CHROME_HEADERS);
        mac.put("Sec-CH-UA-Platform", "\"macOS\"");
        assertThat(reasons(CHROME, mac)).containsExactly("Sec-CH-UA-Platform macOS but the User-Agent says Windows");
        Map<String, String> mobile = new java.util.HashMap<>(CHROME_HEADERS);
        mobile.put("Sec-CH-UA-Mobile", "?1");
        assertThat(reasons(CHROME, mobile)).containsExactly("Sec-CH-UA-Mobile ?1 with a desktop Windows User-Agent");
    }

    @Test
    void nonBrowsersAndClaimedCrawlers_areNotChecked() {
        assertThat(reasons("curl/8.5.0", Map.of())).isEmpty();
        assertThat(checks.reasons(facts(CHROME + " (compatible; Googlebot/2.1)", Map.of()), true)).isEmpty();
        assertThat(reasons(null, Map.of())).isEmpty();
    }

    @Test
    void httpsFromSettings_countsForEveryRequest() {
        HeaderConsistency tls = HeaderConsistency.builder().https(true).build();
        assertThat(tls.reasons(facts(CHROME, Map.of("Accept", "*/*", "Accept-Language", "en")), false))
                .contains("Chrome 131 over HTTPS without Sec-CH-UA");
    }

    private List<String> reasons(String ua, Map<String, String> headers) {
        return checks.reasons(facts(ua, headers), false);
    }

    private Signals enrich(String ua, Map<String, String> headers) {
        RequestFacts f = facts(ua, headers);
        return checks.enrich(f, Signals.builder(f.clientIp()).build()).toCompletableFuture().join();
    }

    private static RequestFacts facts(String ua, Map<String, String> headers) {
        RequestFacts.Builder b = RequestFacts.builder(IpAddress.parse("198.51.100.1"));
        if (ua != null) {
            b.userAgent(ua);
        }
        headers.forEach(b::header);
        return b.build();
    }
}
