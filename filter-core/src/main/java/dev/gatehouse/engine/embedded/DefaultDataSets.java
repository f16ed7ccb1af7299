package dev.gatehouse.engine.embedded;

import dev.gatehouse.crawler.CrawlerCatalog;
import dev.gatehouse.engine.embedded.DataSet.Feed;
import dev.gatehouse.engine.embedded.DataSet.Format;
import dev.gatehouse.engine.embedded.DataSet.Kind;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The data sets bundled with Gatehouse (see {@code docs/data.md} and the SOURCES.md files beside them).
 * Ranks: 0 = the provider's own published list, 1 = a mirror flattened from official sources,
 * 2 = prefixes announced by the provider's ASNs, 3 = broad community lists (X4BNet).
 */
final class DefaultDataSets {

    private static final Duration DAY = Duration.ofDays(1);

    private DefaultDataSets() {
    }

    static List<DataSet> all() {
        List<DataSet> sets = new ArrayList<>();
        sets.add(new DataSet("bogons", Kind.BOGON, null, 0, Format.IANA_CSV,
                List.of(new Feed("bogons-ipv4", "bogons/iana-ipv4-special-registry-1.csv"),
                        new Feed("bogons-ipv6", "bogons/iana-ipv6-special-registry-1.csv")),
                at("2026-07-18T00:00:00Z"), DAY.multipliedBy(730)));
        sets.add(one("tor", Kind.TOR, null, 0, Format.TOR, "tor/onionoo-exit-relays.csv", "2026-08-22T21:13:00Z", DAY.multipliedBy(3)));

        official(sets, "aws", "aws", Format.AWS, "aws-ip-ranges.json", "2026-08-21T07:37:05Z");
        official(sets, "gcp", "gcp", Format.GOOGLE, "gcp-cloud.json", "2026-08-21T01:05:42Z");
        official(sets, "google", "google", Format.GOOGLE, "google-goog.json", "2026-08-21T00:00:00Z");
        official(sets, "oracle", "oracle", Format.ORACLE, "oracle-public_ip_ranges.json", "2026-07-27T06:55:33Z");
        official(sets, "atlassian", "atlassian", Format.ATLASSIAN, "atlassian.json", "2026-06-17T04:08:46Z");
        official(sets, "bunny", "bunny", Format.BUNNY, "bunny.json", "2026-08-21T00:00:00Z");
        official(sets, "cdn77", "cdn77", Format.CDN77, "cdn77.json", "2026-07-27T14:00:04Z");
        official(sets, "fastly", "fastly", Format.FASTLY, "fastly.json", "2024-10-08T00:00:00Z");
        official(sets, "imperva", "imperva", Format.IMPERVA, "imperva.json", "2026-06-30T00:00:00Z");
        // Zscaler's enforcement nodes carry employees' browsing through a corporate proxy: people, not servers.
        sets.add(one("zscaler", Kind.PROXY, "corporate", 0, Format.ZSCALER, "cloud/official/zscaler.json",
                "2026-08-21T00:00:00Z", DAY.multipliedBy(30)));

        merged(sets, "aws-merged", "aws", "amazon", "2026-08-22", true);
        merged(sets, "microsoft", "microsoft", "microsoft", "2026-08-21", true);
        merged(sets, "google-merged", "google", "google", "2025-11-15", true);
        merged(sets, "oracle-merged", "oracle", "oracle", "2026-07-27", false);
        merged(sets, "digitalocean", "digitalocean", "digitalocean", "2026-07-24", true);
        merged(sets, "linode", "linode", "linode", "2026-08-05", true);
        merged(sets, "vultr", "vultr", "vultr", "2026-08-14", true);
        merged(sets, "cloudflare", "cloudflare", "cloudflare", "2026-01-02", true);
        merged(sets, "github", "github", "github", "2026-08-12", true);
        merged(sets, "facebook", "meta", "facebook", "2026-08-20", true);

        asnDerived(sets, "hetzner", "hetzner", "2026-08-21");
        asnDerived(sets, "ovh", "ovh", "2026-08-22");
        asnDerived(sets, "contabo", "contabo", "2026-08-22");
        asnDerived(sets, "leaseweb", "leaseweb", "2026-08-21");
        asnDerived(sets, "m247", "m247", "2026-08-21");
        asnDerived(sets, "scaleway", "scaleway", "2026-08-21");
        asnDerived(sets, "alibaba", "alibaba", "2026-08-21");
        asnDerived(sets, "tencent", "tencent", "2026-08-22");
        asnDerived(sets, "ibmcloud", "ibm", "2026-08-21");
        asnDerived(sets, "vultr-asn", "vultr", "2026-08-21");
        asnDerived(sets, "flyio", "flyio", "2026-08-21");
        asnDerived(sets, "render", "render", "2026-08-19");

        sets.add(pair("x4bnet-datacenter", Kind.HOSTING, null, 3, "cloud/x4bnet-datacenter-ipv4.txt",
                "cloud/x4bnet-datacenter-ipv6.txt", "2026-08-22", DAY.multipliedBy(60)));
        sets.add(pair("x4bnet-vpn", Kind.VPN, null, 3, "vpn/x4bnet-vpn-ipv4.txt", "vpn/x4bnet-vpn-ipv6.txt",
                "2026-08-22", DAY.multipliedBy(30)));
        // by AS number (issue 12): a network the lists above do not cover, answered from the ASN table
        sets.add(one("x4bnet-vpn-asn", Kind.VPN, null, 3, Format.ASN_LIST, "vpn/x4bnet-vpn-ASN.txt",
                "2026-08-22T00:00:00Z", DAY.multipliedBy(30)));
        sets.add(one("x4bnet-datacenter-asn", Kind.HOSTING, null, 3, Format.ASN_LIST, "cloud/x4bnet-datacenter-ASN.txt",
                "2026-08-22T00:00:00Z", DAY.multipliedBy(60)));
        sets.add(one("protonvpn", Kind.VPN, "protonvpn", 0, Format.CIDR_LINES, "vpn/protonvpn-ipv4.txt",
                "2025-04-10T00:00:00Z", DAY.multipliedBy(30)));
        sets.add(pair("icloud-relay", Kind.RELAY, "icloud_private_relay", 0, "vpn/icloud-private-relay-ipv4_merged.txt",
                "vpn/icloud-private-relay-ipv6_merged.txt", "2026-08-17", DAY.multipliedBy(30)));
        sets.add(one("spamhaus-drop", Kind.ATTACKER, null, 0, Format.SPAMHAUS_DROP, "blocklists/spamhaus-drop_v4.json",
                "2026-07-23T09:14:02Z", DAY.multipliedBy(14)));
        sets.add(new DataSet("asn", Kind.ASN, null, 0, Format.ASN_CSV,
                List.of(new Feed("asn-ipv4", "asn/asn-ipv4.csv"), new Feed("asn-ipv6", "asn/asn-ipv6.csv")),
                at("2026-06-17T00:00:00Z"), DAY.multipliedBy(90)));
        sets.add(new DataSet("country", Kind.COUNTRY, null, 0, Format.COUNTRY_CSV,
                List.of(new Feed("country-ipv4", "geo/country-ipv4.csv"), new Feed("country-ipv6", "geo/country-ipv6.csv")),
                at("2026-06-17T00:00:00Z"), DAY.multipliedBy(90)));
        sets.addAll(crawlers());
        return List.copyOf(sets);
    }

    /** Id prefix of the crawler range files: the id is the file's path under the data directory. */
    static final String CRAWLERS = "crawlers/";

    /**
     * One data set per range file the crawler catalog cites ({@code crawlers/google/common-crawlers.json},
     * …). Vendors change these lists every few days, so they count as stale after three.
     */
    static List<DataSet> crawlers() {
        List<DataSet> sets = new ArrayList<>();
        for (String file : CrawlerCatalog.rangeFiles()) {
            String id = CRAWLERS + file;
            // Fallback dates (SOURCES.md) for files that do not date themselves; Google's, Apple's and Anthropic's do.
            String asOf = file.startsWith("ipverse-") ? "2026-08-21" : file.startsWith("ranges-txt/") ? "2026-08-22" : "2026-08-20";
            sets.add(new DataSet(id, Kind.CRAWLER, null, 0, Format.CRAWLER_RANGES, List.of(new Feed(id, id)),
                    at(asOf + "T00:00:00Z"), DAY.multipliedBy(3)));
        }
        return sets;
    }

    private static void official(List<DataSet> sets, String id, String label, Format format, String file, String asOf) {
        sets.add(one(id, Kind.HOSTING, label, 0, format, "cloud/official/" + file, asOf, DAY.multipliedBy(30)));
    }

    private static void merged(List<DataSet> sets, String id, String label, String file, String asOf, boolean v6) {
        String base = "cloud/ranges-txt/" + file;
        sets.add(v6 ? pair(id, Kind.HOSTING, label, 1, base + "-ipv4_merged.txt", base + "-ipv6_merged.txt", asOf,
                DAY.multipliedBy(60))
                : one(id, Kind.HOSTING, label, 1, Format.CIDR_LINES, base + "-ipv4_merged.txt", asOf + "T00:00:00Z",
                DAY.multipliedBy(60)));
    }

    private static void asnDerived(List<DataSet> sets, String id, String label, String asOf) {
        String file = id.equals("vultr-asn") ? "vultr" : id;
        sets.add(one(id, Kind.HOSTING, label, 2, Format.ASN_PREFIXES, "cloud/asn-derived/" + file + ".json",
                asOf + "T00:00:00Z", DAY.multipliedBy(60)));
    }

    private static DataSet one(String id, Kind kind, String label, int rank, Format format, String path, String asOf,
                               Duration maxAge) {
        return new DataSet(id, kind, label, rank, format, List.of(new Feed(id, path)), at(asOf), maxAge);
    }

    private static DataSet pair(String id, Kind kind, String label, int rank, String v4, String v6, String asOf,
                                Duration maxAge) {
        return new DataSet(id, kind, label, rank, Format.CIDR_LINES,
                List.of(new Feed(id + "-ipv4", v4), new Feed(id + "-ipv6", v6)), at(asOf + "T00:00:00Z"), maxAge);
    }

    private static Instant at(String iso) {
        return Instant.parse(iso);
    }
}
