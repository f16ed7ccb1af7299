package dev.gatehouse.engine.embedded;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Maintainer tool: parses every bundled range list and writes {@code prefixes.bin.gz}. Run after
 * changing any bundled file (a test fails until you do):
 *
 * <pre>
 * mvn -q -pl filter-core compile
 * java -cp filter-core/target/classes:$(cat benchmarks/target/cp.txt) dev.gatehouse.engine.embedded.PrefixBundleCompiler \
 *      filter-core/src/main/resources/dev/gatehouse/data/prefixes.bin.gz
 * </pre>
 */
final class PrefixBundleCompiler {

    private PrefixBundleCompiler() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: PrefixBundleCompiler OUTPUT.bin.gz");
        }
        Map<String, PrefixBundle.Entry> sets = compile();
        try (OutputStream file = Files.newOutputStream(Path.of(args[0]));
             DataOutputStream out = new DataOutputStream(new GZIPOutputStream(file, 1 << 16))) {
            PrefixBundle.write(out, sets);
        }
        System.out.println("wrote " + sets.size() + " data sets to " + args[0]);
    }

    /** Every bundled range list, parsed from the vendor files. */
    static Map<String, PrefixBundle.Entry> compile() {
        SnapshotLoader loader = new SnapshotLoader(DefaultDataSets.all(), new FeedOpener(null, Map.of(), null, null),
                sink -> { }, Clock.systemUTC());
        Map<String, PrefixBundle.Entry> sets = new LinkedHashMap<>();
        for (DataSet set : DefaultDataSets.all()) {
            if (set.kind() == DataSet.Kind.ASN || set.kind() == DataSet.Kind.COUNTRY || set.kind() == DataSet.Kind.CRAWLER
                    || set.format() == DataSet.Format.ASN_LIST) { // ASN: own bundle; crawlers: read by the catalog
                continue;
            }
            SnapshotLoader.Attempt attempt = loader.parse(set, true);
            if (attempt.failure() != null || !attempt.sink().problems.isEmpty()) {
                throw new IllegalStateException(set.id() + ": " + attempt.failure() + " " + attempt.sink().problems);
            }
            sets.put(set.id(), new PrefixBundle.Entry(attempt.loaded().prefixes(), attempt.loaded().dataAsOf()));
        }
        return sets;
    }
}
