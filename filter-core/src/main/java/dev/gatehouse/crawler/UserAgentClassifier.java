package dev.gatehouse.crawler;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which crawler a User-Agent claims to be. A claim is only a claim: {@link CrawlerVerifier} checks it.
 *
 * <p>Two sources, one pass: the vendor tokens of {@code catalog.yaml} (case-insensitive substrings; the
 * longest token found wins, so {@code Googlebot-Image} beats {@code Googlebot}) take precedence, so names
 * match {@link CrawlerCatalog}; otherwise the 1,500 patterns of crawler-user-agents.json. Neither is
 * run one by one: every vendor token and one required literal per pattern are compiled into a single
 * {@link AhoCorasick} automaton, the User-Agent is scanned once, and only the patterns whose literal
 * occurred are confirmed (most User-Agents confirm none or one). Results are cached by User-Agent
 * string in a bounded Caffeine cache.
 *
 * <p>The {@code ua} command prints {@code bot_name<TAB>bot_category} per line, or {@code -<TAB>-}:
 * <pre>{@code
 * UserAgentClassifier classifier = UserAgentClassifier.loadDefault();
 * classifier.classify("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");
 * // Optional[BotClaim[name=Googlebot, category=search]]
 * classifier.classify("Mozilla/5.0 (Windows NT 10.0; Win64; x64) ... Chrome/131.0.0.0 Safari/537.36");
 * // Optional.empty
 * }</pre>
 */
public final class UserAgentClassifier {

    /** Only this many leading characters are examined; real crawler tokens sit well inside it. */
    static final int MAX_EXAMINED_LENGTH = 2048;

    /** A claimed crawler: its name (e.g. {@code Googlebot}) and category ({@code search}, {@code ai}, …). */
    public record BotClaim(String name, String category) {
        public BotClaim {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(category, "category");
        }
    }

    private static final class Holder {
        static final UserAgentClassifier DEFAULT = builder().build();
    }

    private final AhoCorasick automaton;
    private final BotClaim[] tokenClaims; // key index < tokenClaims.length: a vendor token
    private final int[] tokenLengths;
    private final int[][] patternsOfKey;  // key index - tokenClaims.length -> patterns needing it
    private final UaPattern[] patterns;
    private final Cache<String, Optional<BotClaim>> cache;

    private UserAgentClassifier(Builder b) {
        List<String> keys = new ArrayList<>();
        List<BotClaim> claims = new ArrayList<>();
        for (CatalogData.Definition d : b.definitions.values()) {
            for (String token : d.tokens()) {
                keys.add(token.toLowerCase(Locale.ROOT));
                claims.add(new BotClaim(d.crawler().name(), d.crawler().category()));
            }
        }
        this.tokenClaims = claims.toArray(new BotClaim[0]);
        this.tokenLengths = keys.stream().mapToInt(String::length).toArray();
        List<UaPattern> loaded = new ArrayList<>();
        JsonNode entries = CatalogData.readUserAgentPatterns();
        for (int i = 0; i < entries.size(); i++) {
            UaPattern p = UaPattern.of(i, entries.get(i));
            if (p == null) {
                throw new IllegalStateException("crawler-user-agents pattern without a literal: " + entries.get(i).path("pattern"));
            }
            loaded.add(p);
        }
        this.patterns = loaded.toArray(new UaPattern[0]);
        // one automaton key per distinct literal; a literal may serve several patterns
        Map<String, List<Integer>> byKey = new java.util.LinkedHashMap<>();
        for (UaPattern p : patterns) {
            for (String key : p.keys) {
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(p.index);
            }
        }
        this.patternsOfKey = new int[byKey.size()][];
        int i = 0;
        for (Map.Entry<String, List<Integer>> e : byKey.entrySet()) {
            keys.add(e.getKey());
            patternsOfKey[i++] = e.getValue().stream().mapToInt(Integer::intValue).distinct().toArray();
        }
        this.automaton = new AhoCorasick(keys);
        this.cache = b.cacheSize == 0 ? null : Caffeine.newBuilder().maximumSize(b.cacheSize).build();
    }

    /** The classifier on the data bundled in the jar, with a 10,000-entry cache; loaded once and shared. */
    public static UserAgentClassifier loadDefault() {
        return Holder.DEFAULT;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The crawler {@code userAgent} claims to be, or empty for browsers, empty and {@code null} input.
     * Thread-safe; never throws on any input.
     */
    public Optional<BotClaim> classify(String userAgent) {
        if (userAgent == null || userAgent.isEmpty()) {
            return Optional.empty();
        }
        if (cache == null) {
            return compute(userAgent);
        }
        return cache.get(userAgent, this::compute);
    }

    /** Number of crawler-user-agents patterns loaded. */
    int patternCount() {
        return patterns.length;
    }

    int automatonStates() {
        return automaton.states();
    }

    private Optional<BotClaim> compute(String userAgent) {
        String ua = userAgent.length() > MAX_EXAMINED_LENGTH ? userAgent.substring(0, MAX_EXAMINED_LENGTH) : userAgent;
        Scan scan = new Scan();
        automaton.scan(ua, ua.length(), scan);
        if (scan.bestToken >= 0) {
            return Optional.of(tokenClaims[scan.bestToken]);
        }
        if (scan.candidateCount == 0) {
            return Optional.empty();
        }
        int[] candidates = Arrays.copyOf(scan.candidates, scan.candidateCount);
        Arrays.sort(candidates);
        UaPattern best = null;
        int previous = -1;
        for (int index : candidates) {
            if (index == previous) {
                continue;
            }
            previous = index;
            UaPattern p = patterns[index];
            if ((best == null || p.rank > best.rank) && p.matches(ua)) {
                best = p;
            }
        }
        return best == null ? Optional.empty() : Optional.of(new BotClaim(best.name, best.category));
    }

    /** Collects the automaton's hits for one User-Agent. */
    private final class Scan implements AhoCorasick.Hits {
        int bestToken = -1;
        int[] candidates = new int[4];
        int candidateCount;

        @Override
        public void hit(int key, int end) {
            if (key < tokenClaims.length) {
                if (bestToken < 0 || tokenLengths[key] > tokenLengths[bestToken]) {
                    bestToken = key;
                }
                return;
            }
            for (int p : patternsOfKey[key - tokenClaims.length]) {
                if (candidateCount == candidates.length) {
                    candidates = Arrays.copyOf(candidates, candidateCount * 2);
                }
                candidates[candidateCount++] = p;
            }
        }
    }

    /** Configures a classifier on the bundled data. */
    public static final class Builder {
        private long cacheSize = 10_000;
        private Map<String, CatalogData.Definition> definitions;

        private Builder() {
        }

        /** Maximum User-Agents remembered; 0 disables the cache. Default 10,000. */
        public Builder cacheSize(long cacheSize) {
            if (cacheSize < 0) {
                throw new IllegalArgumentException("cacheSize must be >= 0, not " + cacheSize);
            }
            this.cacheSize = cacheSize;
            return this;
        }

        Builder definitions(Map<String, CatalogData.Definition> definitions) {
            this.definitions = definitions;
            return this;
        }

        public UserAgentClassifier build() {
            if (definitions == null) {
                definitions = CatalogData.loadDefinitions();
            }
            return new UserAgentClassifier(this);
        }
    }
}
