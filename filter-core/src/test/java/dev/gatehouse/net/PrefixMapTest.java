package dev.gatehouse.net;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PrefixMapTest {

    private static IpAddress ip(String s) {
        return IpAddress.parse(s);
    }

    private static Cidr cidr(String s) {
        return Cidr.parse(s);
    }

    @Test
    void longestMatch_overlappingPrefixes_picksMostSpecific() {
        PrefixMap<String> map = PrefixMap.<String>builder()
                .put(cidr("10.0.0.0/8"), "eight")
                .put(cidr("10.1.0.0/16"), "sixteen")
                .put(cidr("10.1.2.0/24"), "twentyfour")
                .put(cidr("10.1.2.3/32"), "host")
                .build();
        assertThat(map.longestMatch(ip("10.1.2.3"))).isEqualTo("host");
        assertThat(map.longestMatch(ip("10.1.2.4"))).isEqualTo("twentyfour");
        assertThat(map.longestMatch(ip("10.1.3.4"))).isEqualTo("sixteen");
        assertThat(map.longestMatch(ip("10.2.0.0"))).isEqualTo("eight");
        assertThat(map.longestMatch(ip("11.0.0.0"))).isNull();
        assertThat(map.containsAddress(ip("11.0.0.0"))).isFalse();
        assertThat(map.size()).isEqualTo(4);
    }

    @Test
    void longestMatch_zeroPrefix_matchesEverythingOfItsFamilyOnly() {
        PrefixMap<String> map = PrefixMap.<String>builder().put(cidr("0.0.0.0/0"), "any4").build();
        assertThat(map.longestMatch(ip("0.0.0.0"))).isEqualTo("any4");
        assertThat(map.longestMatch(ip("255.255.255.255"))).isEqualTo("any4");
        assertThat(map.longestMatch(ip("::1"))).isNull();
        PrefixMap<String> six = PrefixMap.<String>builder().put(cidr("::/0"), "any6").put(cidr("2001:db8::/32"), "doc").build();
        assertThat(six.longestMatch(ip("2001:db8::1"))).isEqualTo("doc");
        assertThat(six.longestMatch(ip("2001:db9::1"))).isEqualTo("any6");
        assertThat(six.longestMatch(ip("1.2.3.4"))).isNull();
    }

    @Test
    void longestMatch_hostPrefixes_slash32AndSlash128() {
        PrefixMap<Integer> map = PrefixMap.<Integer>builder()
                .put(cidr("255.255.255.255/32"), 1)
                .put(cidr("0.0.0.0/32"), 2)
                .put(cidr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"), 3)
                .put(cidr("::/128"), 4)
                .build();
        assertThat(map.longestMatch(ip("255.255.255.255"))).isEqualTo(1);
        assertThat(map.longestMatch(ip("255.255.255.254"))).isNull();
        assertThat(map.longestMatch(ip("0.0.0.0"))).isEqualTo(2);
        assertThat(map.longestMatch(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))).isEqualTo(3);
        assertThat(map.longestMatch(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"))).isNull();
        assertThat(map.longestMatch(ip("::"))).isEqualTo(4);
        assertThat(map.longestMatch(ip("::1"))).isNull();
    }

    @Test
    void longestMatch_ipv6AcrossTheSixtyFourBitBoundary() {
        PrefixMap<String> map = PrefixMap.<String>builder()
                .put(cidr("2001:db8::/63"), "63")
                .put(cidr("2001:db8::/64"), "64")
                .put(cidr("2001:db8:0:0:8000::/65"), "65")
                .build();
        assertThat(map.longestMatch(ip("2001:db8::8000:0:0:1"))).isEqualTo("65");
        assertThat(map.longestMatch(ip("2001:db8::1"))).isEqualTo("64");
        assertThat(map.longestMatch(ip("2001:db8:0:1::1"))).isEqualTo("63");
        assertThat(map.longestMatch(ip("2001:db8:0:2::1"))).isNull();
    }

    @Test
    void longestMatch_mappedAddress_usesIpv4Table() {
        PrefixMap<String> map = PrefixMap.<String>builder().put(cidr("192.0.2.0/24"), "doc").build();
        assertThat(map.longestMatch(ip("::ffff:192.0.2.10"))).isEqualTo("doc");
    }

    @Test
    void allMatches_shortestFirst() {
        PrefixMap<String> map = PrefixMap.<String>builder()
                .put(cidr("0.0.0.0/0"), "all")
                .put(cidr("10.1.0.0/16"), "b")
                .put(cidr("10.0.0.0/8"), "a")
                .put(cidr("10.1.2.3/32"), "c")
                .build();
        assertThat(map.allMatches(ip("10.1.2.3"))).containsExactly("all", "a", "b", "c");
        assertThat(map.allMatches(ip("10.2.2.3"))).containsExactly("all", "a");
        assertThat(map.allMatches(ip("::1"))).isEmpty();
    }

    @Test
    void forEach_visitsEveryPrefixInAddressOrderIpv4First() {
        PrefixMap<String> map = PrefixMap.<String>builder()
                .put(cidr("2001:db8::/32"), "v6")
                .put(cidr("192.0.2.0/24"), "c")
                .put(cidr("10.0.0.0/8"), "a")
                .put(cidr("10.128.0.0/9"), "b")
                .put(cidr("::/0"), "v6all")
                .put(cidr("255.255.255.255/32"), "d")
                .build();
        List<String> seen = new ArrayList<>();
        map.forEach((c, v) -> seen.add(c + "=" + v));
        assertThat(seen).containsExactly("10.0.0.0/8=a", "10.128.0.0/9=b", "192.0.2.0/24=c", "255.255.255.255/32=d",
                "::/0=v6all", "2001:db8::/32=v6");
    }

    @Test
    void merge_samePrefixTwice_combinesValues() {
        PrefixMap.Builder<String> b = PrefixMap.<String>builder()
                .merge(cidr("10.0.0.0/8"), "x", (o, n) -> o + "+" + n)
                .merge(cidr("10.0.0.0/8"), "y", (o, n) -> o + "+" + n);
        assertThat(b.get(cidr("10.0.0.0/8"))).isEqualTo("x+y");
        assertThat(b.get(cidr("10.0.0.0/9"))).isNull();
        PrefixMap<String> map = b.build();
        assertThat(map.size()).isEqualTo(1);
        assertThat(map.longestMatch(ip("10.9.9.9"))).isEqualTo("x+y");
    }

    @Test
    void build_isUnaffectedByLaterPuts() {
        PrefixMap.Builder<String> b = PrefixMap.<String>builder().put(cidr("10.0.0.0/8"), "a");
        PrefixMap<String> first = b.build();
        b.put(cidr("10.1.0.0/16"), "b").put(cidr("10.0.0.0/8"), "changed");
        assertThat(first.longestMatch(ip("10.1.0.1"))).isEqualTo("a");
        assertThat(first.size()).isEqualTo(1);
        assertThat(b.build().longestMatch(ip("10.1.0.1"))).isEqualTo("b");
    }

    @Test
    void empty_matchesNothing() {
        PrefixMap<String> map = PrefixMap.empty();
        assertThat(map.longestMatch(ip("1.2.3.4"))).isNull();
        assertThat(map.longestMatch(ip("::"))).isNull();
        assertThat(map.size()).isZero();
    }

    @Test
    void longestMatch_manyRandomPrefixes_agreesWithLinearScan() {
        java.util.Random random = new java.util.Random(7);
        PrefixMap.Builder<Cidr> b = PrefixMap.builder();
        List<Cidr> all = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            Cidr c = i % 2 == 0 ? Cidr.of(IpAddress.ofV4(random.nextInt()), random.nextInt(33))
                    : Cidr.of(IpAddress.ofV6(random.nextLong() & 0xFFFF_FF00_0000_0000L, random.nextLong()), random.nextInt(129));
            b.put(c, c);
            all.add(c);
        }
        PrefixMap<Cidr> map = b.build();
        for (int i = 0; i < 5000; i++) {
            IpAddress probe = i % 2 == 0 ? IpAddress.ofV4(random.nextInt() & 0xF0FF_FFFF)
                    : IpAddress.ofV6(random.nextLong() & 0xFFFF_FF00_0000_0000L, random.nextLong());
            Cidr expected = all.stream().filter(c -> c.contains(probe))
                    .max(java.util.Comparator.comparingInt(Cidr::prefixLength)).orElse(null);
            assertThat(map.longestMatch(probe)).as("longest match of %s", probe).isEqualTo(expected);
        }
    }
}
