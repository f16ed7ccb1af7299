package dev.gatehouse.engine.embedded;

import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.StringReader;

import static org.assertj.core.api.Assertions.assertThat;

class CountryTableTest {

    private static CountryTable parse(String csv) throws IOException {
        ParseSink sink = new ParseSink();
        CountryCsvParser.parse(new BufferedReader(new StringReader(csv)), sink);
        assertThat(sink.problems).isEmpty();
        return sink.country.build();
    }

    private static String at(CountryTable t, String ip) {
        return t.lookup(IpAddress.parse(ip));
    }

    @Test
    void lookup_rangesGapsAndEdges() throws IOException {
        CountryTable t = parse("""
                1.0.0.0,1.0.0.255,AU
                1.0.1.0,1.0.3.255,CN
                1.0.8.0,1.0.15.255,CN
                2001:200::,2001:200:ffff:ffff:ffff:ffff:ffff:ffff,JP
                2001:218::,2001:218:0:ffff:ffff:ffff:ffff:ffff,US
                """);
        assertThat(at(t, "0.255.255.255")).isNull();
        assertThat(at(t, "1.0.0.0")).isEqualTo("AU");
        assertThat(at(t, "1.0.0.255")).isEqualTo("AU");
        assertThat(at(t, "1.0.1.0")).isEqualTo("CN");
        assertThat(at(t, "1.0.4.0")).isNull();              // a gap between ranges
        assertThat(at(t, "1.0.15.255")).isEqualTo("CN");
        assertThat(at(t, "1.0.16.0")).isNull();             // after the last range
        assertThat(at(t, "2001:200::1")).isEqualTo("JP");
        assertThat(at(t, "2001:201::")).isNull();
        assertThat(at(t, "2001:218::ffff:ffff:ffff:ffff")).isEqualTo("US");
        assertThat(at(t, "2001:218:1::")).isNull();
        assertThat(at(t, "::1")).isNull();
    }

    @Test
    void lookup_nestedRangeOverridesThenEnclosingResumes() throws IOException {
        CountryTable t = parse("""
                5.231.80.0,5.231.80.255,IT
                5.231.80.106,5.231.80.108,BA
                5.231.80.109,5.231.80.255,IT
                """);
        assertThat(at(t, "5.231.80.105")).isEqualTo("IT");
        assertThat(at(t, "5.231.80.107")).isEqualTo("BA");
        assertThat(at(t, "5.231.80.109")).isEqualTo("IT");
    }

    @Test
    void writeRead_roundTrip() throws IOException {
        CountryTable t = parse("""
                1.0.0.0,1.0.0.255,AU
                255.255.255.0,255.255.255.255,ZZ
                2001:200::,2001:200:ffff:ffff:ffff:ffff:ffff:ffff,JP
                2001:218::5,2001:218::9,US
                """);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        t.write(new DataOutputStream(bytes));
        CountryTable back = CountryTable.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        for (String ip : new String[] {"1.0.0.7", "1.0.1.0", "255.255.255.255", "2001:200::1", "2001:218::4", "2001:218::5",
                "2001:218::9", "2001:218::a"}) {
            assertThat(at(back, ip)).as(ip).isEqualTo(at(t, ip));
        }
        assertThat(at(back, "2001:218::7")).isEqualTo("US");
    }

    @Test
    void parse_badRows_reportedWithLine() throws IOException {
        ParseSink sink = new ParseSink();
        CountryCsvParser.parse(new BufferedReader(new StringReader("1.0.0.0,1.0.0.255,AUS\nnot,an,XX\n1.0.0.0\n")), sink);
        assertThat(sink.problems).hasSize(3);
    }
}
