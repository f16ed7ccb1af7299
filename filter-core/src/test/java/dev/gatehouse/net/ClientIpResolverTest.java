package dev.gatehouse.net;

import dev.gatehouse.net.ClientIpResolver.Reason;
import dev.gatehouse.net.ClientIpResolver.Resolution;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientIpResolverTest {

    private static final IpAddress PROXY = IpAddress.parse("10.0.0.2");
    private static final IpAddress OUTSIDER = IpAddress.parse("198.51.100.66");
    private static final TrustedProxies TRUSTED = TrustedProxies.parse(List.of("10.0.0.0/8", "2001:db8:ffff::/48"));

    private static final ClientIpResolver XFF = ClientIpResolver.trusting(TRUSTED);
    private static final ClientIpResolver FWD = ClientIpResolver.builder().trustedProxies(TRUSTED).headers(ForwardedHeaders.FORWARDED).build();
    private static final ClientIpResolver BOTH = ClientIpResolver.builder().trustedProxies(TRUSTED).headers(ForwardedHeaders.BOTH).build();

    private static List<String> lines(String... values) {
        return Arrays.asList(values);
    }

    private static String xff(String... lines) {
        return XFF.resolve(PROXY, lines(lines), List.of()).toString();
    }

    private static String fwd(String... lines) {
        return FWD.resolve(PROXY, List.of(), lines(lines)).toString();
    }

    @Nested
    class UntrustedPeer {
        @Test
        void resolve_untrustedPeer_ignoresBothHeaders() {
            Resolution r = BOTH.resolveExplained(OUTSIDER, List.of("203.0.113.5"), List.of("for=203.0.113.6"));
            assertThat(r.clientIp()).isEqualTo(OUTSIDER);
            assertThat(r.reason()).isEqualTo(Reason.UNTRUSTED_PEER);
            assertThat(r.header()).isNull();
            assertThat(r.hop()).isZero();
        }

        @Test
        void resolve_untrustedPeerSpoofingATrustedHop_isStillThePeer() {
            assertThat(XFF.resolve(OUTSIDER, List.of("10.0.0.9"), List.of())).isEqualTo(OUTSIDER);
        }

        @Test
        void resolve_noTrustedProxies_alwaysThePeer() {
            ClientIpResolver direct = ClientIpResolver.direct();
            assertThat(direct.resolve(PROXY, List.of("203.0.113.5"), List.of("for=203.0.113.6"))).isEqualTo(PROXY);
            assertThat(direct.resolve(IpAddress.parse("127.0.0.1"), List.of("203.0.113.5"), List.of())).hasToString("127.0.0.1");
        }
    }

    @Nested
    class XForwardedFor {
        @Test
        void resolve_singleHop_isTheClient() {
            Resolution r = XFF.resolveExplained(PROXY, List.of("203.0.113.5"), List.of());
            assertThat(r.clientIp()).hasToString("203.0.113.5");
            assertThat(r.reason()).isEqualTo(Reason.FIRST_UNTRUSTED_HOP);
            assertThat(r.header()).isEqualTo("X-Forwarded-For");
            assertThat(r.hop()).isEqualTo(1);
        }

        @Test
        void resolve_chainOfProxies_skipsTrustedHopsFromTheRight() {
            Resolution r = XFF.resolveExplained(PROXY, List.of("198.51.100.1, 203.0.113.5, 10.1.1.1, 10.2.2.2"), List.of());
            assertThat(r.clientIp()).hasToString("203.0.113.5");
            assertThat(r.hop()).isEqualTo(3);
        }

        @Test
        void resolve_spoofedLeftmostEntry_isNeverReached() {
            // the client sent "X-Forwarded-For: 1.1.1.1"; our proxy appended the real address
            assertThat(xff("1.1.1.1, 203.0.113.5")).isEqualTo("203.0.113.5");
        }

        @Test
        void resolve_clientSpoofsTrustedAddress_isStillTheRealClient() {
            assertThat(xff("10.9.9.9, 203.0.113.5")).isEqualTo("203.0.113.5");
        }

        @Test
        void resolve_multipleHeaderLines_joinedInArrivalOrder() {
            assertThat(xff("198.51.100.1, 203.0.113.5", "10.1.1.1")).isEqualTo("203.0.113.5");
            assertThat(xff("198.51.100.1", "203.0.113.5, 10.1.1.1", "")).isEqualTo("203.0.113.5");
            assertThat(xff("203.0.113.5", "198.51.100.1")).isEqualTo("198.51.100.1");
        }

        @Test
        void resolve_allHopsTrusted_isTheLeftmost() {
            Resolution r = XFF.resolveExplained(PROXY, List.of("10.3.3.3, 10.2.2.2", "10.1.1.1"), List.of());
            assertThat(r.clientIp()).hasToString("10.3.3.3");
            assertThat(r.reason()).isEqualTo(Reason.ALL_HOPS_TRUSTED);
            assertThat(r.hop()).isEqualTo(3);
        }

        @Test
        void resolve_noHeader_isThePeer() {
            Resolution r = XFF.resolveExplained(PROXY, List.of(), List.of());
            assertThat(r.clientIp()).isEqualTo(PROXY);
            assertThat(r.reason()).isEqualTo(Reason.NO_HEADER);
            assertThat(XFF.resolve(PROXY, null, null)).isEqualTo(PROXY);
            assertThat(XFF.resolve(PROXY, lines(" ", "", null, ",,"), List.of())).isEqualTo(PROXY);
        }

        @Test
        void resolve_emptyElements_areIgnored() {
            assertThat(xff("203.0.113.5,, ,")).isEqualTo("203.0.113.5");
            assertThat(xff(",203.0.113.5")).isEqualTo("203.0.113.5");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "203.0.113.5:4711|203.0.113.5",
                "203.0.113.5:0|203.0.113.5",
                "[2001:db8::1]|2001:db8::1",
                "[2001:db8::1]:443|2001:db8::1",
                "2001:db8::1|2001:db8::1",
                "2001:DB8:0::1|2001:db8::1",
                "::ffff:203.0.113.5|203.0.113.5",
                "[::ffff:203.0.113.5]:80|203.0.113.5",
                "  203.0.113.5\t|203.0.113.5",
        })
        void resolve_entryForms_areUnderstood(String entry, String expected) {
            assertThat(xff(entry)).isEqualTo(expected);
        }

        @ParameterizedTest
        @ValueSource(strings = {"garbage", "unknown", "UNKNOWN", "example.com", "203.0.113.5:", "203.0.113.5:65536",
                "203.0.113.5:123456", "203.0.113.5:port", "[203.0.113.5]", "[2001:db8::1", "[2001:db8::1]x", "[2001:db8::1]:",
                "\"203.0.113.5\"", "203.0.113.5 198.51.100.1", "fe80::1%eth0", "010.0.0.1", "0x7f.0.0.1", "2130706433",
                "_hidden", "203.0.113.5;rm -rf", "1.2.3.4\u0000", "１.２.３.４", "for=203.0.113.5"})
        void resolve_unusableEntry_stopsAtTheLastTrustedAddress(String entry) {
            Resolution r = XFF.resolveExplained(PROXY, List.of(entry), List.of());
            assertThat(r.clientIp()).isEqualTo(PROXY);
            assertThat(r.reason()).isEqualTo(Reason.UNUSABLE_HOP);
            assertThat(r.hop()).isZero();
        }

        @Test
        void resolve_garbageBetweenTrustedHops_neverTakesAValueLeftOfIt() {
            Resolution r = XFF.resolveExplained(PROXY, List.of("203.0.113.5, garbage, 10.1.1.1"), List.of());
            assertThat(r.clientIp()).hasToString("10.1.1.1");
            assertThat(r.reason()).isEqualTo(Reason.UNUSABLE_HOP);
            assertThat(r.hop()).isEqualTo(1);
            assertThat(r.detail()).contains("hop 2 'garbage'").contains("10.1.1.1");
        }

        @Test
        void resolve_garbageLeftOfTheClient_isNeverRead() {
            assertThat(xff("garbage, unknown, \"unterminated, 203.0.113.5")).isEqualTo("203.0.113.5");
        }

        @Test
        void resolve_unknownFromATrustedProxy_stopsTheWalk() {
            assertThat(xff("203.0.113.5, unknown, 10.1.1.1")).isEqualTo("10.1.1.1");
        }

        @Test
        void resolve_hugePrependedJunk_isNotRead() {
            String junk = "x".repeat(1_000_000) + ", " + "1.1.1.1, ".repeat(10_000);
            assertThat(xff(junk + "203.0.113.5")).isEqualTo("203.0.113.5");
        }

        @Test
        void resolve_elementTooLong_stopsTheWalk() {
            Resolution r = XFF.resolveExplained(PROXY, List.of("203.0.113.5, " + " ".repeat(200) + "10.1.1.1"), List.of());
            assertThat(r.clientIp()).isEqualTo(PROXY);
            assertThat(r.reason()).isEqualTo(Reason.UNUSABLE_HOP);
            assertThat(r.detail()).contains("too long");
        }

        @Test
        void resolve_hopLimit_stopsAtTheLastExaminedTrustedHop() {
            ClientIpResolver limited = ClientIpResolver.builder().trustedProxies(TRUSTED).maxHops(3).build();
            Resolution r = limited.resolveExplained(PROXY, List.of("203.0.113.5, 10.0.0.4, 10.0.0.3, 10.0.0.2, 10.0.0.1"), List.of());
            assertThat(r.clientIp()).hasToString("10.0.0.3");
            assertThat(r.reason()).isEqualTo(Reason.HOP_LIMIT);
            assertThat(r.hop()).isEqualTo(3);
            assertThat(limited.resolve(PROXY, List.of("10.0.0.3, 10.0.0.2, 10.0.0.1"), List.of())).hasToString("10.0.0.3");
            assertThat(limited.resolve(PROXY, List.of("203.0.113.5, 10.0.0.2, 10.0.0.1"), List.of())).hasToString("203.0.113.5");
        }

        @Test
        void resolve_floodOfTrustedHops_examinesAtMostTheDefaultLimit() {
            String flood = "10.0.0.7, ".repeat(100_000) + "10.0.0.1";
            Resolution r = XFF.resolveExplained(PROXY, List.of("203.0.113.5, " + flood), List.of());
            assertThat(r.reason()).isEqualTo(Reason.HOP_LIMIT);
            assertThat(r.hop()).isEqualTo(ClientIpResolver.DEFAULT_MAX_HOPS);
            assertThat(r.clientIp()).hasToString("10.0.0.7");
        }

        @Test
        void resolve_ipv6Chain() {
            IpAddress v6Proxy = IpAddress.parse("2001:db8:ffff::1");
            assertThat(XFF.resolve(v6Proxy, List.of("2001:db8:1::5, 2001:db8:ffff::2"), List.of())).hasToString("2001:db8:1::5");
        }

        @Test
        void resolve_forwardedHeaderIgnoredByDefault() {
            assertThat(XFF.resolve(PROXY, List.of("203.0.113.5"), List.of("for=198.51.100.1"))).hasToString("203.0.113.5");
            assertThat(XFF.resolve(PROXY, List.of(), List.of("for=198.51.100.1"))).isEqualTo(PROXY);
        }
    }

    @Nested
    class Forwarded {
        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "for=203.0.113.5|203.0.113.5",
                "For=203.0.113.5|203.0.113.5",
                "FOR=\"203.0.113.5\"|203.0.113.5",
                "for=\"203.0.113.5:4711\"|203.0.113.5",
                "for=203.0.113.5:4711|203.0.113.5",
                "for=\"[2001:db8:cafe::17]:4711\"|2001:db8:cafe::17",
                "for=\"[2001:db8:cafe::17]\"|2001:db8:cafe::17",
                "for=[2001:db8:cafe::17]|2001:db8:cafe::17",
                "for=\"203.0.113.5:_port9\"|203.0.113.5",
                "for=\"[2001:db8::1]:_p\"|2001:db8::1",
                "for=203.0.113.5;proto=http;by=203.0.113.43|203.0.113.5",
                "proto=https; for=203.0.113.5 ;by=10.0.0.2|203.0.113.5",
                "by=\"[::1]\";for=203.0.113.5;host=\"a,b;c\"|203.0.113.5",
                "for=203.0.113.5;;proto=http|203.0.113.5",
                "for=\"\\203.0.113.5\"|203.0.113.5",
                "for=\"[::ffff:203.0.113.5]\"|203.0.113.5",
        })
        void resolve_elementForms_areUnderstood(String element, String expected) {
            assertThat(fwd(element)).isEqualTo(expected);
        }

        @Test
        void resolve_chain_walkedRightToLeftAcrossLinesAndElements() {
            assertThat(fwd("for=198.51.100.1, for=203.0.113.5", "for=10.1.1.1;proto=https")).isEqualTo("203.0.113.5");
            Resolution r = FWD.resolveExplained(PROXY, List.of(), List.of("for=198.51.100.1, for=203.0.113.5, for=10.1.1.1"));
            assertThat(r.header()).isEqualTo("Forwarded");
            assertThat(r.hop()).isEqualTo(2);
        }

        @Test
        void resolve_commaInsideQuotes_doesNotSplitTheElement() {
            assertThat(fwd("for=198.51.100.1;host=\"x, for=203.0.113.5\"")).isEqualTo("198.51.100.1");
        }

        @ParameterizedTest
        @ValueSource(strings = {"for=unknown", "for=\"unknown\"", "for=_hidden", "for=\"_SEVKISEK\"", "proto=https",
                "for=2001:db8::1", "for=\"2001:db8::1\"", "for=\"[203.0.113.5]\"", "for=example.com", "for=\"203.0.113.5",
                "for=203.0.113.5;for=198.51.100.1", "for=203.0.113.5;For=198.51.100.1", "for", "=203.0.113.5",
                "for=203.0.113.5 junk", "for=\"203.0.113.5\"x", "for=_bad!", "for=\"203.0.113.5:99999\"",
                "for=\"[2001:db8::1]:_\"", "for=\"[2001:db8::1]80\"", "for=203.0.113.5:4711:1", "for=\"\""})
        void resolve_unusableElement_stopsAtTheLastTrustedAddress(String element) {
            Resolution r = FWD.resolveExplained(PROXY, List.of(), List.of(element));
            assertThat(r.clientIp()).isEqualTo(PROXY);
            assertThat(r.reason()).isEqualTo(Reason.UNUSABLE_HOP);
        }

        @Test
        void resolve_obfuscatedBehindTrustedHop_stopsThere() {
            Resolution r = FWD.resolveExplained(PROXY, List.of(), List.of("for=203.0.113.5, for=_gazonk, for=10.1.1.1"));
            assertThat(r.clientIp()).hasToString("10.1.1.1");
            assertThat(r.detail()).contains("obfuscated");
        }

        @Test
        void resolve_unterminatedQuoteOnTheLeft_doesNotSwallowTheProxysElement() {
            assertThat(fwd("for=\"198.51.100.1, for=203.0.113.5")).isEqualTo("203.0.113.5");
        }

        @Test
        void resolve_escapedQuotesInsideQuotedString_areHandled() {
            assertThat(fwd("for=198.51.100.1;host=\"a\\\"b,c\\\\\", for=10.1.1.1")).isEqualTo("198.51.100.1");
        }
    }

    @Nested
    class Both {
        @Test
        void resolve_forwardedPresent_takesPrecedence() {
            Resolution r = BOTH.resolveExplained(PROXY, List.of("198.51.100.1"), List.of("for=203.0.113.5"));
            assertThat(r.clientIp()).hasToString("203.0.113.5");
            assertThat(r.header()).isEqualTo("Forwarded");
        }

        @Test
        void resolve_forwardedAbsentOrBlank_fallsBackToXForwardedFor() {
            assertThat(BOTH.resolve(PROXY, List.of("198.51.100.1"), List.of())).hasToString("198.51.100.1");
            assertThat(BOTH.resolve(PROXY, List.of("198.51.100.1"), List.of(" "))).hasToString("198.51.100.1");
        }

        @Test
        void resolve_forwardedOnly_ignoresXForwardedFor() {
            assertThat(FWD.resolve(PROXY, List.of("198.51.100.1"), List.of())).isEqualTo(PROXY);
        }
    }

    /** resolve() skips building the detail line; it must still choose exactly what resolveExplained() chooses. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "198.51.100.66 | 203.0.113.5       | -                    ",   // untrusted peer
            "10.0.0.2      | -                 | -                    ",   // trusted peer, no header
            "10.0.0.2      | 203.0.113.5       | -                    ",   // first untrusted hop
            "10.0.0.2      | 10.0.0.7, 10.0.0.8 | -                   ",   // every hop trusted
            "10.0.0.2      | not-an-ip         | -                    ",   // unusable hop
            "10.0.0.2      | 203.0.113.5       | for=203.0.113.6      ",   // Forwarded wins under BOTH
    })
    void resolve_choosesTheSameAddressAsResolveExplained(String peer, String xff, String forwarded) {
        IpAddress p = IpAddress.parse(peer);
        List<String> x = xff == null ? List.of() : List.of(xff);
        List<String> f = forwarded == null ? List.of() : List.of(forwarded);
        for (ClientIpResolver resolver : List.of(XFF, FWD, BOTH)) {
            Resolution explained = resolver.resolveExplained(p, x, f);
            assertThat(resolver.resolve(p, x, f)).isEqualTo(explained.clientIp());
            assertThat(explained.detail()).isNotBlank();
        }
    }

    @Test
    void builder_badMaxHops_isRejected() {
        assertThatThrownBy(() -> ClientIpResolver.builder().maxHops(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxHops").hasMessageContaining("0");
    }

    @Test
    void resolve_nullPeer_isRejected() {
        assertThatThrownBy(() -> XFF.resolve(null, List.of(), List.of())).isInstanceOf(NullPointerException.class);
    }

    @Test
    void toString_namesTheConfiguration() {
        assertThat(XFF.toString()).contains("10.0.0.0/8").contains("X_FORWARDED_FOR").contains("maxHops=32");
    }
}
