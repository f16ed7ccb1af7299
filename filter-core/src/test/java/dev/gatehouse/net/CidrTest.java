package dev.gatehouse.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "10.0.0.0/8|10.0.0.0/8",
            "0.0.0.0/0|0.0.0.0/0",
            "192.0.2.1/32|192.0.2.1/32",
            "192.0.2.1|192.0.2.1/32",
            "2001:db8::/32|2001:db8::/32",
            "::/0|::/0",
            "::1/128|::1/128",
            "2001:DB8::1|2001:db8::1/128",
            "::ffff:10.0.0.0/104|10.0.0.0/8",
            "::ffff:0:0/96|0.0.0.0/0",
    })
    void parse_valid(String text, String canonical) {
        assertThat(Cidr.parse(text)).hasToString(canonical);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "10.0.0.1/8|10.0.0.0/8",
            "192.168.1.77/24|192.168.1.0/24",
            "2001:db8::1/32|2001:db8::/32",
            "::ffff:10.0.0.1/104|10.0.0.0/8",
    })
    void parse_hostBitsSet_isRejectedWithDidYouMean(String text, String suggestion) {
        assertThatThrownBy(() -> Cidr.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host bits are set")
                .hasMessageContaining("did you mean " + suggestion + "?");
        assertThat(Cidr.parseLenient(text)).hasToString(suggestion);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/8", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/08", "10.0.0.0/8/8",
            "10.0.0.0/ 8", "10.0.0.0 /8", "10.0.0.0/8 ", "10.0.0.0/a", "10.0.0.0/1000", "10.0.0/8", "example.com/8",
            "fe80::%eth0/64", "::ffff:10.0.0.0/95", "10.0.0.0/８", "010.0.0.0/8"})
    void parse_invalid_isRejected(String text) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("invalid CIDR '");
        assertThatThrownBy(() -> Cidr.parseLenient(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void of_outOfRangeLength_isRejected() {
        assertThatThrownBy(() -> Cidr.of(IpAddress.parse("1.2.3.4"), 33)).hasMessageContaining("outside 0..32");
        assertThatThrownBy(() -> Cidr.of(IpAddress.parse("::"), -1)).hasMessageContaining("outside 0..128");
    }

    @Test
    void contains_addressAndPrefix() {
        Cidr net = Cidr.parse("192.0.2.0/24");
        assertThat(net.contains(IpAddress.parse("192.0.2.255"))).isTrue();
        assertThat(net.contains(IpAddress.parse("192.0.3.0"))).isFalse();
        assertThat(net.contains(IpAddress.parse("::ffff:192.0.2.9"))).isTrue();
        assertThat(net.contains(IpAddress.parse("::c000:209"))).isFalse();
        assertThat(net.contains(Cidr.parse("192.0.2.128/25"))).isTrue();
        assertThat(net.contains(Cidr.parse("192.0.0.0/16"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(IpAddress.parse("255.255.255.255"))).isTrue();
        assertThat(Cidr.parse("0.0.0.0/0").contains(IpAddress.parse("::1"))).isFalse();
        assertThat(Cidr.parse("::/0").contains(IpAddress.parse("ffff:ffff::"))).isTrue();
        assertThat(Cidr.parse("2001:db8::/127").contains(IpAddress.parse("2001:db8::1"))).isTrue();
        assertThat(Cidr.parse("2001:db8::/127").contains(IpAddress.parse("2001:db8::2"))).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "10.0.0.0/8|10.255.255.255",
            "0.0.0.0/0|255.255.255.255",
            "192.0.2.7/32|192.0.2.7",
            "2001:db8::/32|2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
            "2001:db8::/64|2001:db8::ffff:ffff:ffff:ffff",
            "2001:db8::/96|2001:db8::ffff:ffff",
            "::/0|ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "::1/128|::1",
    })
    void last_isTheHighestAddress(String cidr, String last) {
        assertThat(Cidr.parse(cidr).last()).hasToString(last);
    }

    @Test
    void equals_sameNetworkAndLength() {
        assertThat(Cidr.parse("10.0.0.0/8")).isEqualTo(Cidr.parseLenient("10.9.9.9/8")).hasSameHashCodeAs(Cidr.parse("10.0.0.0/8"));
        assertThat(Cidr.parse("10.0.0.0/8")).isNotEqualTo(Cidr.parse("10.0.0.0/9"));
    }
}
