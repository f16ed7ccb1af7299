package dev.gatehouse.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IpAddressTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0.0.0.0|0.0.0.0|4",
            "255.255.255.255|255.255.255.255|4",
            "192.0.2.1|192.0.2.1|4",
            "10.0.0.0|10.0.0.0|4",
            "::|::|6",
            "::1|::1|6",
            "1::|1::|6",
            "2001:DB8::1|2001:db8::1|6",
            "2001:0db8:0000:0000:0000:0000:0000:0001|2001:db8::1|6",
            "2001:db8:0:0:1:0:0:1|2001:db8::1:0:0:1|6",
            "2001:db8:0:1:1:1:1:1|2001:db8:0:1:1:1:1:1|6",
            "1:2:3:4:5:6:7::|1:2:3:4:5:6:7:0|6",
            "::2:3:4:5:6:7:8|0:2:3:4:5:6:7:8|6",
            "fe80::1|fe80::1|6",
            "::ffff:192.0.2.1|192.0.2.1|4",
            "::FFFF:c000:0201|192.0.2.1|4",
            "0:0:0:0:0:ffff:192.0.2.1|192.0.2.1|4",
            "0000:0000:0000:0000:0000:ffff:255.255.255.255|255.255.255.255|4",
            "::192.0.2.1|::c000:201|6",
            "64:ff9b::192.0.2.33|64:ff9b::c000:221|6",
            "1:2:3:4:5:6:1.2.3.4|1:2:3:4:5:6:102:304|6",
    })
    void parse_validLiteral_givesCanonicalText(String text, String canonical, int version) {
        IpAddress a = IpAddress.parse(text);
        assertThat(a.toString()).isEqualTo(canonical);
        assertThat(a.version()).isEqualTo(version);
        assertThat(IpAddress.parse(a.toString())).isEqualTo(a);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", " ", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4\n", "\t::1", "1.2.3.4\u0000",
            "localhost", "example.com", "a.b.c.d", "1.2.3", "1.2.3.4.5", "1.2.3.", ".1.2.3", "1..2.3",
            "256.1.1.1", "1.2.3.256", "999.1.1.1", "010.0.0.1", "1.2.3.04", "00.0.0.0", "0x7f.0.0.1", "0x7f000001",
            "2130706433", "017700000001", "1.2.3.0004", "-1.2.3.4", "+1.2.3.4", "1.2.3.4/32", "1.2.3.4:80",
            "１.２.３.４", "1.2.3.٤", "١٢٧.0.0.1", "1.2.3.4\u200b",
            "fe80::1%eth0", "fe80::1%25eth0", "::1%1", "[::1]", "[::1]:80", ":::", "1:::2", "1::2::3", ":1::", "1::2:",
            ":1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::",
            "::1:2:3:4:5:6:7:8", "12345::1", "g::1", "2001:db8::1 ", "2001:db8:: 1", "::ffff:1.2.3", "::ffff:01.2.3.4",
            "::1.2.3.4:1", "1.2.3.4::", "::ffff:256.1.1.1", "1:2:3:4:5:6:7:1.2.3.4", "::1:2:3:4:5:6:1.2.3.4",
            "２００１:db8::1", "2001:db8::ｆ", "0000:0000:0000:0000:0000:ffff:255.255.255.2555",
            "00000000000000000000000000000000000000000000000000000001",
            "http://1.2.3.4", "1.2.3.4#", "unknown", "_hidden", "\"1.2.3.4\"",
    })
    void parse_hostileOrMalformed_isRejectedWithMessage(String text) {
        assertThatThrownBy(() -> IpAddress.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid IP address '");
        assertThat(IpAddress.tryParse(text)).isNull();
    }

    @Test
    void parse_messages_sayWhatIsWrong() {
        assertThatThrownBy(() -> IpAddress.parse("010.0.0.1")).hasMessageContaining("leading zero");
        assertThatThrownBy(() -> IpAddress.parse("fe80::1%eth0")).hasMessageContaining("zone IDs");
        assertThatThrownBy(() -> IpAddress.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> IpAddress.parse("1".repeat(100))).hasMessageContaining("longer than 45");
        assertThatThrownBy(() -> IpAddress.parse("256.0.0.1")).hasMessageContaining("over 255");
        assertThatThrownBy(() -> IpAddress.parse("1.2.3.4\n")).hasMessageContaining("\\u000a");
    }

    @Test
    void parse_hugeInput_messageIsTruncatedAndPrintable() {
        String huge = "\u0007".repeat(10_000);
        assertThatThrownBy(() -> IpAddress.parse(huge)).message().hasSizeLessThan(500).doesNotContain("\u0007");
    }

    @Test
    void tryParse_null_isNull() {
        assertThat(IpAddress.tryParse(null)).isNull();
    }

    @Test
    void ofV6_mappedAddress_isNormalisedToV4() {
        IpAddress mapped = IpAddress.ofV6(0L, 0xFFFF_C000_0201L);
        assertThat(mapped.isV4()).isTrue();
        assertThat(mapped).isEqualTo(IpAddress.parse("192.0.2.1"));
    }

    @Test
    void of_inetAddress_matchesParse() throws Exception {
        // literals only: InetAddress.getByAddress never performs a lookup
        assertThat(IpAddress.of(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1}))).isEqualTo(IpAddress.parse("192.0.2.1"));
        byte[] v6 = IpAddress.parse("2001:db8::7").toBytes();
        assertThat(IpAddress.of(InetAddress.getByAddress(v6))).isEqualTo(IpAddress.parse("2001:db8::7"));
    }

    @Test
    void ofBytes_roundTripsAndRejectsOtherLengths() {
        IpAddress a = IpAddress.parse("2001:db8:1:2:3:4:5:6");
        assertThat(IpAddress.ofBytes(a.toBytes())).isEqualTo(a);
        assertThat(IpAddress.ofBytes(IpAddress.parse("203.0.113.9").toBytes())).hasToString("203.0.113.9");
        assertThatThrownBy(() -> IpAddress.ofBytes(new byte[5])).hasMessageContaining("4 or 16 bytes, not 5");
    }

    @Test
    void bit_countsFromMostSignificant() {
        IpAddress a = IpAddress.parse("128.0.0.1");
        assertThat(a.bit(0)).isEqualTo(1);
        assertThat(a.bit(1)).isZero();
        assertThat(a.bit(31)).isEqualTo(1);
        IpAddress b = IpAddress.parse("8000::1");
        assertThat(b.bit(0)).isEqualTo(1);
        assertThat(b.bit(64)).isZero();
        assertThat(b.bit(127)).isEqualTo(1);
    }

    @Test
    void reverseName_v4AndV6() {
        assertThat(IpAddress.parse("66.249.66.1").reverseName()).isEqualTo("1.66.249.66.in-addr.arpa.");
        assertThat(IpAddress.parse("2001:db8::567:89ab").reverseName())
                .isEqualTo("b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.");
    }

    @Test
    void compareTo_ordersV4BeforeV6ThenUnsigned() {
        assertThat(IpAddress.parse("255.255.255.255")).isLessThan(IpAddress.parse("::"));
        assertThat(IpAddress.parse("1.0.0.0")).isLessThan(IpAddress.parse("200.0.0.0"));
        assertThat(IpAddress.parse("::1")).isLessThan(IpAddress.parse("ffff::"));
    }

    @Test
    void v4_onV6Address_throws() {
        assertThatThrownBy(() -> IpAddress.parse("::1").v4()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void equalsAndHashCode_sameAddressDifferentText() {
        IpAddress a = IpAddress.parse("2001:db8::1");
        IpAddress b = IpAddress.parse("2001:0DB8:0:0::0001");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(IpAddress.parse("0.0.0.1")).isNotEqualTo(IpAddress.parse("::1"));
    }
}
