package dev.gatehouse.engine.embedded;

import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AsnTableTest {

    private static int v4(String ip) {
        return IpAddress.parse(ip).v4();
    }

    @Test
    void lookup_boundariesAndGaps() {
        AsnTable.Builder b = new AsnTable.Builder();
        b.addV4(v4("1.0.0.0"), v4("1.0.0.255"), 13335, "Cloudflare, Inc.");
        b.addV4(v4("200.0.0.0"), v4("255.255.255.255"), 64500, "Top");
        AsnTable t = b.build();
        assertThat(t.lookup(IpAddress.parse("0.255.255.255"))).isNull();
        assertThat(t.lookup(IpAddress.parse("1.0.0.0")).asn()).isEqualTo(13335);
        assertThat(t.lookup(IpAddress.parse("1.0.0.255")).asn()).isEqualTo(13335);
        assertThat(t.lookup(IpAddress.parse("1.0.1.0"))).isNull();
        assertThat(t.lookup(IpAddress.parse("255.255.255.255")).asn()).isEqualTo(64500);
        assertThat(t.lookup(IpAddress.parse("2001:db8::1"))).isNull();
    }

    @Test
    void routeV4_unalignedRange_largestBlockHoldingTheAddress() {
        int start = v4("10.0.0.0");
        int end = v4("10.0.2.255"); // 10.0.0.0/23 + 10.0.2.0/24
        assertThat(AsnTable.routeV4(v4("10.0.1.7"), start, end)).isEqualTo("10.0.0.0/23");
        assertThat(AsnTable.routeV4(v4("10.0.2.7"), start, end)).isEqualTo("10.0.2.0/24");
        assertThat(AsnTable.routeV4(v4("10.0.0.5"), v4("10.0.0.5"), v4("10.0.0.5"))).isEqualTo("10.0.0.5/32");
        assertThat(AsnTable.routeV4(v4("200.1.1.1"), 0, -1)).isEqualTo("0.0.0.0/0");
    }

    @Test
    void routeV6_unalignedRange() {
        IpAddress s = IpAddress.parse("2001:db8::");
        IpAddress e = IpAddress.parse("2001:db8:2:ffff:ffff:ffff:ffff:ffff"); // /47 + /48
        IpAddress a = IpAddress.parse("2001:db8:2::1");
        assertThat(AsnTable.routeV6(a.hi(), a.lo(), s.hi(), s.lo(), e.hi(), e.lo())).isEqualTo("2001:db8:2::/48");
        IpAddress b = IpAddress.parse("2001:db8:1::1");
        assertThat(AsnTable.routeV6(b.hi(), b.lo(), s.hi(), s.lo(), e.hi(), e.lo())).isEqualTo("2001:db8::/47");
    }

    @Test
    void lookup_ipv6RangesAndOverlapRejected() {
        AsnTable.Builder b = new AsnTable.Builder();
        assertThat(b.addV6(IpAddress.parse("2001:200::"), IpAddress.parse("2001:200:1b9:ffff:ffff:ffff:ffff:ffff"), 2500, "WIDE")).isNull();
        assertThat(b.addV6(IpAddress.parse("2001:200:100::"), IpAddress.parse("2001:200:2ff::"), 1, "overlap")).contains("overlaps");
        AsnTable t = b.build();
        AsnTable.Hit hit = t.lookup(IpAddress.parse("2001:200:1b9::5"));
        assertThat(hit.asn()).isEqualTo(2500);
        assertThat(hit.route()).isEqualTo("2001:200:1b8::/47");
        assertThat(t.lookup(IpAddress.parse("2001:200:1ba::5"))).isNull();
    }

    @Test
    void isOneCidr_ipv6() {
        IpAddress a = IpAddress.parse("2001:db8::");
        IpAddress b = IpAddress.parse("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
        IpAddress c = IpAddress.parse("2001:db8:2:ffff:ffff:ffff:ffff:ffff");
        IpAddress d = IpAddress.parse("2001:db8::1");
        assertThat(AsnTable.isOneCidr(a.hi(), a.lo(), b.hi(), b.lo())).isTrue();
        assertThat(AsnTable.isOneCidr(a.hi(), a.lo(), c.hi(), c.lo())).isFalse();
        assertThat(AsnTable.isOneCidr(a.hi(), a.lo(), a.hi(), a.lo())).isTrue();
        assertThat(AsnTable.isOneCidr(d.hi(), d.lo(), d.hi(), d.lo() + 1)).isFalse(); // ::1-::2 is not aligned
        assertThat(AsnTable.isOneCidr(d.hi(), d.lo() + 1, d.hi(), d.lo() + 2)).isTrue(); // ::2-::3 is a /127
    }

    @Test
    void lookup_unalignedRangeAlternatingBlocks_routeCacheNeverStale() {
        AsnTable.Builder b = new AsnTable.Builder();
        b.addV4(v4("10.0.0.0"), v4("10.0.2.255"), 64500, "A");
        b.addV6(IpAddress.parse("2001:db8::"), IpAddress.parse("2001:db8:2:ffff:ffff:ffff:ffff:ffff"), 64501, "B");
        AsnTable t = b.build();
        for (int round = 0; round < 3; round++) {
            assertThat(t.lookup(IpAddress.parse("10.0.1.7")).route()).isEqualTo("10.0.0.0/23");
            assertThat(t.lookup(IpAddress.parse("10.0.0.9")).route()).isEqualTo("10.0.0.0/23");
            assertThat(t.lookup(IpAddress.parse("10.0.2.7")).route()).isEqualTo("10.0.2.0/24");
            assertThat(t.lookup(IpAddress.parse("2001:db8:2::1")).route()).isEqualTo("2001:db8:2::/48");
            assertThat(t.lookup(IpAddress.parse("2001:db8:1::1")).route()).isEqualTo("2001:db8::/47");
        }
    }
}
