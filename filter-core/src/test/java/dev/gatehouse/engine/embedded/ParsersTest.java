package dev.gatehouse.engine.embedded;

import dev.gatehouse.engine.embedded.DataSet.Format;
import dev.gatehouse.net.Cidr;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every parser on the bundled real files and on broken fixtures. */
class ParsersTest {

    private static final String BROKEN = "/dev/gatehouse/engine/embedded/broken/";

    static ParseSink parseBundled(Format format, String path) throws IOException {
        FeedOpener.Opened opened = FeedOpener.bundled(path);
        ParseSink sink = new ParseSink().file(opened.origin());
        try (BufferedReader in = reader(opened.stream())) {
            SnapshotLoader.parse(format, in, sink);
        }
        return sink;
    }

    static ParseSink parseFixture(Format format, String name) throws IOException {
        ParseSink sink = new ParseSink().file(name);
        try (BufferedReader in = reader(FeedOpener.decompress(ParsersTest.class.getResourceAsStream(BROKEN + name)))) {
            SnapshotLoader.parse(format, in, sink);
        }
        return sink;
    }

    private static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    private static List<String> cidrs(ParseSink sink) {
        List<String> out = new ArrayList<>();
        Prefixes p = sink.prefixes;
        for (int i = 0; i < p.size(); i++) {
            IpAddress a = p.isV6(i) ? IpAddress.ofV6(p.hi(i), p.lo(i)) : IpAddress.ofV4((int) p.lo(i));
            out.add(Cidr.of(a, p.length(i)) + (p.isNegative(i) ? "!" : ""));
        }
        return out;
    }

    static Stream<Arguments> realFiles() {
        return DefaultDataSets.all().stream().filter(set -> set.kind() != DataSet.Kind.ASN && set.kind() != DataSet.Kind.COUNTRY) // ASN, country: precompiled
                .flatMap(set -> set.feeds().stream().map(feed -> Arguments.of(set.format(), feed.path())));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("realFiles")
    void parse_everyBundledFile_entriesAndNoUnexpectedProblems(Format format, String path) throws IOException {
        ParseSink sink = parseBundled(format, path);
        assertThat(sink.entries()).isPositive();
        assertThat(sink.problems).isEmpty();
    }

    @Test
    void cidrLines_junkCommentsAndBadLines_reportedWithLineNumbers() throws IOException {
        ParseSink sink = parseFixture(Format.CIDR_LINES, "cidr-lines.txt");
        assertThat(cidrs(sink)).containsExactly("13.66.139.0/24", "13.66.144.0/24", "157.55.39.0/24", "2001:db8::/32", "1.2.3.4/32");
        assertThat(sink.badLines).isEqualTo(2);
        assertThat(sink.problems).extracting(LoadReport.Problem::line).containsExactly(6, 7);
        assertThat(sink.problems.get(0).toString()).startsWith("cidr-lines.txt:6: invalid CIDR 'not-a-cidr'");
    }

    @Test
    void ianaCsv_footnotesMultiBlockCellsQuotedLineBreaks() throws IOException {
        ParseSink sink = parseFixture(Format.IANA_CSV, "iana-ipv4.csv");
        assertThat(cidrs(sink)).containsExactly("10.0.0.0/8", "192.0.0.0/24", "192.0.0.9/32!", "192.0.0.170/32",
                "192.0.0.171/32", "127.0.0.0/8", "255.255.255.255/32");
        // 300.0.0.0/8 is on line 10: the quoted cell of 255.255.255.255/32 spans lines 8 and 9
        assertThat(sink.problems).extracting(LoadReport.Problem::line).containsExactly(10, 11, 12);
    }

    @Test
    void ianaCsv_realIpv4Registry_26Blocks() throws IOException {
        ParseSink sink = parseBundled(Format.IANA_CSV, "bogons/iana-ipv4-special-registry-1.csv");
        assertThat(cidrs(sink)).contains("255.255.255.255/32", "192.0.0.170/32", "192.0.0.171/32", "192.0.0.9/32!")
                .doesNotContain("192.88.99.0/24", "192.88.99.0/24!");
    }

    @Test
    void torCsv_onionooWithBracketsAndBrokenRows() throws IOException {
        ParseSink sink = parseFixture(Format.TOR, "tor.csv");
        assertThat(cidrs(sink)).containsExactly("204.8.96.141/32", "2620:7:6003::141/128", "2a0b:f4c2::1/128");
        assertThat(sink.problems).extracting(LoadReport.Problem::line).containsExactly(5, 6);
    }

    @Test
    void torPlainList_addressesPerLine() throws IOException {
        ParseSink sink = parseFixture(Format.TOR, "tor-plain.txt");
        assertThat(cidrs(sink)).containsExactly("185.220.101.1/32", "2a0b:f4c2:2::1/128");
        assertThat(sink.problems).extracting(LoadReport.Problem::line).containsExactly(5);
    }

    @Test
    void spamhausDrop_badObjectsReportedMetadataDates() throws IOException {
        ParseSink sink = parseFixture(Format.SPAMHAUS_DROP, "drop.json");
        assertThat(cidrs(sink)).containsExactly("1.10.16.0/20", "1.19.0.0/16");
        assertThat(sink.problems).extracting(LoadReport.Problem::line).containsExactly(3, 4, 5);
        assertThat(sink.dataAsOf).isEqualTo(Instant.ofEpochSecond(1784798042));
    }

    @Test
    void asnCsv_quotedOrgsAndEveryKindOfBadRow() throws IOException {
        ParseSink sink = parseFixture(Format.ASN_CSV, "asn.csv");
        assertThat(sink.asn.size()).isEqualTo(4);
        assertThat(sink.problems).extracting(LoadReport.Problem::line).containsExactly(4, 5, 6, 7, 8, 10);
        AsnTable table = sink.asn.build();
        assertThat(table.lookup(IpAddress.parse("1.0.0.7"))).isEqualTo(new AsnTable.Hit(13335, "Cloudflare, Inc.", "1.0.0.0/24"));
        assertThat(table.lookup(IpAddress.parse("1.0.16.1")).org()).isEqualTo("The \"Quoted\" Org");
        assertThat(table.lookup(IpAddress.parse("2001:200:1b9::1")).asn()).isEqualTo(2500);
    }

    @Test
    void vendorJson_awsBadValuesReportedDateRead() throws IOException {
        ParseSink sink = parseFixture(Format.AWS, "aws.json");
        assertThat(cidrs(sink)).containsExactly("3.5.140.0/22", "2600:1f14::/35");
        assertThat(sink.problems).extracting(LoadReport.Problem::line).containsExactly(6, 7);
        assertThat(sink.dataAsOf).isEqualTo(Instant.parse("2026-08-21T07:37:05Z"));
    }

    @Test
    void vendorJson_asnPrefixesWithNullArray() throws IOException {
        ParseSink sink = parseFixture(Format.ASN_PREFIXES, "asn-prefixes.json");
        assertThat(cidrs(sink)).containsExactly("5.9.0.0/16");
        assertThat(sink.badLines).isEqualTo(1);
    }

    @Test
    void vendorJson_truncatedFile_failsWithLine() {
        assertThatThrownBy(() -> parseFixture(Format.GOOGLE, "truncated-google.json"))
                .isInstanceOf(VendorJsonParser.MalformedDataException.class)
                .hasMessageContaining("truncated-google.json:1: malformed JSON");
    }

    @Test
    void vendorJson_wrongShape_reportsMissingFields() throws IOException {
        ParseSink sink = parseFixture(Format.AWS, "wrong-shape.json");
        assertThat(sink.entries()).isZero();
        assertThat(sink.problems.get(0).message()).contains("not a aws range file");
    }

    @Test
    void vendorJson_realZscaler_rangesAndSvpnIps() throws IOException {
        ParseSink sink = parseBundled(Format.ZSCALER, "cloud/official/zscaler.json");
        assertThat(sink.entries()).isEqualTo(935 + 168);
    }

    @Test
    void parseDate_vendorStyles() {
        assertThat(VendorJsonParser.parseDate("2026-08-21-07-37-05")).isEqualTo(Instant.parse("2026-08-21T07:37:05Z"));
        assertThat(VendorJsonParser.parseDate("2026-08-21T01:05:42.583377")).isEqualTo(Instant.parse("2026-08-21T01:05:42.583377Z"));
        assertThat(VendorJsonParser.parseDate("2026-07-27T14:00:04.173594+00:00")).isEqualTo(Instant.parse("2026-07-27T14:00:04.173594Z"));
        assertThat(VendorJsonParser.parseDate("1784798042")).isEqualTo(Instant.ofEpochSecond(1784798042));
        assertThat(VendorJsonParser.parseDate("yesterday")).isNull();
    }

    @Test
    void clean_removesZeroWidthBomAndComments() {
        assertThat(TextListParser.clean("\uFEFF\u200B 1.2.3.0/24\u00A0 # x")).isEqualTo("1.2.3.0/24");
        assertThat(TextListParser.clean("// only a comment")).isEmpty();
    }

    /** The IPv6 fast path agrees with the strict parser on every IPv6 prefix shape, and leaves odd text to it. */
    @Test
    void prefix_ipv6FastPath_sameAsStrictParse() {
        for (String text : List.of("2600:1f14::/35", "::/0", "::1/128", "::1", "2001:db8::", "fe80::1:2/64", "2001:db8:1:2:3:4:5:6/128",
                "1:2:3:4:5:6:7::/112", "::2:3:4:5:6:7:8", "2001:DB8::/32", "2001:db8::1/33", "2a0b:f4c2:2::1")) {
            ParseSink sink = new ParseSink().file("t");
            sink.prefix(text, 1);
            assertThat(cidrs(sink)).as(text).containsExactly(Cidr.parseLenient(text).toString());
        }
        for (String bad : List.of("2001:db8:::1/32", "2001:db8::1::2", "1:2:3:4:5:6:7:8:9", "2001:db8::/129", "2001:db8::/032",
                "12345::", "2001:db8::g", ":1::", "1::2:", "::ffff:1.2.3.4", "fe80::1%eth0")) {
            ParseSink sink = new ParseSink().file("t");
            sink.prefix(bad, 1);
            assertThat(sink.badLines).as(bad).isEqualTo(1);
        }
    }
}
