package dev.gatehouse.crawler;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class ForwardConfirmedRdnsTest {

    @ParameterizedTest(name = "{0} under {1}: {2}")
    @CsvSource({
            "crawl-66-249-66-1.googlebot.com, googlebot.com, true",
            "crawl-66-249-66-1.googlebot.com., googlebot.com, true",
            "CRAWL-66-249-66-1.GOOGLEBOT.COM, googlebot.com, true",
            "geo-crawl-1-2-3-4.geo.googlebot.com, googlebot.com, true",
            "googlebot.com, googlebot.com, true",
            "evilgooglebot.com, googlebot.com, false",
            "crawl.evilgooglebot.com, googlebot.com, false",
            "googlebot.com.evil.net, googlebot.com, false",
            "msnbot-157-55-39-1.search.msn.com, search.msn.com, true",
            "msnbot.research.msn.com, search.msn.com, false",
            "x.com, com, true",
            "anything, '', false",
    })
    void isUnder_labelBoundary(String host, String suffix, boolean expected) {
        assertThat(ForwardConfirmedRdns.isUnder(host, suffix)).isEqualTo(expected);
    }
}
