package dev.gatehouse.engine.embedded;

import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.crawler.CrawlerCatalog;
import dev.gatehouse.net.IpAddress;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One immutable generation of the engine's data: the combined range index, the ASN table, and for
 * each data set the last good parsed copy (kept so a failed refresh can reuse it) and how its latest
 * load went. Swapped as a whole; a lookup reads one snapshot reference once.
 */
final class Snapshot {

    /**
     * The last good parsed copy of one data set; {@code raw} holds the file's bytes for crawler range
     * files (the catalog reads them itself) and is {@code null} otherwise.
     */
    record Loaded(DataSet set, Prefixes prefixes, AsnTable asn, Instant dataAsOf, String origin, byte[] raw, CountryTable country,
                  Map<Integer, String> asnLabels) {
        Loaded(DataSet set, Prefixes prefixes, AsnTable asn, Instant dataAsOf, String origin, byte[] raw, CountryTable country) {
            this(set, prefixes, asn, dataAsOf, origin, raw, country, Map.of());
        }

        Loaded(DataSet set, Prefixes prefixes, AsnTable asn, Instant dataAsOf, String origin, byte[] raw) {
            this(set, prefixes, asn, dataAsOf, origin, raw, CountryTable.EMPTY);
        }

        Loaded(DataSet set, Prefixes prefixes, AsnTable asn, Instant dataAsOf, String origin) {
            this(set, prefixes, asn, dataAsOf, origin, null);
        }
    }

    final RangeIndex index;
    final AsnTable asn;
    final Map<String, Loaded> loaded;
    final List<LoadReport> reports;
    final Map<String, String> problems;  // data set id → why its latest load was not used
    final int crawlerRanges;
    final String crawlerProblem;
    final CrawlerCatalog catalog; // built from this snapshot's crawler files; null when the engine was given fixed crawlers
    final String asnSource;
    final CountryTable country;
    final String countrySource;
    final List<Loaded> asnLists; // data sets that apply by AS number (VPN, hosting)

    Snapshot(RangeIndex index, AsnTable asn, Map<String, Loaded> loaded, List<LoadReport> reports,
             Map<String, String> problems, int crawlerRanges, String crawlerProblem, CrawlerCatalog catalog) {
        this.index = index;
        this.asn = asn;
        this.loaded = Map.copyOf(loaded);
        this.reports = List.copyOf(reports);
        this.problems = Map.copyOf(problems);
        this.crawlerRanges = crawlerRanges;
        this.crawlerProblem = crawlerProblem;
        this.catalog = catalog;
        Loaded asnSet = loaded.get("asn");
        this.asnSource = asnSet == null ? "embedded:asn" : asnSet.set().source();
        Loaded countrySet = loaded.get("country");
        this.country = countrySet == null ? CountryTable.EMPTY : countrySet.country();
        this.countrySource = countrySet == null ? "embedded:country" : countrySet.set().source();
        this.asnLists = loaded.values().stream().filter(l -> l.set().format() == DataSet.Format.ASN_LIST).toList();
    }

    /**
     * The AS-number lists, for what the range lists leave open: a VPN operator's network is {@code vpn} (and
     * names the provider when the range lists could not), a datacenter network is {@code hosting} unless the
     * address is already known as VPN. Never over a privacy relay, never over a named provider.
     */
    private void byAsn(int asn, Facts facts, Signals.Builder b) {
        if (facts.relay) {
            return;
        }
        for (Loaded l : asnLists) {
            String label = l.asnLabels().get(asn);
            if (label == null) {
                continue;
            }
            String source = l.set().source();
            String name = label.isEmpty() ? null : label;
            if (l.set().kind() == DataSet.Kind.VPN) {
                if (!facts.vpn) {
                    b.put(Signal.VPN, Boolean.TRUE, source);
                }
                if (facts.vpnProvider == null && b.value(Signal.VPN_PROVIDER) == null) {
                    b.put(Signal.VPN_PROVIDER, name, source);
                }
            } else if (l.set().kind() == DataSet.Kind.HOSTING && !facts.hosting && b.value(Signal.VPN) == null) {
                b.put(Signal.HOSTING, Boolean.TRUE, source);
                b.put(Signal.HOSTING_PROVIDER, name, source);
            }
        }
    }

    /** Writes what the data says about {@code ip} into {@code b}; returns the facts so callers can name the sources. */
    Facts lookup(IpAddress ip, Signals.Builder b) {
        Facts facts = index.lookup(ip);
        facts.applyTo(b);
        if (Boolean.TRUE.equals(facts.bogon)) {
            return facts; // special-use: no list, not even the routing table, speaks for it
        }
        AsnTable.Hit hit = asn.lookup(ip);
        if (hit != null) {
            b.put(Signal.ASN, hit.asn(), asnSource);
            if (!hit.org().isEmpty()) {
                b.put(Signal.AS_ORG, hit.org(), asnSource);
            }
            b.put(Signal.AS_ROUTE, hit.route(), asnSource);
            byAsn(hit.asn(), facts, b);
        }
        b.put(Signal.COUNTRY, country.lookup(ip), countrySource);
        return facts;
    }
}
