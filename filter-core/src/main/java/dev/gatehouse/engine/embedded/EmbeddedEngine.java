package dev.gatehouse.engine.embedded;

import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signals;
import dev.gatehouse.crawler.CrawlerCatalog;
import dev.gatehouse.net.Cidr;
import dev.gatehouse.net.IpAddress;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The offline intelligence engine: everything Gatehouse knows about an address without an account or
 * a network call. Bundled data sets (IANA special-use registries, Tor exits, cloud and hosting ranges,
 * VPN and iCloud Private Relay egress, Spamhaus DROP, IP-to-ASN, crawler ranges) are folded into one
 * compact index per address family; a lookup is two binary searches and never blocks.
 *
 * <pre>{@code
 * EmbeddedEngine engine = EmbeddedEngine.builder()
 *         .dataDirectory(Path.of("/var/lib/gatehouse/data"))        // same layout and formats as the bundle
 *         .url("tor", URI.create("https://check.torproject.org/torbulkexitlist"))
 *         .url("crawlers/google/common-crawlers.json",
 *                 URI.create("https://developers.google.com/static/crawling/ipranges/common-crawlers.json"))
 *         .refreshInterval(Duration.ofHours(1))
 *         .build();
 * Signals s = engine.lookup(IpAddress.parse("8.8.8.8"));   // asn=15169, hosting_provider=google, …
 * }</pre>
 *
 * <p>Refresh builds a new snapshot on a background thread (or the caller of {@link #refresh()}) and
 * swaps it in atomically. A data set that cannot be read or is mostly garbage keeps its last good copy,
 * and the reason shows in {@link #sources()} ({@code SourceStatus.problem}) and {@link #loadReports()}.
 * Data older than its configured maximum age is reported there too.
 */
public final class EmbeddedEngine implements IntelligenceEngine {

    private final SnapshotLoader loader;
    private final Clock clock;
    private final List<DataSet> sets;
    private final ScheduledExecutorService scheduler;
    private final CrawlerCatalog fixedCatalog; // the catalog given to the builder, if any
    private volatile Snapshot snapshot;
    private volatile SourceStatuses statuses;

    private EmbeddedEngine(Builder b, List<DataSet> sets) {
        this.clock = b.clock;
        this.sets = sets;
        FeedOpener opener = new FeedOpener(b.directory, b.urls,
                b.http != null ? b.http : HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                        .connectTimeout(Duration.ofSeconds(10)).build(), b.httpTimeout);
        this.fixedCatalog = b.crawlers;
        Consumer<BiConsumer<Cidr, CrawlerCatalog.Crawler>> crawlerRanges = b.crawlerRanges != null ? b.crawlerRanges
                : b.crawlers != null ? b.crawlers::forEachRange : null;
        this.loader = new SnapshotLoader(sets, opener, crawlerRanges, clock);
        boolean quickStart = b.fetchInBackground && !b.urls.isEmpty();
        this.snapshot = loader.load(null, quickStart);
        this.statuses = SourceStatuses.of(snapshot, sets, clock);
        if (b.meters != null) {
            registerGauges(b.meters);
        }
        if (b.warnStale) {
            warnStale(staleness(), quickStart ? b.urls.keySet() : Set.of(), sets);
        }
        if (b.refreshInterval != null || quickStart) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "gatehouse-embedded-refresh");
                t.setDaemon(true);
                return t;
            });
            if (quickStart) {
                scheduler.execute(this::refreshQuietly); // the first fetch, off the start-up path
            }
            if (b.refreshInterval != null) {
                long millis = b.refreshInterval.toMillis();
                scheduler.scheduleWithFixedDelay(this::refreshQuietly, millis, millis, TimeUnit.MILLISECONDS);
            }
        } else {
            scheduler = null;
        }
    }

    /** Stale sets past which start-up logs one summary line instead of one line each (the bundle ages as a whole). */
    public static final int STALE_LINES_MAX = 3;

    /**
     * Logs the stale data sets at start-up: one line each when there are few, else one summary line, because a
     * bundle that has aged makes dozens of sets stale at once and a wall of warnings hides everything else;
     * {@link #staleness()} and readiness pages still list each set.
     */
    private static void warnStale(List<Staleness> stale, Set<String> fetchedKeys, List<DataSet> sets) {
        if (stale.isEmpty()) {
            return;
        }
        System.Logger log = System.getLogger(EmbeddedEngine.class.getName());
        Predicate<Staleness> fetched = s -> sets.stream().anyMatch(set -> set.id().equals(s.dataSet())
                && set.feeds().stream().anyMatch(f -> fetchedKeys.contains(f.key())));
        if (stale.size() <= STALE_LINES_MAX) {
            stale.forEach(s -> log.log(System.Logger.Level.WARNING, s.warning() + (fetched.test(s) ? "; fetching it now" : "")));
            return;
        }
        Staleness oldest = stale.stream().max(Comparator.comparing(Staleness::age)).orElseThrow();
        long fetching = stale.stream().filter(fetched).count();
        log.log(System.Logger.Level.WARNING, stale.size() + " embedded data sets are stale (the oldest, "
                + oldest.dataSet() + ", has data of " + oldest.dataAsOf().toString().substring(0, 10) + ", "
                + oldest.age().toDays() + " days old)"
                + (fetching > 0 ? "; fetching " + fetching + " of them now" : "; nothing refreshes them (docs/data.md)")
                + "; /readyz lists each: " + stale.stream().map(Staleness::dataSet).collect(Collectors.joining(", ")));
    }

    /**
     * A data set whose data is older than its maximum age.
     *
     * @param dataSet  the data set id, e.g. {@code tor}
     * @param dataAsOf the date of the data served now
     * @param age      how old it is
     * @param maxAge   the age after which it counts as stale
     */
    public record Staleness(String dataSet, Instant dataAsOf, Duration age, Duration maxAge) {
        /** The start-up warning line, e.g. {@code embedded data set tor is stale: data of 2026-08-22 is 100 days old (stale after 3 days)}. */
        public String warning() {
            return "embedded data set " + dataSet + " is stale: data of " + dataAsOf.toString().substring(0, 10) + " is "
                    + age.toDays() + " days old (stale after " + maxAge.toDays() + " days)";
        }
    }

    /**
     * The data sets served now whose data is older than their maximum age (for readiness details, start-up
     * warnings and alerts); empty when everything is fresh.
     */
    public List<Staleness> staleness() {
        Snapshot s = snapshot;
        List<Staleness> out = new ArrayList<>();
        for (DataSet set : sets) {
            Snapshot.Loaded l = s.loaded.get(set.id());
            if (l != null) {
                Duration age = Duration.between(l.dataAsOf(), clock.instant());
                if (age.compareTo(set.maxAge()) > 0) {
                    out.add(new Staleness(set.id(), l.dataAsOf(), age, set.maxAge()));
                }
            }
        }
        return out;
    }

    /** The engine on the data bundled in the jar, with default maximum ages and no refresh. */
    public static EmbeddedEngine loadDefault() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The ids of the bundled data sets, e.g. {@code tor}, {@code aws}, {@code x4bnet-datacenter}, {@code asn}, and
     * one per crawler range file, named by its path under the data directory
     * ({@code crawlers/google/common-crawlers.json}, {@code crawlers/ipverse-crawlers.json}, …).
     */
    public static List<String> dataSetIds() {
        return DefaultDataSets.all().stream().map(DataSet::id).toList();
    }

    /**
     * The keys {@link Builder#url} accepts: one per file ({@code tor}, {@code asn-ipv4}, {@code asn-ipv6}, …;
     * crawler range files by their path, e.g. {@code crawlers/google/common-crawlers.json}).
     */
    public static List<String> feedKeys() {
        return DefaultDataSets.all().stream().flatMap(s -> s.feeds().stream()).map(DataSet.Feed::key).toList();
    }

    /**
     * The crawler catalog whose published ranges this engine serves now: rebuilt from the crawler range
     * files ({@code crawlers/…} data sets) at each load and refresh, so give it to the crawler verifier
     * ({@code CrawlerVerifier.builder().catalogSource(engine::crawlerCatalog)}) and both agree on which
     * address is which crawler. The catalog given to {@link Builder#crawlers} when there is one; the
     * bundled catalog when the engine was built with {@link Builder#crawlerRanges}.
     */
    public CrawlerCatalog crawlerCatalog() {
        if (fixedCatalog != null) {
            return fixedCatalog;
        }
        CrawlerCatalog c = snapshot.catalog;
        return c != null ? c : CrawlerCatalog.loadDefault();
    }

    @Override
    public CompletionStage<Signals> lookup(RequestFacts facts) {
        return CompletableFuture.completedFuture(lookup(facts.clientIp()));
    }

    /** The signals the offline data gives for {@code ip}, with the sources that spoke and their data ages. */
    public Signals lookup(IpAddress ip) {
        Signals.Builder b = Signals.builder(ip);
        Snapshot s = snapshot;
        Facts facts = s.lookup(ip, b);
        statuses(s).addTo(b, facts);
        return b.build();
    }

    @Override
    public String name() {
        return "embedded";
    }

    /** Every data set with the date of its data and, when there is one, what is wrong (load failure, staleness). */
    @Override
    public List<Signals.SourceStatus> sources() {
        return statuses(snapshot).all;
    }

    /** How the latest load or refresh of each data set went: entries, bad lines with file and line, failures. */
    public List<LoadReport> loadReports() {
        return snapshot.reports;
    }

    /**
     * Reloads every data set now, on the calling thread, and swaps the new snapshot in. Data sets that
     * fail keep their previous copy. Returns the new load reports.
     */
    public List<LoadReport> refresh() {
        synchronized (loader) {
            Snapshot next = loader.load(snapshot);
            statuses = SourceStatuses.of(next, sets, clock);
            snapshot = next;
            return next.reports;
        }
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            // The scheduler would stop on an exception; a bug in one refresh must not end all later ones.
            System.getLogger(EmbeddedEngine.class.getName()).log(System.Logger.Level.WARNING, "embedded data refresh failed", e);
        }
    }

    /** Source statuses are recomputed at most once a minute (staleness moves slowly), not per lookup. */
    private SourceStatuses statuses(Snapshot s) {
        SourceStatuses st = statuses;
        if (st.snapshot != s || clock.millis() - st.computedAtMillis > 60_000) {
            st = SourceStatuses.of(s, sets, clock);
            statuses = st;
        }
        return st;
    }

    private void registerGauges(MeterRegistry meters) {
        for (DataSet set : sets) {
            Gauge.builder("gatehouse.engine.data.age", this, e -> {
                        Snapshot.Loaded l = e.snapshot.loaded.get(set.id());
                        return l == null ? Double.NaN : Duration.between(l.dataAsOf(), e.clock.instant()).toSeconds();
                    })
                    .baseUnit("seconds").tag("dataset", set.id())
                    .description("Age of the embedded data set's data").register(meters);
            Gauge.builder("gatehouse.engine.data.bad_lines", this, e -> e.snapshot.reports.stream()
                            .filter(r -> r.dataSet().equals(set.id())).mapToInt(LoadReport::badLines).sum())
                    .tag("dataset", set.id()).description("Bad lines in the latest load of the data set").register(meters);
            Gauge.builder("gatehouse.engine.data.stale", this, e -> {
                        Snapshot.Loaded l = e.snapshot.loaded.get(set.id());
                        return l != null && Duration.between(l.dataAsOf(), e.clock.instant()).compareTo(set.maxAge()) > 0 ? 1 : 0;
                    })
                    .tag("dataset", set.id()).description("1 when the data set's data is older than its maximum age").register(meters);
        }
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    /** Settings for an {@link EmbeddedEngine}; every setter checks its value at once. */
    public static final class Builder {
        private Path directory;
        private final Map<String, URI> urls = new LinkedHashMap<>();
        private final Map<String, Duration> maxAges = new HashMap<>();
        private Set<String> only;
        private final Set<String> excluded = new LinkedHashSet<>();
        private Duration refreshInterval;
        private boolean fetchInBackground;
        private boolean warnStale = true;
        private Duration httpTimeout = Duration.ofSeconds(60);
        private HttpClient http;
        private Clock clock = Clock.systemUTC();
        private CrawlerCatalog crawlers;
        private Consumer<BiConsumer<Cidr, CrawlerCatalog.Crawler>> crawlerRanges;
        private MeterRegistry meters;

        private Builder() {
        }

        /**
         * A directory laid out like the bundle ({@code tor/onionoo-exit-relays.csv},
         * {@code cloud/official/aws-ip-ranges.json}, …; {@code .gz} optional). Files present there
         * replace the bundled ones; absent files fall back to the bundle.
         */
        public Builder dataDirectory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** Fetches the feed {@code key} (see {@link #feedKeys()}) from {@code url}, in the vendor's format, at load and each refresh. */
        public Builder url(String key, URI url) {
            Objects.requireNonNull(url, "url");
            if (!feedKeys().contains(key)) {
                throw new IllegalArgumentException("url: unknown feed '" + key + "'; known feeds: " + feedKeys());
            }
            if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme())) {
                throw new IllegalArgumentException("url for " + key + ": scheme must be http or https, not '" + url + "'");
            }
            urls.put(key, url);
            return this;
        }

        /** {@link #url} for each entry, e.g. {@code urls(PublicFeeds.urls())}. */
        public Builder urls(Map<String, URI> urls) {
            urls.forEach(this::url);
            return this;
        }

        /**
         * Starts on the bundled data and fetches the {@link #url} feeds right after, on the refresh thread,
         * instead of fetching them before {@link #build()} returns (which waits for every URL, up to
         * {@link #httpTimeout}, when offline). Default false.
         */
        public Builder fetchInBackground(boolean value) {
            this.fetchInBackground = value;
            return this;
        }

        /** Logs one warning line per stale data set when the engine is built. Default true. */
        public Builder warnStale(boolean value) {
            this.warnStale = value;
            return this;
        }

        /** Reloads every data set this often, off the request path. Default: never (call {@link #refresh()}). */
        public Builder refreshInterval(Duration interval) {
            if (interval == null || interval.compareTo(Duration.ofSeconds(10)) < 0) {
                throw new IllegalArgumentException("refreshInterval must be at least 10 seconds, not " + interval);
            }
            this.refreshInterval = interval;
            return this;
        }

        /** Reports data set {@code id} as stale once its data is older than {@code age}. */
        public Builder maxAge(String id, Duration age) {
            checkId("maxAge", id);
            if (age == null || age.isNegative() || age.isZero()) {
                throw new IllegalArgumentException("maxAge for " + id + " must be positive, not " + age);
            }
            maxAges.put(id, age);
            return this;
        }

        /** Loads only these data sets (by id, see {@link #dataSetIds()}). */
        public Builder only(String... ids) {
            Set<String> set = new LinkedHashSet<>();
            for (String id : ids) {
                checkId("only", id);
                set.add(id);
            }
            this.only = set;
            return this;
        }

        /** Leaves these data sets out (e.g. {@code x4bnet-datacenter} if its broad ranges hurt your users). */
        public Builder exclude(String... ids) {
            for (String id : ids) {
                checkId("exclude", id);
                excluded.add(id);
            }
            return this;
        }

        /** Timeout of each HTTP fetch of a feed URL. Default 60 s. */
        public Builder httpTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("httpTimeout must be positive, not " + timeout);
            }
            this.httpTimeout = timeout;
            return this;
        }

        /** The HTTP client for feed URLs (proxy, TLS settings). Default: JDK client following redirects, 10 s connect timeout. */
        public Builder httpClient(HttpClient http) {
            this.http = Objects.requireNonNull(http, "httpClient");
            return this;
        }

        /** The clock that dates loads and measures data age. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Fixed crawler ranges to fold into the index, never refreshed (the {@code crawlers/…} data sets
         * are then left out). Default: the bundled catalog rebuilt from the crawler range files, which
         * {@link #dataDirectory} and {@link #url} can replace and {@link #refresh()} reloads.
         */
        public Builder crawlers(CrawlerCatalog crawlers) {
            this.crawlers = Objects.requireNonNull(crawlers, "crawlers");
            return this;
        }

        /**
         * The crawler ranges as a visitor, for catalogs that are not a {@link CrawlerCatalog} (and tests):
         * called at each load with a sink that takes every range with its crawler. The {@code crawlers/…}
         * data sets are then left out.
         */
        public Builder crawlerRanges(Consumer<BiConsumer<Cidr, CrawlerCatalog.Crawler>> ranges) {
            this.crawlerRanges = Objects.requireNonNull(ranges, "crawlerRanges");
            return this;
        }

        /** Registers {@code gatehouse.engine.data.age} and {@code gatehouse.engine.data.bad_lines} gauges per data set. */
        public Builder meterRegistry(MeterRegistry meters) {
            this.meters = Objects.requireNonNull(meters, "meterRegistry");
            return this;
        }

        /** Loads the data (a second or so for the full bundle) and returns the engine. */
        public EmbeddedEngine build() {
            if (crawlers != null && crawlerRanges != null) {
                throw new IllegalStateException("crawlers(...) and crawlerRanges(...) cannot both be set");
            }
            if (only != null && !excluded.isEmpty()) {
                throw new IllegalStateException("only(...) and exclude(...) cannot both be set");
            }
            List<DataSet> sets = new ArrayList<>();
            boolean fixedCrawlers = crawlers != null || crawlerRanges != null;
            for (DataSet set : DefaultDataSets.all()) {
                if (fixedCrawlers && set.kind() == DataSet.Kind.CRAWLER) {
                    continue;
                }
                if ((only == null || only.contains(set.id())) && !excluded.contains(set.id())) {
                    Duration age = maxAges.get(set.id());
                    sets.add(age == null ? set : set.withMaxAge(age));
                }
            }
            return new EmbeddedEngine(this, sets);
        }

        private static void checkId(String setting, String id) {
            if (!dataSetIds().contains(id)) {
                throw new IllegalArgumentException(setting + ": unknown data set '" + id + "'; known: " + dataSetIds());
            }
        }
    }
}
