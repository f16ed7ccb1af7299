package dev.gatehouse.engine.embedded;

import dev.gatehouse.api.BotCategory;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.crawler.CrawlerCatalog.Crawler;
import dev.gatehouse.net.Cidr;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The full bundled data, loaded once for the class: real addresses from each data set give the
 * expected answers. A test crawler catalog stands in for the crawler work's catalog.
 */
class EmbeddedEngineRealDataTest {

    static final Crawler GOOGLEBOT = new Crawler("Googlebot", BotCategory.SEARCH, "google", List.of("googlebot.com", "google.com"));
    static final Crawler GPTBOT = new Crawler("GPTBot", BotCategory.AI, "openai", List.of());

    private static EmbeddedEngine engine;

    @BeforeAll
    static void load() {
        engine = EmbeddedEngine.builder()
                .clock(Clock.fixed(Instant.parse("2026-08-25T00:00:00Z"), ZoneOffset.UTC))
                .crawlerRanges(sink -> {
                    sink.accept(Cidr.parse("66.249.64.0/27"), GOOGLEBOT);
                    sink.accept(Cidr.parse("2001:4860:4801:10::/64"), GOOGLEBOT);
                    sink.accept(Cidr.parse("20.171.206.0/24"), GPTBOT);
                })
                .build();
    }

    private static Signals lookup(String ip) {
        return engine.lookup(IpAddress.parse(ip));
    }

    @Test
    void loadReports_bundledData_everySetUsed() {
        // crawlerRanges(...) above leaves the crawler range files out: they feed the CrawlerCatalog
        assertThat(engine.loadReports()).hasSize((int) EmbeddedEngine.dataSetIds().stream().filter(id -> !id.startsWith("crawlers/")).count());
        assertThat(engine.loadReports()).allSatisfy(r -> {
            assertThat(r.used()).as(r.toString()).isTrue();
            assertThat(r.entries()).as(r.dataSet()).isPositive();
        });
    }

    @Test
    void loadReports_asnData_precompiledBundle() {
        LoadReport asn = engine.loadReports().stream().filter(r -> r.dataSet().equals("asn")).findFirst().orElseThrow();
        assertThat(asn.origin()).isEqualTo("bundled:asn/asn.bin.gz");
        assertThat(asn.entries()).isGreaterThan(500_000);
        assertThat(asn.badLines()).isZero();
    }

    @Test
    void lookup_googleDns_asn15169GoogleAndRoute() {
        Signals s = lookup("8.8.8.8");
        assertThat(s.value(Signal.ASN)).isEqualTo(15169);
        assertThat(s.string(Signal.AS_ORG)).isEqualTo("Google LLC");
        assertThat(s.string(Signal.AS_ROUTE)).isEqualTo("8.8.8.0/24");
        assertThat(s.observation(Signal.ASN).sources()).containsExactly("embedded:asn");
        assertThat(s.isTrue(Signal.BOGON)).isFalse();
    }

    @Test
    void lookup_ipv6Asn_wideProject() {
        Signals s = lookup("2001:200::1");
        assertThat(s.value(Signal.ASN)).isEqualTo(2500);
        assertThat(s.string(Signal.AS_ROUTE)).startsWith("2001:200::/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"204.8.96.141", "2620:7:6003::141"})
    void lookup_torExitFromOnionoo_tor(String ip) {
        Signals s = lookup(ip);
        assertThat(s.isTrue(Signal.TOR)).isTrue();
        assertThat(s.observation(Signal.TOR).sources()).containsExactly("embedded:tor");
    }

    @Test
    void lookup_awsAddress_hostingAws() {
        Signals s = lookup("3.5.140.7");
        assertThat(s.isTrue(Signal.HOSTING)).isTrue();
        assertThat(s.string(Signal.HOSTING_PROVIDER)).isEqualTo("aws");
        assertThat(s.observation(Signal.HOSTING_PROVIDER).sources()).containsExactly("embedded:aws");
    }

    @Test
    void lookup_gcpInsideGoogleRanges_mostSpecificOfficialListWins() {
        assertThat(lookup("34.35.0.1").string(Signal.HOSTING_PROVIDER)).isEqualTo("gcp");
    }

    @Test
    void lookup_hetznerAddress_hostingHetzner() {
        assertThat(lookup("5.9.0.1").string(Signal.HOSTING_PROVIDER)).isEqualTo("hetzner");
    }

    @Test
    void lookup_dropRange_attacker() {
        Signals s = lookup("1.10.16.5");
        assertThat(s.isTrue(Signal.ATTACKER)).isTrue();
        assertThat(s.observation(Signal.ATTACKER).sources()).containsExactly("embedded:spamhaus-drop");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.1.2.3", "192.168.1.1", "100.64.0.1", "::1", "fe80::1", "fc00::5", "224.0.0.1", "ff02::1"})
    void lookup_specialUse_bogon(String ip) {
        assertThat(lookup(ip).isTrue(Signal.BOGON)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.0.0.9", "2001::1", "2002::1", "64:ff9b::808:808", "1.1.1.1"})
    void lookup_globallyReachableInsideSpecialBlocks_notBogon(String ip) {
        assertThat(lookup(ip).isTrue(Signal.BOGON)).isFalse();
    }

    @Test
    void lookup_icloudRelayInsideX4bnetDatacenter_relayNotHosting() {
        Signals s = lookup("172.224.226.1");
        assertThat(s.isTrue(Signal.RELAY)).isTrue();
        assertThat(s.string(Signal.RELAY_PROVIDER)).isEqualTo("icloud_private_relay");
        assertThat(s.isTrue(Signal.HOSTING)).isFalse();
        assertThat(s.value(Signal.HOSTING_PROVIDER)).isNull();
    }

    @Test
    void lookup_icloudRelayAlsoOnX4bnetVpn_relayNotVpn() {
        Signals s = lookup("104.28.28.65");
        assertThat(s.isTrue(Signal.RELAY)).isTrue();
        assertThat(s.isTrue(Signal.VPN)).isFalse();
    }

    @Test
    void lookup_protonVpnServer_vpnProtonvpn() {
        Signals s = lookup("2.58.241.66");
        assertThat(s.isTrue(Signal.VPN)).isTrue();
        assertThat(s.string(Signal.VPN_PROVIDER)).isEqualTo("protonvpn");
    }

    @Test
    void lookup_zscalerNode_corporateProxy() {
        Signals s = lookup("159.254.250.1");
        assertThat(s.isTrue(Signal.PROXY)).isTrue();
        assertThat(s.string(Signal.PROXY_TYPE)).isEqualTo("corporate");
    }

    @Test
    void lookup_crawlerRange_verifiedByIpRange() {
        Signals s = lookup("66.249.64.1");
        assertThat(s.isTrue(Signal.KNOWN_BOT)).isTrue();
        assertThat(s.string(Signal.BOT_NAME)).isEqualTo("Googlebot");
        assertThat(s.string(Signal.BOT_CATEGORY)).isEqualTo("search");
        assertThat(s.string(Signal.BOT_VERIFIED)).isEqualTo("verified");
        assertThat(s.string(Signal.BOT_VERIFIED_BY)).isEqualTo("ip_range");
        assertThat(s.observation(Signal.BOT_NAME).sources()).containsExactly("embedded:crawlers");
        assertThat(s.value(Signal.ASN)).isEqualTo(15169);
        assertThat(lookup("2001:4860:4801:10::5").string(Signal.BOT_NAME)).isEqualTo("Googlebot");
        assertThat(lookup("20.171.206.9").string(Signal.BOT_NAME)).isEqualTo("GPTBot");
        assertThat(lookup("66.249.64.200").value(Signal.BOT_NAME)).isNull();
    }

    @Test
    void lookup_requestFacts_sameAsDirectLookup() {
        IpAddress ip = IpAddress.parse("3.5.140.7");
        Signals viaFacts = engine.lookup(RequestFacts.forIp(ip)).toCompletableFuture().join();
        assertThat(viaFacts).isEqualTo(engine.lookup(ip));
    }

    @Test
    void lookup_signalsCarryStatusOfSourcesThatSpoke() {
        Signals s = lookup("204.8.96.141");
        assertThat(s.sources()).extracting(Signals.SourceStatus::name).contains("embedded:tor", "embedded:asn");
    }

    @Test
    void sources_everyDataSetWithAgeAndStaleWarnings() {
        List<Signals.SourceStatus> sources = engine.sources();
        assertThat(sources).extracting(Signals.SourceStatus::name)
                .containsAll(EmbeddedEngine.dataSetIds().stream().filter(id -> !id.startsWith("crawlers/")).map(id -> "embedded:" + id).toList())
                .contains("embedded:crawlers");
        Signals.SourceStatus aws = sources.stream().filter(s -> s.name().equals("embedded:aws")).findFirst().orElseThrow();
        assertThat(aws.dataAsOf()).isEqualTo(Instant.parse("2026-08-21T07:37:05Z")); // from the file's createDate
        assertThat(aws.problem()).isNull();
        Signals.SourceStatus fastly = sources.stream().filter(s -> s.name().equals("embedded:fastly")).findFirst().orElseThrow();
        assertThat(fastly.problem()).startsWith("stale: data is");
    }

    @Test
    void name_embedded() {
        assertThat(engine.name()).isEqualTo("embedded");
    }

    @Test
    void lookup_documentationAddress_onlyBogon() {
        Signals s = lookup("2001:db8::1");
        assertThat(s.isTrue(Signal.BOGON)).isTrue();
        assertThat(s.value(Signal.HOSTING)).isNull();
        assertThat(s.value(Signal.HOSTING_PROVIDER)).isNull();
        assertThat(s.value(Signal.ASN)).isNull();
    }

    /**
     * Every IANA special-use block that is not globally reachable: its first, middle and last address are
     * bogon and nothing else (no hosting, VPN, Tor, attacker, crawler, ASN or country), whatever the lists say.
     */
    @Test
    void lookup_everySpecialUseBlock_bogonTakesPrecedenceOverEveryList() throws Exception {
        int checked = 0;
        for (String file : List.of("iana-ipv4-special-registry-1.csv", "iana-ipv6-special-registry-1.csv")) {
            List<String> rows;
            try (var in = EmbeddedEngine.class.getResourceAsStream("/dev/gatehouse/data/bogons/" + file)) {
                rows = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().skip(1).toList();
            }
            for (String row : rows) {
                String[] f = row.split(",");
                String reachable = f[f.length - 2];
                if (!reachable.startsWith("False")) {
                    continue;
                }
                for (String block : f[0].replace("\"", "").split("\\s+")) {
                    if (!block.contains("/")) {
                        continue;
                    }
                    Cidr cidr = Cidr.parse(block.replaceAll("\\[.*", "").strip());
                    for (IpAddress ip : List.of(cidr.network(), cidr.last())) {
                        Signals s = engine.lookup(ip);
                        if (!s.isTrue(Signal.BOGON)) {
                            continue; // a globally reachable hole registered inside the block (e.g. 2001:20::/28)
                        }
                        checked++;
                        for (Signal other : List.of(Signal.HOSTING, Signal.VPN, Signal.TOR, Signal.ATTACKER, Signal.RELAY,
                                Signal.PROXY, Signal.KNOWN_BOT, Signal.ASN, Signal.COUNTRY)) {
                            assertThat(s.value(other)).as(block + " " + ip + " " + other).isNull();
                        }
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(40);
    }

    @Test
    void lookup_country_forPublicAddresses() {
        assertThat(lookup("8.8.8.8").string(Signal.COUNTRY)).isEqualTo("US");
        assertThat(lookup("1.0.0.1").string(Signal.COUNTRY)).isEqualTo("AU");
        assertThat(lookup("2001:200::1").string(Signal.COUNTRY)).isEqualTo("AU"); // as the whois-ASN source places it
        assertThat(lookup("8.8.8.8").observation(Signal.COUNTRY).sources()).containsExactly("embedded:country");
        assertThat(lookup("8.8.8.8").sources()).extracting(Signals.SourceStatus::name).contains("embedded:country");
        assertThat(lookup("10.1.2.3").value(Signal.COUNTRY)).isNull();
        // every address the ASN table routes has a country (the sample: one address per 2^24 block)
        int routed = 0;
        int withCountry = 0;
        for (int a = 1; a < 224; a++) {
            for (int b = 0; b < 256; b += 17) {
                Signals s = lookup(a + "." + b + ".1.1");
                if (s.value(Signal.ASN) != null) {
                    routed++;
                    withCountry += s.value(Signal.COUNTRY) != null ? 1 : 0;
                }
            }
        }
        assertThat(routed).isGreaterThan(2000);
        assertThat((double) withCountry / routed).isGreaterThan(0.99);
    }

    /** The X4BNet AS-number lists add VPN (with the operator's name) and hosting where the range lists are silent. */
    @Test
    void lookup_byAsNumber_vpnAndHostingLists() {
        int vpn = 0;
        int hosting = 0;
        for (int a = 1; a < 224; a++) {
            for (int b = 0; b < 256; b++) {
                Signals s = lookup(a + "." + b + ".7.7");
                if (s.observation(Signal.VPN) != null && s.observation(Signal.VPN).sources().contains("embedded:x4bnet-vpn-asn")) {
                    vpn++;
                    assertThat(s.value(Signal.RELAY)).isNull();
                }
                if (s.observation(Signal.HOSTING) != null && s.observation(Signal.HOSTING).sources().equals(List.of("embedded:x4bnet-datacenter-asn"))) {
                    hosting++;
                    assertThat(s.string(Signal.HOSTING_PROVIDER)).isNotEmpty();
                    assertThat(s.value(Signal.VPN)).isNull();
                }
            }
        }
        assertThat(vpn).isPositive();
        assertThat(hosting).isPositive();
        assertThat(AsnListParser.label(" M247, GB (NordVPN)", true)).isEqualTo("nordvpn");
        assertThat(AsnListParser.label(" VOXILITY, RO", true)).isEqualTo("voxility");
        assertThat(AsnListParser.label(" Privado VPN", true)).isEqualTo("privado");
        assertThat(AsnListParser.label("", true)).isEmpty();
    }
}
