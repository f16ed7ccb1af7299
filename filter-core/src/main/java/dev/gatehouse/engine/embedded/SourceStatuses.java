package dev.gatehouse.engine.embedded;

import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link Signals.SourceStatus} of every data set for one snapshot, with staleness computed against the
 * clock; recomputed by the engine at most once a minute, not per lookup.
 */
final class SourceStatuses {

    final Snapshot snapshot;
    final long computedAtMillis;
    final List<Signals.SourceStatus> all;
    final Map<String, Signals.SourceStatus> bySource;

    private SourceStatuses(Snapshot snapshot, long at, List<Signals.SourceStatus> all) {
        this.snapshot = snapshot;
        this.computedAtMillis = at;
        this.all = List.copyOf(all);
        Map<String, Signals.SourceStatus> map = new HashMap<>();
        all.forEach(s -> map.put(s.name(), s));
        this.bySource = map;
    }

    static SourceStatuses of(Snapshot snapshot, List<DataSet> sets, Clock clock) {
        List<Signals.SourceStatus> all = new ArrayList<>();
        for (DataSet set : sets) {
            Snapshot.Loaded l = snapshot.loaded.get(set.id());
            List<String> problems = new ArrayList<>();
            String failure = snapshot.problems.get(set.id());
            if (failure != null) {
                problems.add(failure);
            }
            if (l != null) {
                Duration age = Duration.between(l.dataAsOf(), clock.instant());
                if (age.compareTo(set.maxAge()) > 0) {
                    problems.add("stale: data is " + age.toDays() + " days old (warn after " + set.maxAge().toDays() + " days)");
                }
            }
            all.add(new Signals.SourceStatus(set.source(), l == null ? null : l.dataAsOf(),
                    problems.isEmpty() ? null : String.join("; ", problems)));
        }
        all.add(new Signals.SourceStatus(Facts.CRAWLERS_SOURCE, null, snapshot.crawlerProblem));
        return new SourceStatuses(snapshot, clock.millis(), all);
    }

    /** Adds the statuses of the sources that said something about this address. */
    void addTo(Signals.Builder b, Facts f) {
        add(b, f.bogonSource);
        add(b, f.torSource);
        add(b, f.hostingSource);
        add(b, f.vpnSource);
        add(b, f.relaySource);
        add(b, f.proxySource);
        add(b, f.attackerSource);
        if (f.crawler != null) {
            add(b, Facts.CRAWLERS_SOURCE);
        }
        if (b.value(Signal.ASN) != null) {
            add(b, snapshot.asnSource);
        }
        if (b.value(Signal.COUNTRY) != null) {
            add(b, snapshot.countrySource);
        }
    }

    private void add(Signals.Builder b, String source) {
        if (source != null) {
            Signals.SourceStatus st = bySource.get(source);
            if (st != null) {
                b.source(st);
            }
        }
    }
}
