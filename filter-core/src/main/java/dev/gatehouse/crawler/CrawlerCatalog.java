package dev.gatehouse.crawler;

import dev.gatehouse.api.BotCategory;

import dev.gatehouse.net.Cidr;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.net.PrefixMap;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The known crawlers: name, category, vendor, documented reverse-DNS suffixes and published IP ranges,
 * from the bundled {@code dev/gatehouse/data/crawlers/catalog.yaml} and the vendor files it cites
 * (Google's three official lists, Apple, Anthropic, ipverse bot-ip-blocks, lord-alfred ipranges).
 * Immutable and thread-safe.
 *
 * <p>Only <em>authoritative</em> lists count as proof ({@link #byAddress}, {@link #forEachRange},
 * {@link #inPublishedRanges}). Whole-network aggregates (Meta = AS32934, Yandex = AS13238) are kept as a
 * prefilter for {@link CrawlerVerifier}: outside them the claim is false, inside them forward-confirmed
 * reverse DNS still has to decide.
 *
 * <pre>{@code
 * CrawlerCatalog catalog = CrawlerCatalog.loadDefault();
 * catalog.byAddress(IpAddress.parse("66.249.66.1"));        // Optional[Crawler[name=Googlebot, category=search, ...]]
 * catalog.byName("GPTBot").map(Crawler::category);         // Optional[ai]
 * }</pre>
 */
public final class CrawlerCatalog {

    /**
     * One crawler.
     *
     * @param name          the {@code bot_name}, e.g. {@code Googlebot}, {@code GPTBot}
     * @param category      the {@code bot_category}: {@code search}, {@code ai}, {@code user_triggered}, {@code seo},
     *                      {@code monitoring}, {@code social}, {@code other}
     * @param vendor        who runs it, e.g. {@code google}, {@code openai}; crawlers of one vendor may share ranges
     * @param rdnsSuffixes  documented reverse-DNS suffixes (e.g. {@code googlebot.com}); empty when the vendor documents none
     */
    public record Crawler(String name, BotCategory category, String vendor, List<String> rdnsSuffixes) {
        public Crawler {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(category, "category");
            Objects.requireNonNull(vendor, "vendor");
            rdnsSuffixes = List.copyOf(rdnsSuffixes);
        }

        /** Whether the vendor documents a reverse-DNS scheme, so forward-confirmed rDNS can prove this crawler. */
        public boolean hasRdns() {
            return !rdnsSuffixes.isEmpty();
        }
    }

    /** What the published ranges say about one claimed crawler at one address. */
    enum RangeEvidence {
        /** In an authoritative list that proves this crawler. */
        PUBLISHED,
        /** Only in a non-authoritative aggregate of the vendor: rDNS must decide. */
        PREFILTER_ONLY,
        /** The crawler has authoritative lists and the address is in none of them: rDNS may still decide. */
        OUTSIDE,
        /** The crawler has only non-authoritative aggregates and the address is outside them: not the vendor. */
        OUTSIDE_PREFILTER,
        /** The vendor publishes no ranges for this crawler. */
        NO_RANGES
    }

    private static final class Holder {
        static final CrawlerCatalog DEFAULT = new CrawlerCatalog(CatalogData.load());
    }

    private final Map<String, CatalogData.Definition> byName;
    private final Map<String, CatalogData.Definition> byLowerName;
    private final List<CatalogData.RangeList> lists;
    private final Map<String, Set<String>> listsOfCrawler;
    private final PrefixMap<CatalogData.RangeList[]> ranges;
    private final int authoritativePrefixes;

    private CrawlerCatalog(CatalogData data) {
        this.byName = data.definitions();
        Map<String, CatalogData.Definition> lower = new HashMap<>();
        byName.forEach((k, v) -> lower.putIfAbsent(k.toLowerCase(Locale.ROOT), v));
        this.byLowerName = Map.copyOf(lower);
        this.lists = data.lists();
        Map<String, Set<String>> of = new LinkedHashMap<>();
        byName.forEach((k, v) -> of.put(k, Set.copyOf(v.rangeLists())));
        this.listsOfCrawler = Map.copyOf(of);
        PrefixMap.Builder<CatalogData.RangeList[]> b = PrefixMap.builder();
        int count = 0;
        for (CatalogData.RangeList list : lists) {
            for (Cidr cidr : list.prefixes()) {
                b.merge(cidr, new CatalogData.RangeList[] {list}, CrawlerCatalog::concat);
            }
            count += list.authoritative() ? list.prefixes().size() : 0;
        }
        this.ranges = b.build();
        this.authoritativePrefixes = count;
    }

    /** The catalog bundled in the jar; loaded once and shared (it is immutable). */
    public static CrawlerCatalog loadDefault() {
        return Holder.DEFAULT;
    }

    /**
     * Opens a range file by its name relative to the bundled {@code crawlers/} folder (one of
     * {@link #rangeFiles()}, e.g. {@code google/common-crawlers.json}); the caller closes the stream.
     */
    @FunctionalInterface
    public interface RangeFiles {
        InputStream open(String file) throws IOException;
    }

    /**
     * The bundled crawler definitions with every range file read through {@code files}, so ranges can
     * come from an operator's directory or the vendors' URLs (the embedded engine does this on refresh).
     * A file may be in either published format whatever its name: JSON with {@code prefixes}
     * ({@code ipv4Prefix}/{@code ipv6Prefix}, as Google, Bing, OpenAI, Apple publish) or one CIDR per line;
     * ipverse files keep the ipverse schema. Prefixes that do not parse are skipped.
     *
     * @throws UncheckedIOException  when a file cannot be read
     * @throws IllegalStateException when a file lacks a service the catalog names or a list ends up empty
     */
    public static CrawlerCatalog load(RangeFiles files) {
        return new CrawlerCatalog(CatalogData.load(Objects.requireNonNull(files, "files"), false));
    }

    /** The range file names the catalog reads (relative to {@code crawlers/}), e.g. {@code google/common-crawlers.json}. */
    public static List<String> rangeFiles() {
        return CatalogData.rangeFiles();
    }

    /** The crawler whose published (authoritative) ranges contain {@code ip} (most specific prefix), if any. */
    public Optional<Crawler> byAddress(IpAddress ip) {
        List<CatalogData.RangeList[]> matches = ranges.allMatches(ip);
        for (int i = matches.size() - 1; i >= 0; i--) { // most specific prefix last
            for (CatalogData.RangeList list : matches.get(i)) {
                if (list.authoritative()) {
                    return Optional.of(list.crawler());
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Visits every published (authoritative) range with the crawler it reports, so an engine can fold
     * them into its own index. A prefix listed by two lists is visited twice, in catalog order.
     * Non-authoritative aggregates (Meta, Yandex) are not visited: they prove nothing.
     */
    public void forEachRange(BiConsumer<Cidr, Crawler> action) {
        for (CatalogData.RangeList list : lists) {
            if (list.authoritative()) {
                list.prefixes().forEach(cidr -> action.accept(cidr, list.crawler()));
            }
        }
    }

    /** The crawler with this {@code bot_name} (exact, else ignoring case), if known. */
    public Optional<Crawler> byName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        CatalogData.Definition d = byName.get(name);
        if (d == null) {
            d = byLowerName.get(name.toLowerCase(Locale.ROOT));
        }
        return d == null ? Optional.empty() : Optional.of(d.crawler());
    }

    /** Every crawler in the catalog, in catalog order. */
    public List<Crawler> crawlers() {
        return byName.values().stream().map(CatalogData.Definition::crawler).toList();
    }

    /** Whether {@code ip} lies in a published, authoritative range that proves the crawler {@code name}. */
    public boolean inPublishedRanges(String name, IpAddress ip) {
        return byName(name).map(c -> rangeEvidence(c, ip) == RangeEvidence.PUBLISHED).orElse(false);
    }

    /** Number of authoritative prefixes (for reports). */
    public int publishedPrefixCount() {
        return authoritativePrefixes;
    }

    RangeEvidence rangeEvidence(Crawler crawler, IpAddress ip) {
        Set<String> accepted = listsOfCrawler.getOrDefault(crawler.name(), Set.of());
        if (accepted.isEmpty()) {
            return RangeEvidence.NO_RANGES;
        }
        boolean prefilter = false;
        boolean anyAuthoritative = false;
        for (CatalogData.RangeList list : lists) {
            anyAuthoritative |= list.authoritative() && accepted.contains(list.id());
        }
        for (CatalogData.RangeList[] atPrefix : ranges.allMatches(ip)) {
            for (CatalogData.RangeList list : atPrefix) {
                if (accepted.contains(list.id())) {
                    if (list.authoritative()) {
                        return RangeEvidence.PUBLISHED;
                    }
                    prefilter = true;
                }
            }
        }
        if (prefilter) {
            return RangeEvidence.PREFILTER_ONLY;
        }
        return anyAuthoritative ? RangeEvidence.OUTSIDE : RangeEvidence.OUTSIDE_PREFILTER;
    }

    /** The catalog definitions (names, tokens) for the User-Agent classifier. */
    Map<String, CatalogData.Definition> definitions() {
        return byName;
    }

    List<CatalogData.RangeList> rangeLists() {
        return lists;
    }

    private static CatalogData.RangeList[] concat(CatalogData.RangeList[] a, CatalogData.RangeList[] b) {
        List<CatalogData.RangeList> out = new ArrayList<>(Arrays.asList(a));
        for (CatalogData.RangeList l : b) {
            if (out.stream().noneMatch(x -> x == l)) { // identity: records compare whole prefix lists
                out.add(l);
            }
        }
        return out.toArray(new CatalogData.RangeList[0]);
    }
}
