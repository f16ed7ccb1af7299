package dev.gatehouse.crawler;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UaPatternTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "Googlebot\\/;              Googlebot/;        true",
            "grub\\.org;                grub.org;          true",
            "[wW]get;                   wget;              false",
            "S[eE][mM]rushBot;          SemrushBot;        false",
            "^curl;                     curl;              false",
            "(sistrix|SISTRIX) [cC]rawler; ' crawler';     false",
            "AdsBot-Google([^-]|$);     AdsBot-Google;     false",
            "Ahrefs(Bot|SiteAudit);     Ahrefs;            false",
            "ContextualBot[\\s\\S]*outcomes\\.net; ContextualBot; false",
            "BlogTraffic\\/\\d\\.\\d+ Feed-Fetcher; ' Feed-Fetcher'; false",
            "Optimizer\\);              Optimizer);        true",
    })
    void literals_longestRequiredRun(String regex, String key, boolean plain) {
        UaPattern.Literals l = UaPattern.Literals.of(regex);
        assertThat(l.keys).containsExactly(key);
        assertThat(l.plain).isEqualTo(plain);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "Automaton|Newsify Feed Fetcher; Automaton; Newsify Feed Fetcher",
            "Chirp|gotosocial;               Chirp;     gotosocial",
    })
    void literals_topLevelAlternation_oneKeyPerAlternative(String regex, String a, String b) {
        UaPattern.Literals l = UaPattern.Literals.of(regex);
        assertThat(l.keys).isEqualTo(List.of(a, b));
        assertThat(l.plain).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {"colou?r; colo", "ab*c; a", "x{0,3}yz; yz", "bo+t; bo"})
    void literals_optionalAtomsAreNotRequired(String regex, String key) {
        assertThat(UaPattern.Literals.of(regex).keys).containsExactly(key);
    }
}
