package dev.gatehouse.engine.embedded;

import dev.gatehouse.crawler.CrawlerCatalog;
import dev.gatehouse.engine.embedded.DataSet.Kind;
import dev.gatehouse.net.Cidr;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Builds a {@link Snapshot}: reads every data set (operator URL or directory first, bundled copy
 * otherwise), validates it, and folds the good ones with the crawler ranges into one index. A data set
 * that fails keeps its copy from the previous snapshot; on the first load it falls back to the bundled
 * copy. Runs off the request path; never throws for bad data.
 */
final class SnapshotLoader {

    /** Special-use space that the IANA registries do not list but that is never a client address. */
    private static final List<String> EXTRA_BOGONS = List.of(
            "224.0.0.0/4",   // IPv4 multicast, RFC 5771
            "::/3", "4000::/2", "8000::/1");  // outside 2000::/3 global unicast (RFC 4291); ff00::/8 multicast included

    private final List<DataSet> sets;
    private final FeedOpener opener;
    private final Consumer<BiConsumer<Cidr, CrawlerCatalog.Crawler>> fixedCrawlers; // null: catalog from the crawler data sets
    private final Clock clock;
    private volatile Map<String, PrefixBundle.Entry> precompiled; // read once: the bundle never changes

    /**
     * @param fixedCrawlers the crawler ranges to fold in at every load, or {@code null} to build a
     *                      {@link CrawlerCatalog} from the crawler range files among {@code sets} (absent
     *                      ones from the bundle), so they refresh like any other data set
     */
    SnapshotLoader(List<DataSet> sets, FeedOpener opener, Consumer<BiConsumer<Cidr, CrawlerCatalog.Crawler>> fixedCrawlers,
                   Clock clock) {
        this.sets = List.copyOf(sets);
        this.opener = opener;
        this.fixedCrawlers = fixedCrawlers;
        this.clock = clock;
    }

    Snapshot load(Snapshot previous) {
        return load(previous, false);
    }

    /** As {@link #load(Snapshot)}; {@code bundledOnly} reads only the bundle (a quick start before the first fetch). */
    Snapshot load(Snapshot previous, boolean bundledOnly) {
        Map<String, Snapshot.Loaded> loaded = new LinkedHashMap<>();
        Map<String, String> problems = new HashMap<>();
        List<LoadReport> reports = new ArrayList<>();
        List<Attempt> attempts = readAll(bundledOnly);
        for (int i = 0; i < sets.size(); i++) {
            DataSet set = sets.get(i);
            Attempt attempt = attempts.get(i);
            Snapshot.Loaded kept = previous == null ? null : previous.loaded.get(set.id());
            String truncated = attempt.failure == null ? looksTruncated(attempt, kept) : null;
            if (truncated != null) {
                attempt = new Attempt(set, null, attempt.sink, attempt.origin, attempt.asOf, truncated, attempt.entries);
            }
            if (attempt.failure == null) {
                loaded.put(set.id(), attempt.loaded);
                reports.add(attempt.report(null));
                continue;
            }
            if (kept == null && opener != null && hasOverride(set)) {
                Attempt bundled = read(set, true);
                if (bundled.failure == null) {
                    kept = bundled.loaded;
                }
            }
            String why = attempt.failure + (kept == null ? "; no data for this set"
                    : "; still serving data of " + kept.dataAsOf() + " from " + kept.origin());
            reports.add(attempt.report(why));
            problems.put(set.id(), why);
            if (kept != null) {
                loaded.put(set.id(), kept);
            }
        }
        return build(loaded, reports, problems, previous);
    }

    /**
     * Why a refresh that parsed looks like a copy caught half-written, or {@code null}: it holds fewer
     * than half the entries of the data it would replace <em>and</em> has a bad line (a half-written
     * file ends inside a line). Installing it would silently drop most of the set — Tor exits no longer
     * blocked until the next refresh — so the last good data keeps serving. A set that really shrank
     * parses cleanly and is installed; so is a clean cut at a line end, which only write-then-rename
     * prevents (see {@code docs/data.md}).
     */
    static String looksTruncated(Attempt attempt, Snapshot.Loaded before) {
        if (before == null || attempt.sink.badLines == 0) {
            return null;
        }
        long was = size(before);
        long now = size(attempt.loaded);
        if (now * 2 >= was) {
            return null;
        }
        return "looks half-written: " + now + " entries against " + was + " before, and " + attempt.sink.badLines
                + " bad line(s) (first: " + attempt.sink.problems.get(0) + ")";
    }

    private static long size(Snapshot.Loaded l) {
        return (long) l.prefixes().size() + l.asn().size() + l.country().size();
    }

    /**
     * Reads the data sets on a few short-lived threads: the ASN table alone is about half the work, so
     * it runs beside the others instead of after them.
     */
    private List<Attempt> readAll(boolean bundledOnly) {
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        if (threads == 1 || sets.size() == 1) {
            return sets.stream().map(set -> read(set, bundledOnly)).toList();
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "gatehouse-embedded-load");
            t.setDaemon(true);
            return t;
        });
        try {
            List<DataSet> biggestFirst = new ArrayList<>(sets);
            biggestFirst.sort(Comparator.comparing((DataSet s) -> s.kind() != Kind.ASN));
            Map<DataSet, Future<Attempt>> futures = new HashMap<>();
            for (DataSet set : biggestFirst) {
                futures.put(set, pool.submit(() -> read(set, bundledOnly)));
            }
            List<Attempt> out = new ArrayList<>(sets.size());
            for (DataSet set : sets) {
                out.add(await(futures.get(set), set));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private Attempt await(Future<Attempt> future, DataSet set) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Attempt(set, null, new ParseSink(), set.id(), null, "load interrupted", 0);
        } catch (ExecutionException e) {
            return new Attempt(set, null, new ParseSink(), set.id(), null, "load failed: " + e.getCause(), 0);
        }
    }

    private boolean hasOverride(DataSet set) {
        return set.feeds().stream().anyMatch(opener::hasOverride);
    }

    private Snapshot build(Map<String, Snapshot.Loaded> loaded, List<LoadReport> reports, Map<String, String> problems,
                           Snapshot previous) {
        RangeIndex.Builder index = new RangeIndex.Builder();
        AsnTable asn = AsnTable.EMPTY;
        for (Snapshot.Loaded l : loaded.values()) {
            DataSet set = l.set();
            if (set.kind() == Kind.ASN) {
                asn = l.asn();
            } else if (set.kind() != Kind.CRAWLER && set.kind() != Kind.COUNTRY && set.format() != DataSet.Format.ASN_LIST) {
                // country and AS-number lists: read by the Snapshot
                index.add(l.prefixes(), Facts.of(set.kind(), set.label(), set.source(), false),
                        Facts.of(set.kind(), set.label(), set.source(), true), set.rank());
            }
        }
        int[] crawlerRanges = {0};
        String[] crawlerProblem = {null};
        CrawlerCatalog catalog = fixedCrawlers == null ? catalog(loaded, previous, crawlerProblem) : null;
        Consumer<BiConsumer<Cidr, CrawlerCatalog.Crawler>> crawlers = catalog != null ? catalog::forEachRange : fixedCrawlers;
        try {
            Map<CrawlerCatalog.Crawler, Facts> shared = new HashMap<>();
            crawlers.accept((cidr, crawler) -> {
                addCrawler(index, cidr, shared.computeIfAbsent(crawler, Facts::crawler));
                crawlerRanges[0]++;
            });
            if (crawlerRanges[0] == 0) {
                crawlerProblem[0] = "the crawler catalog has no IP ranges";
            }
        } catch (RuntimeException e) {
            crawlerProblem[0] = "crawler catalog failed: " + e;
        }
        return new Snapshot(index.build(), asn, loaded, reports, problems, crawlerRanges[0], crawlerProblem[0], catalog);
    }

    /**
     * The crawler catalog over this load's crawler range files (files not loaded come from the bundle).
     * Files that each look fine may still not make a catalog (an ipverse file without a service the
     * catalog names): then the previous catalog stays, with the files it was built from, and
     * {@code problem[0]} says why.
     */
    private CrawlerCatalog catalog(Map<String, Snapshot.Loaded> loaded, Snapshot previous, String[] problem) {
        if (sets.stream().noneMatch(s -> s.kind() == Kind.CRAWLER)) {
            return CrawlerCatalog.loadDefault();
        }
        try {
            return CrawlerCatalog.load(file -> {
                Snapshot.Loaded l = loaded.get(DefaultDataSets.CRAWLERS + file);
                return l != null ? new ByteArrayInputStream(l.raw()) : FeedOpener.bundled(DefaultDataSets.CRAWLERS + file).stream();
            });
        } catch (RuntimeException e) {
            boolean keep = previous != null && previous.catalog != null;
            for (DataSet set : sets) {
                if (set.kind() == Kind.CRAWLER) {
                    Snapshot.Loaded old = keep ? previous.loaded.get(set.id()) : null;
                    if (old != null) {
                        loaded.put(set.id(), old);
                    } else {
                        loaded.remove(set.id());
                    }
                }
            }
            problem[0] = "crawler ranges not updated: " + e.getMessage()
                    + (keep ? "; still serving the previous ranges" : "; serving the bundled ranges");
            return keep ? previous.catalog : CrawlerCatalog.loadDefault();
        }
    }

    private static void addCrawler(RangeIndex.Builder index, Cidr cidr, Facts facts) {
        index.add(cidr.network().hi(), cidr.network().lo(), cidr.prefixLength(), !cidr.network().isV4(), facts, 0);
    }

    /** Reads one data set; {@code bundledOnly} ignores the operator's URL and directory. */
    Attempt read(DataSet set, boolean bundledOnly) {
        if (bundledOnly || !hasOverride(set)) {
            if (set.kind() == Kind.ASN) {
                return readPrecompiledAsn(set);
            }
            if (set.kind() == Kind.COUNTRY) {
                return readPrecompiledCountry(set);
            }
            PrefixBundle.Entry entry = precompiled().get(set.id());
            if (entry != null) {
                String origin = "bundled:" + PrefixBundle.PATH + ".gz#" + set.id();
                return new Attempt(set, new Snapshot.Loaded(set, entry.prefixes(), AsnTable.EMPTY, entry.dataAsOf(), origin),
                        new ParseSink(), origin, entry.dataAsOf(), null, entry.prefixes().size());
            }
        }
        return parse(set, bundledOnly);
    }

    /** The precompiled bundle; empty when it is missing or unreadable (then the vendor files are parsed). */
    private Map<String, PrefixBundle.Entry> precompiled() {
        Map<String, PrefixBundle.Entry> map = precompiled;
        if (map == null) {
            try (DataInputStream in = new DataInputStream(FeedOpener.bundled(PrefixBundle.PATH).stream())) {
                map = PrefixBundle.read(in);
            } catch (IOException | RuntimeException e) {
                map = Map.of();
            }
            precompiled = map;
        }
        return map;
    }

    /** Reads one data set by parsing its files (operator's or bundled), never the precompiled bundle. */
    Attempt parse(DataSet set, boolean bundledOnly) {
        ParseSink sink = new ParseSink();
        List<String> origins = new ArrayList<>();
        Instant modified = null;
        boolean bundled = true;
        String failure = null;
        byte[] raw = null;
        for (DataSet.Feed feed : set.feeds()) {
            String origin = feed.key();
            try {
                FeedOpener.Opened opened = opener.open(feed, bundledOnly);
                origin = opened.origin();
                origins.add(origin);
                bundled &= opened.bundled();
                if (opened.modified() != null && (modified == null || opened.modified().isAfter(modified))) {
                    modified = opened.modified();
                }
                InputStream stream = opened.stream();
                if (set.kind() == Kind.CRAWLER) { // small files, kept whole for the crawler catalog
                    try (InputStream s = stream) {
                        raw = s.readAllBytes();
                    }
                    stream = new ByteArrayInputStream(raw);
                }
                try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8), 1 << 16)) {
                    parse(set.format(), in, sink.file(origin));
                }
            } catch (IOException | RuntimeException e) {
                failure = "cannot read " + origin + ": " + e.getMessage();
                break;
            }
        }
        if (failure == null) {
            int entries = sink.entries();
            if (entries == 0) {
                failure = "no entries read" + (sink.problems.isEmpty() ? "" : " (" + sink.problems.get(0) + ")");
            } else if (sink.badLines > entries) {
                failure = sink.badLines + " bad lines against " + entries + " good ones (first: " + sink.problems.get(0) + ")";
            }
        }
        if (failure == null && set.kind() == Kind.BOGON) {
            EXTRA_BOGONS.forEach(cidr -> sink.prefix(cidr, 0));
        }
        Instant asOf = sink.dataAsOf != null ? sink.dataAsOf
                : bundled ? set.bundledAsOf() : modified != null ? modified : clock.instant();
        Snapshot.Loaded loaded = failure != null ? null
                : new Snapshot.Loaded(set, sink.prefixes.compact(), set.kind() == Kind.ASN ? sink.asn.build() : AsnTable.EMPTY,
                asOf, String.join(" + ", origins), raw, set.kind() == Kind.COUNTRY ? sink.country.build() : CountryTable.EMPTY,
                Map.copyOf(sink.asnLabels));
        return new Attempt(set, loaded, sink, String.join(" + ", origins), asOf, failure, sink.entries());
    }

    /** The bundled ASN table, precompiled from the CSVs by {@link AsnBundleCompiler}. */
    private Attempt readPrecompiledAsn(DataSet set) {
        ParseSink sink = new ParseSink();
        String origin = "bundled:" + ASN_BUNDLE + ".gz";
        try {
            FeedOpener.Opened opened = FeedOpener.bundled(ASN_BUNDLE);
            origin = opened.origin();
            AsnTable table;
            try (DataInputStream in = new DataInputStream(opened.stream())) {
                table = AsnTable.read(in);
            }
            return new Attempt(set, new Snapshot.Loaded(set, new Prefixes().compact(), table, set.bundledAsOf(), origin),
                    sink, origin, set.bundledAsOf(), null, table.size());
        } catch (IOException | RuntimeException e) {
            return new Attempt(set, null, sink, origin, set.bundledAsOf(), "cannot read " + origin + ": " + e.getMessage(), 0);
        }
    }

    static final String ASN_BUNDLE = "asn/asn.bin";

    /** The bundled country table, precompiled from the CSVs by {@link CountryBundleCompiler}. */
    private Attempt readPrecompiledCountry(DataSet set) {
        ParseSink sink = new ParseSink();
        String origin = "bundled:" + COUNTRY_BUNDLE + ".gz";
        try {
            FeedOpener.Opened opened = FeedOpener.bundled(COUNTRY_BUNDLE);
            origin = opened.origin();
            CountryTable table;
            try (DataInputStream in = new DataInputStream(opened.stream())) {
                table = CountryTable.read(in);
            }
            return new Attempt(set, new Snapshot.Loaded(set, new Prefixes().compact(), AsnTable.EMPTY, set.bundledAsOf(), origin,
                    null, table), sink, origin, set.bundledAsOf(), null, table.size());
        } catch (IOException | RuntimeException e) {
            return new Attempt(set, null, sink, origin, set.bundledAsOf(), "cannot read " + origin + ": " + e.getMessage(), 0);
        }
    }

    static final String COUNTRY_BUNDLE = "geo/country.bin";

    /** Picks the parser for {@code format}. */
    static void parse(DataSet.Format format, BufferedReader in, ParseSink sink) throws IOException {
        switch (format) {
            case IANA_CSV -> IanaRegistryParser.parse(in, sink);
            case TOR -> TorListParser.parse(in, sink);
            case CIDR_LINES -> TextListParser.parse(in, sink);
            case SPAMHAUS_DROP -> SpamhausDropParser.parse(in, sink);
            case ASN_CSV -> AsnCsvParser.parse(in, sink);
            case COUNTRY_CSV -> CountryCsvParser.parse(in, sink);
            case ASN_LIST -> AsnListParser.parse(in, sink, true);
            case CRAWLER_RANGES -> {
                if (startsWithBrace(in)) {
                    VendorJsonParser.parse(in, VendorJsonParser.Shape.CRAWLER, sink);
                } else {
                    TextListParser.parse(in, sink);
                }
            }
            default -> VendorJsonParser.parse(in, format.shape(), sink);
        }
    }

    /** Whether the first character that is not blank (or a byte-order mark) is '{': vendors publish crawler lists as JSON or text. */
    private static boolean startsWithBrace(BufferedReader in) throws IOException {
        in.mark(1 << 12);
        try {
            for (int i = 0, c; i < 1 << 12 && (c = in.read()) >= 0; i++) {
                if (!Character.isWhitespace(c) && c != '\uFEFF') {
                    return c == '{';
                }
            }
            return false;
        } finally {
            in.reset();
        }
    }

    /** The outcome of reading one data set. */
    record Attempt(DataSet set, Snapshot.Loaded loaded, ParseSink sink, String origin, Instant asOf, String failure, int entries) {
        LoadReport report(String why) {
            return new LoadReport(set.id(), origin, entries, sink.badLines, sink.problems, asOf, why);
        }
    }
}
