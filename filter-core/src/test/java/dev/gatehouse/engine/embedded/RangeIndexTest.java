package dev.gatehouse.engine.embedded;

import dev.gatehouse.api.BotCategory;
import dev.gatehouse.crawler.CrawlerCatalog.Crawler;
import dev.gatehouse.engine.embedded.DataSet.Kind;
import dev.gatehouse.net.Cidr;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Longest-prefix semantics across overlapping lists, on synthetic data. */
class RangeIndexTest {

    private static Prefixes list(String... cidrs) {
        Prefixes p = new Prefixes();
        for (String c : cidrs) {
            boolean negative = c.startsWith("!");
            p.add(Cidr.parse(negative ? c.substring(1) : c), negative);
        }
        return p;
    }

    private static RangeIndex.Builder add(RangeIndex.Builder b, Kind kind, String label, String id, int rank, String... cidrs) {
        return b.add(list(cidrs), Facts.of(kind, label, "embedded:" + id, false), Facts.of(kind, label, "embedded:" + id, true), rank);
    }

    private static Facts at(RangeIndex index, String ip) {
        return index.lookup(IpAddress.parse(ip));
    }

    @Test
    void lookup_nestedPrefixes_mostSpecificNamedProviderWins() {
        RangeIndex.Builder b = new RangeIndex.Builder();
        add(b, Kind.HOSTING, "google", "google", 0, "34.0.0.0/8");
        add(b, Kind.HOSTING, "gcp", "gcp", 0, "34.35.0.0/16");
        add(b, Kind.HOSTING, null, "x4bnet-datacenter", 3, "34.35.7.0/24", "35.0.0.0/8");
        RangeIndex index = b.build();

        assertThat(at(index, "34.1.1.1").hostingProvider).isEqualTo("google");
        assertThat(at(index, "34.35.1.1").hostingProvider).isEqualTo("gcp");
        // a generic list inside a named range does not erase the name
        assertThat(at(index, "34.35.7.1").hostingProvider).isEqualTo("gcp");
        assertThat(at(index, "34.35.7.1").hostingSource).isEqualTo("embedded:gcp");
        assertThat(at(index, "34.36.0.0").hostingProvider).isEqualTo("google");
        assertThat(at(index, "35.1.1.1").hosting).isTrue();
        assertThat(at(index, "35.1.1.1").hostingProvider).isNull();
        assertThat(at(index, "36.0.0.0")).isSameAs(Facts.EMPTY);
        assertThat(at(index, "33.255.255.255")).isSameAs(Facts.EMPTY);
    }

    @Test
    void lookup_samePrefixInTwoLists_moreAuthoritativeRankWins() {
        RangeIndex.Builder b = new RangeIndex.Builder();
        add(b, Kind.HOSTING, "vultr", "vultr-asn", 2, "45.32.0.0/16");
        add(b, Kind.HOSTING, "choopa", "vultr", 0, "45.32.0.0/16");
        assertThat(at(b.build(), "45.32.1.1").hostingProvider).isEqualTo("choopa");
    }

    @Test
    void lookup_differentKinds_combineIndependently() {
        RangeIndex.Builder b = new RangeIndex.Builder();
        add(b, Kind.HOSTING, "hetzner", "hetzner", 2, "5.9.0.0/16");
        add(b, Kind.TOR, null, "tor", 0, "5.9.1.1/32");
        add(b, Kind.ATTACKER, null, "spamhaus-drop", 0, "5.9.1.0/24");
        RangeIndex index = b.build();
        Facts f = at(index, "5.9.1.1");
        assertThat(f.tor).isTrue();
        assertThat(f.attacker).isTrue();
        assertThat(f.hostingProvider).isEqualTo("hetzner");
        assertThat(at(index, "5.9.1.2").tor).isFalse();
        assertThat(at(index, "5.9.1.2").attacker).isTrue();
        assertThat(at(index, "5.9.2.0").attacker).isFalse();
    }

    @Test
    void lookup_negativeEntry_holeInBogonBlock() {
        RangeIndex.Builder b = new RangeIndex.Builder();
        add(b, Kind.BOGON, null, "bogons", 0, "192.0.0.0/24", "!192.0.0.9/32", "2001::/23", "!2001::/32");
        RangeIndex index = b.build();
        assertThat(at(index, "192.0.0.8").bogon).isTrue();
        assertThat(at(index, "192.0.0.9").bogon).isFalse();
        assertThat(at(index, "192.0.0.10").bogon).isTrue();
        assertThat(at(index, "2001:0:1::1").bogon).isFalse();
        assertThat(at(index, "2001:1::1").bogon).isTrue();
    }

    @Test
    void lookup_relayOverlapsHostingAndVpn_relayOnly() {
        RangeIndex.Builder b = new RangeIndex.Builder();
        add(b, Kind.HOSTING, null, "x4bnet-datacenter", 3, "172.224.0.0/12");
        add(b, Kind.VPN, null, "x4bnet-vpn", 3, "172.224.226.0/26");
        add(b, Kind.RELAY, "icloud_private_relay", "icloud-relay", 0, "172.224.226.0/26");
        RangeIndex index = b.build();
        Facts f = at(index, "172.224.226.1");
        assertThat(f.relay).isTrue();
        assertThat(f.hosting).isFalse();
        assertThat(f.vpn).isFalse();
        assertThat(at(index, "172.224.227.1").hosting).isTrue();
    }

    @Test
    void lookup_edgesOfAddressSpace_ipv4AndIpv6() {
        RangeIndex.Builder b = new RangeIndex.Builder();
        add(b, Kind.BOGON, null, "bogons", 0, "0.0.0.0/8", "255.255.255.255/32", "::/128", "8000::/1",
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
        add(b, Kind.TOR, null, "tor", 0, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "0.0.0.0/0");
        RangeIndex index = b.build();
        assertThat(at(index, "0.0.0.0").bogon).isTrue();
        assertThat(at(index, "1.0.0.0").bogon).isNull();
        assertThat(at(index, "1.0.0.0").tor).isTrue();
        assertThat(at(index, "255.255.255.255").bogon).isTrue();
        assertThat(at(index, "255.255.255.254").bogon).isNull();
        assertThat(at(index, "::").bogon).isTrue();
        assertThat(at(index, "::1").bogon).isNull();
        assertThat(at(index, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").bogon).isTrue();
        assertThat(at(index, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").tor).isFalse(); // special-use wins over every list
        assertThat(at(index, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe").tor).isFalse();
        assertThat(at(index, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe").bogon).isTrue();
    }

    @Test
    void lookup_crawlerRanges_sharedFactsPerCrawler() {
        Crawler bot = new Crawler("Bingbot", BotCategory.SEARCH, "microsoft", List.of("search.msn.com"));
        Facts facts = Facts.crawler(bot);
        RangeIndex.Builder b = new RangeIndex.Builder();
        add(b, Kind.HOSTING, "microsoft", "microsoft", 1, "157.55.0.0/16");
        b.add(IpAddress.parse("157.55.39.0").hi(), IpAddress.parse("157.55.39.0").lo(), 24, false, facts, 0);
        b.add(IpAddress.parse("157.55.40.0").hi(), IpAddress.parse("157.55.40.0").lo(), 24, false, facts, 0);
        RangeIndex index = b.build();
        assertThat(at(index, "157.55.39.5").crawler).isEqualTo(bot);
        assertThat(at(index, "157.55.39.5").hostingProvider).isEqualTo("microsoft");
        assertThat(at(index, "157.55.39.5")).isSameAs(at(index, "157.55.40.5"));
        assertThat(at(index, "157.55.41.5").crawler).isNull();
        assertThat(index.distinctFacts()).isEqualTo(3); // empty, microsoft, microsoft+bingbot
    }

    /** The sweep against a brute-force scan of every prefix, on random overlapping lists. */
    @Test
    void lookup_randomOverlappingLists_matchesBruteForce() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int round = 0; round < 20; round++) {
            boolean v6 = round % 2 == 1;
            List<Object[]> entries = new java.util.ArrayList<>(); // {Cidr, provider or null, rank}
            RangeIndex.Builder b = new RangeIndex.Builder();
            for (int k = 0; k < 60; k++) {
                int len = 1 + random.nextInt(v6 ? 24 : 20);
                IpAddress base = v6 ? IpAddress.ofV6(0x2001_0db8_0000_0000L | ((long) random.nextInt(64) << 24), 0)
                        : IpAddress.ofV4(0x0A00_0000 | random.nextInt(1 << 12) << 12);
                Cidr cidr = Cidr.of(base, v6 ? 32 + len : 4 + len);
                String provider = random.nextBoolean() ? "p" + random.nextInt(4) : null;
                int rank = random.nextInt(4);
                entries.add(new Object[] {cidr, provider, rank});
                Prefixes p = new Prefixes();
                p.add(cidr);
                b.add(p, Facts.of(Kind.HOSTING, provider, "embedded:" + provider, false), Facts.EMPTY, rank);
            }
            RangeIndex index = b.build();
            for (int probe = 0; probe < 2000; probe++) {
                Object[] e = entries.get(random.nextInt(entries.size()));
                Cidr c = (Cidr) e[0];
                IpAddress ip = v6 ? IpAddress.ofV6(c.network().hi() | (random.nextLong() >>> (c.prefixLength())), random.nextLong())
                        : IpAddress.ofV4(c.network().v4() | (random.nextInt() >>> c.prefixLength()));
                boolean hosting = false;
                String best = null;
                int bestLen = -1;
                int bestRank = Integer.MAX_VALUE;
                for (Object[] other : entries) {
                    Cidr oc = (Cidr) other[0];
                    if (!oc.contains(ip)) {
                        continue;
                    }
                    hosting = true;
                    int rank = (Integer) other[2]; // equal rank and length: the later list wins, as in the index
                    if (other[1] != null && (oc.prefixLength() > bestLen || (oc.prefixLength() == bestLen && rank <= bestRank))) {
                        best = (String) other[1];
                        bestLen = oc.prefixLength();
                        bestRank = rank;
                    }
                }
                Facts f = index.lookup(ip);
                assertThat(f.hosting).as(ip.toString()).isEqualTo(hosting);
                assertThat(f.hostingProvider).as(ip.toString()).isEqualTo(best);
            }
        }
    }
}
