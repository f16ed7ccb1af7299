package dev.gatehouse.engine.embedded;

import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Maintainer tool: precompiles the IP-to-country CSVs ({@code @ip-location-db/geo-whois-asn-country},
 * CC0) into the bundled {@code geo/country.bin.gz}. Run after fetching a new release:
 *
 * <pre>
 * npm pack @ip-location-db/geo-whois-asn-country &amp;&amp; tar xzf ip-location-db-geo-whois-asn-country-*.tgz
 * mvn -q -pl filter-core compile
 * java -cp filter-core/target/classes dev.gatehouse.engine.embedded.CountryBundleCompiler \
 *      package/geo-whois-asn-country-ipv4.csv package/geo-whois-asn-country-ipv6.csv \
 *      filter-core/src/main/resources/dev/gatehouse/data/geo/country.bin.gz
 * </pre>
 *
 * Then set the snapshot date in {@code DefaultDataSets} and {@code geo/SOURCES.md}.
 * {@code CountryTableTest} checks the bundle against sample rows of the CSVs.
 */
final class CountryBundleCompiler {

    private CountryBundleCompiler() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: CountryBundleCompiler IPV4.csv[.gz] [IPV6.csv[.gz]] OUTPUT.bin.gz");
        }
        ParseSink sink = new ParseSink();
        for (int i = 0; i < args.length - 1; i++) {
            Path file = Path.of(args[i]);
            try (BufferedReader in = new BufferedReader(new InputStreamReader(FeedOpener.decompress(Files.newInputStream(file)),
                    StandardCharsets.UTF_8), 1 << 16)) {
                CountryCsvParser.parse(in, sink.file(file.getFileName().toString()));
            }
        }
        sink.problems.forEach(p -> System.err.println("skipped " + p));
        try (OutputStream file = Files.newOutputStream(Path.of(args[args.length - 1]));
             DataOutputStream out = new DataOutputStream(new GZIPOutputStream(file, 1 << 16) {
                 {
                     def.setLevel(java.util.zip.Deflater.BEST_COMPRESSION);
                 }
             })) {
            sink.country.build().write(out);
        }
        System.out.println("wrote " + sink.country.size() + " ranges to " + args[args.length - 1]);
    }
}
