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
 * Maintainer tool: precompiles the ASN CSVs ({@code @ip-location-db/asn}, kept in the test resources)
 * into the bundled {@code asn/asn.bin.gz}, which the engine loads instead of parsing ~515,000 CSV rows at
 * every start. Run after replacing the CSVs:
 *
 * <pre>
 * mvn -q -pl filter-core compile
 * java -cp filter-core/target/classes dev.gatehouse.engine.embedded.AsnBundleCompiler \
 *      filter-core/src/test/resources/dev/gatehouse/engine/embedded/asn \
 *      filter-core/src/main/resources/dev/gatehouse/data/asn/asn.bin.gz
 * </pre>
 *
 * {@code AsnBundleTest} checks that the binary answers exactly like the CSVs.
 */
final class AsnBundleCompiler {

    private AsnBundleCompiler() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: AsnBundleCompiler CSV_DIRECTORY OUTPUT.bin.gz");
        }
        ParseSink sink = parseCsvs(Path.of(args[0]));
        sink.problems.forEach(p -> System.err.println("skipped " + p));
        try (OutputStream file = Files.newOutputStream(Path.of(args[1]));
             DataOutputStream out = new DataOutputStream(new GZIPOutputStream(file, 1 << 16))) {
            sink.asn.build().write(out);
        }
        System.out.println("wrote " + sink.asn.size() + " ranges to " + args[1]);
    }

    /** {@code asn-ipv4.csv[.gz]} and {@code asn-ipv6.csv[.gz]} of {@code directory}, parsed. */
    static ParseSink parseCsvs(Path directory) throws IOException {
        ParseSink sink = new ParseSink();
        for (String name : new String[] {"asn-ipv4.csv", "asn-ipv6.csv"}) {
            Path file = Files.exists(directory.resolve(name)) ? directory.resolve(name) : directory.resolve(name + ".gz");
            try (BufferedReader in = new BufferedReader(new InputStreamReader(FeedOpener.decompress(Files.newInputStream(file)),
                    StandardCharsets.UTF_8), 1 << 16)) {
                AsnCsvParser.parse(in, sink.file(file.getFileName().toString()));
            }
        }
        return sink;
    }
}
