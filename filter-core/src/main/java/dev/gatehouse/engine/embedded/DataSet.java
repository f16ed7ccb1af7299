package dev.gatehouse.engine.embedded;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One data set the engine reads: what it says about an address ({@link Kind}), the provider label it
 * reports (for example {@code aws} for {@code hosting_provider}), its files ({@link Feed}s, each
 * replaceable by an operator's file or URL), how authoritative it is against other lists naming the
 * same prefix ({@code rank}, lower wins), the bundled snapshot's date and when it counts as stale.
 */
record DataSet(String id, Kind kind, String label, int rank, Format format, List<Feed> feeds, Instant bundledAsOf,
               Duration maxAge) {

    /** The signal family a data set feeds. */
    enum Kind {
        BOGON, TOR, HOSTING, PROXY, VPN, RELAY, ATTACKER, ASN,
        /** IP-to-country ranges ({@link CountryTable}), not a prefix list. */
        COUNTRY,
        /** A crawler range file: kept as bytes for the {@code CrawlerCatalog}, not folded in directly. */
        CRAWLER
    }

    /** The file format, which picks the parser. */
    enum Format {
        IANA_CSV, TOR, CIDR_LINES, SPAMHAUS_DROP, ASN_CSV,
        /** {@code start,end,CC} rows ({@code @ip-location-db/*-country} layout). */
        COUNTRY_CSV,
        /** {@code AS<number> # comment} lines (X4BNet {@code ASN.txt}): the data set's kind applies to those networks. */
        ASN_LIST,
        /** A crawler range file: vendor JSON ({@code prefixes}, ipverse {@code ipv4}/{@code ipv6}) or CIDR lines, told apart by content. */
        CRAWLER_RANGES,
        AWS, GOOGLE, ORACLE, ATLASSIAN, BUNNY, CDN77, FASTLY, IMPERVA, ZSCALER, ASN_PREFIXES;

        /** The JSON layout for the vendor formats, {@code null} for the others. */
        VendorJsonParser.Shape shape() {
            return ordinal() >= AWS.ordinal() ? VendorJsonParser.Shape.valueOf(name()) : null;
        }
    }

    /**
     * One file of a data set.
     *
     * @param key  the name operators use to give a URL for it (the data set id, or {@code id-ipv4}/{@code id-ipv6})
     * @param path the path under the data directory (and the bundled resources), without {@code .gz}
     */
    record Feed(String key, String path) {}

    DataSet {
        Objects.requireNonNull(id, "id");
        feeds = List.copyOf(feeds);
    }

    /** The source name signals carry, e.g. {@code embedded:tor}. */
    String source() {
        return "embedded:" + id;
    }

    DataSet withMaxAge(Duration age) {
        return new DataSet(id, kind, label, rank, format, feeds, bundledAsOf, age);
    }
}
