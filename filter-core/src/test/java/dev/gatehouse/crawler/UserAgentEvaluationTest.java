package dev.gatehouse.crawler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.crawler.UserAgentClassifier.Classification;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The User-Agent classifier's evaluation on corpora its patterns were not written from (figures in
 * docs/crawlers.md). Run:
 * <pre>{@code mvn -q -o -pl filter-core test -Dtest=UserAgentEvaluationTest -Dsurefire.failIfNoSpecifiedTests=false}</pre>
 * Add {@code -Dgatehouse.ua.browsers=FILE} (one User-Agent per line, {@code .gz} allowed) to measure
 * false positives on a browser corpus of your own, {@code -Dgatehouse.ua.bots=FILE} for recall on bots.
 *
 * <ul>
 *   <li><b>Bots, held out by vendor.</b> The crawler-user-agents.json entries are split into 10 folds by
 *       vendor (the host of the entry's {@code url}, else its pattern). Each fold's instances are classified
 *       by a classifier without that fold's patterns and without every catalog.yaml crawler whose token
 *       occurs in them: a vendor's patterns never score its own instances.</li>
 *   <li><b>Browsers.</b> The distinct User-Agents of the npm package {@code user-agents} 2.1.198 (real
 *       traffic, BSD-2-Clause, Copyright Intoli LLC; bundled as a test resource with its licence), and two
 *       lists written for this project (in-app and desktop-shell browsers; the classic browsers list).</li>
 * </ul>
 */
class UserAgentEvaluationTest {

    private static final int FOLDS = 10;

    record Rate(int hits, int total) {
        double ratio() {
            return total == 0 ? 0 : (double) hits / total;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d/%d = %.4f", hits, total, ratio());
        }
    }

    @Test
    void heldOutBots_recall() {
        Map<String, Rate> byConfig = new LinkedHashMap<>();
        Map<String, Integer> byTier = new TreeMap<>();
        List<String> missed = new ArrayList<>();
        byConfig.put("all tiers", heldOutRecall(true, true, byTier, missed));
        byConfig.put("without isbot", heldOutRecall(true, false, null, null));
        byConfig.put("named tiers only", heldOutRecall(false, false, null, null));
        byConfig.forEach((k, v) -> System.out.println("UA eval: held-out bot recall (" + k + "): " + v));
        System.out.println("UA eval: deciding tier on held-out bots: " + byTier);
        missed.stream().limit(40).forEach(m -> System.out.println("UA eval: missed " + m));
        assertThat(byConfig.get("all tiers").ratio()).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void browsers_falsePositiveRate() throws IOException {
        UserAgentClassifier classifier = UserAgentClassifier.builder().cacheSize(0).build();
        Map<String, List<String>> corpora = new LinkedHashMap<>();
        corpora.put("npm user-agents 2.1.198 (independent)", lines("corpus/user-agents-2.1.198.txt.gz"));
        corpora.put("in-app/desktop/TV list (written with the allow-list)", lines("corpus/browsers-apps.txt"));
        corpora.put("classic browsers list", lines("browsers.txt"));
        String extra = System.getProperty("gatehouse.ua.browsers");
        if (extra != null && !extra.isBlank()) {
            corpora.put(extra, lines(Path.of(extra)));
        }
        int flaggedIndependent = 0;
        for (Map.Entry<String, List<String>> c : corpora.entrySet()) {
            List<String> flagged = new ArrayList<>();
            for (String ua : c.getValue()) {
                Classification r = classifier.explain(ua);
                if (r.claim() != null) {
                    flagged.add(r.claim().name() + "/" + r.claim().category() + " by " + r.decidedBy() + " :: " + ua);
                }
            }
            System.out.println("UA eval: browser false positives, " + c.getKey() + ": " + new Rate(flagged.size(), c.getValue().size()));
            flagged.stream().limit(20).forEach(f -> System.out.println("UA eval:   flagged " + f));
            if (c.getKey().contains("independent")) {
                flaggedIndependent = flagged.size();
            }
            assertThat(flagged).as(c.getKey()).hasSizeLessThanOrEqualTo(c.getValue().size() / 500); // <= 0.2 %
        }
        assertThat(flaggedIndependent).isZero();
    }

    @Test
    void extraBotCorpus_recall() throws IOException {
        String extra = System.getProperty("gatehouse.ua.bots");
        if (extra == null || extra.isBlank()) {
            return; // optional corpus; nothing to measure
        }
        UserAgentClassifier classifier = UserAgentClassifier.builder().cacheSize(0).build();
        List<String> bots = lines(Path.of(extra));
        int hits = 0;
        for (String ua : bots) {
            Classification r = classifier.explain(ua);
            if (r.claim() != null) {
                hits++;
            } else {
                System.out.println("UA eval: missed " + ua);
            }
        }
        System.out.println("UA eval: recall on " + extra + ": " + new Rate(hits, bots.size()));
    }

    /** Recall over all folds; {@code byTier} and {@code missed} collect details when not null. */
    private static Rate heldOutRecall(boolean automation, boolean isbot, Map<String, Integer> byTier, List<String> missed) {
        JsonNode entries = CatalogData.readUserAgentPatterns();
        Map<String, CatalogData.Definition> definitions = CatalogData.loadDefinitions();
        int hits = 0;
        int total = 0;
        for (int fold = 0; fold < FOLDS; fold++) {
            List<Integer> inFold = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) {
                if (Math.floorMod(vendor(entries.get(i)).hashCode(), FOLDS) == fold) {
                    inFold.add(i);
                }
            }
            List<String> instances = new ArrayList<>();
            for (int i : inFold) {
                entries.get(i).path("instances").forEach(n -> instances.add(n.asText()));
            }
            Map<String, CatalogData.Definition> kept = new LinkedHashMap<>();
            definitions.forEach((name, d) -> {
                boolean named = d.tokens().stream().map(t -> t.toLowerCase(Locale.ROOT))
                        .anyMatch(t -> instances.stream().anyMatch(u -> u.toLowerCase(Locale.ROOT).contains(t)));
                if (!named) {
                    kept.put(name, d);
                }
            });
            UserAgentClassifier classifier = UserAgentClassifier.builder().cacheSize(0).definitions(kept)
                    .excludePatterns(inFold::contains).tiers(true, automation, isbot).build();
            for (String ua : instances) {
                total++;
                Classification r = classifier.explain(ua);
                if (r.claim() != null) {
                    hits++;
                    if (byTier != null) {
                        byTier.merge(r.decidedBy().substring(0, r.decidedBy().indexOf(':')), 1, Integer::sum);
                    }
                } else if (missed != null) {
                    missed.add((r.decidedBy() == null ? "" : "[" + r.decidedBy() + "] ") + ua);
                }
            }
        }
        return new Rate(hits, total);
    }

    /** The vendor of a crawler-user-agents entry: the registrable part of its url's host, else its pattern. */
    static String vendor(JsonNode entry) {
        String url = entry.path("url").asText("");
        try {
            String host = url.isEmpty() ? null : URI.create(url.strip()).getHost();
            if (host != null) {
                String[] labels = host.toLowerCase(Locale.ROOT).split("\\.");
                return labels.length >= 2 ? labels[labels.length - 2] + "." + labels[labels.length - 1] : host;
            }
        } catch (IllegalArgumentException e) {
            // fall through to the pattern
        }
        return entry.path("pattern").asText().toLowerCase(Locale.ROOT);
    }

    private static List<String> lines(String resource) throws IOException {
        InputStream in = UserAgentEvaluationTest.class.getResourceAsStream(resource);
        assertThat(in).as(resource).isNotNull();
        return lines(resource.endsWith(".gz") ? new GZIPInputStream(in) : in);
    }

    private static List<String> lines(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        return lines(file.toString().endsWith(".gz") ? new GZIPInputStream(in) : in);
    }

    private static List<String> lines(InputStream in) throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return r.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        }
    }
}
