package dev.gatehouse.crawler;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.gatehouse.api.BotCategory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * Which crawler or automated client a User-Agent claims to be. A claim is only a claim: {@link CrawlerVerifier}
 * checks it.
 *
 * <p>Tiers, in precedence order (the first that answers decides):
 * <ol>
 *   <li>the vendor tokens of {@code catalog.yaml}, on word boundaries (the longest found wins, so
 *       {@code Googlebot-Image} beats {@code Googlebot}; {@code ChatGPTBot} does not contain {@code GPTBot});
 *       the names match {@link CrawlerCatalog};</li>
 *   <li>the browser allow-list ({@code browser-allowlist.tsv}): in-app browsers, Electron apps, WebViews,
 *       TV and console browsers are browsers, and no further bot pattern is tried;</li>
 *   <li>the 1,500 patterns of crawler-user-agents.json (named crawlers); an entry without a category
 *       ({@code other}, e.g. {@code HeadlessChrome}) yields to the automation list when that matches too;</li>
 *   <li>Gatehouse's automation list ({@code automation.tsv}): client libraries, scripts, headless and driven
 *       browsers, test and monitoring tools ({@link BotCategory#AUTOMATION}) and vulnerability / port
 *       scanners ({@link BotCategory#SCANNER});</li>
 *   <li>the isbot fragments ({@code isbot-patterns.json}): generic bot words, named {@code generic:<word>}.</li>
 * </ol>
 * Nothing is run one by one: every token and one required literal per pattern are compiled into a single
 * {@link AhoCorasick} automaton, the User-Agent is scanned once, and only the patterns whose literal occurred
 * are confirmed with RE2/J (linear time). Results are cached by User-Agent string in a bounded Caffeine cache.
 *
 * <p>The {@code ua} command prints {@code bot_name<TAB>bot_category} per line, or {@code -<TAB>-}:
 * <pre>{@code
 * UserAgentClassifier classifier = UserAgentClassifier.loadDefault();
 * classifier.classify("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");
 * // Optional[BotClaim[name=Googlebot, category=search]]
 * classifier.classify("curl/8.5.0");
 * // Optional[BotClaim[name=curl, category=automation]]
 * classifier.explain("Mozilla/5.0 (Windows NT 10.0; Win64; x64) ... Chrome/131.0.0.0 Electron/33.2.0 Safari/537.36");
 * // Classification[claim=null, decidedBy=browser: \bElectron/\d]
 * }</pre>
 */
public final class UserAgentClassifier {

    /** Only this many leading characters are examined; real crawler tokens sit well inside it. */
    static final int MAX_EXAMINED_LENGTH = 2048;

    /** A claimed crawler or tool: its name (e.g. {@code Googlebot}, {@code curl}) and category. */
    public record BotClaim(String name, BotCategory category) {
        public BotClaim {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(category, "category");
        }
    }

    /**
     * The answer and what decided it.
     *
     * @param claim     the bot claimed, or {@code null} (a browser, or nothing matched)
     * @param decidedBy the deciding token or pattern with its tier (e.g. {@code gatehouse: \bokhttp/\d},
     *                  {@code browser: \bElectron/\d}), or {@code null} when nothing matched
     */
    public record Classification(BotClaim claim, String decidedBy) {
        static final Classification NONE = new Classification(null, null);

        public Optional<BotClaim> bot() {
            return Optional.ofNullable(claim);
        }
    }

    private static final class Holder {
        static final UserAgentClassifier DEFAULT = builder().build();
    }

    private final AhoCorasick automaton;
    private final BotClaim[] tokenClaims; // key index < tokenClaims.length: a vendor token
    private final String[] tokens;
    private final int[][] candidatesOfKey;  // key index - tokenClaims.length -> candidates needing it
    private final UaPattern[] patterns;     // candidates [0, patterns.length)
    private final UaRule[] rules;           // candidates [patterns.length, ...): browser, automation, isbot tiers
    private final UaRule[] structural;      // isbot shapes without a literal: tried on non-Mozilla User-Agents only
    private final Cache<String, Classification> cache;

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
        this.tokens = keys.toArray(new String[0]);
        List<UaPattern> loaded = new ArrayList<>();
        JsonNode entries = CatalogData.readUserAgentPatterns();
        for (int i = 0; i < entries.size(); i++) {
            UaPattern p = UaPattern.of(i, entries.get(i));
            if (p == null) {
                throw new IllegalStateException("crawler-user-agents pattern without a literal: " + entries.get(i).path("pattern"));
            }
            if (!b.excludedPatterns.test(i)) {
                loaded.add(p);
            }
        }
        this.patterns = loaded.toArray(new UaPattern[0]);
        List<UaRule> tiers = new ArrayList<>();
        if (b.browsers) {
            tiers.addAll(UaRule.loadBrowsers());
        }
        if (b.automation) {
            tiers.addAll(UaRule.loadAutomation());
        }
        if (b.isbot) {
            tiers.addAll(UaRule.loadIsbot());
        }
        this.rules = tiers.stream().filter(r -> !r.structural()).toArray(UaRule[]::new);
        this.structural = tiers.stream().filter(UaRule::structural).toArray(UaRule[]::new);
        // one automaton key per distinct literal; a literal may serve several candidates
        Map<String, List<Integer>> byKey = new java.util.LinkedHashMap<>();
        for (int c = 0; c < patterns.length; c++) {
            for (String key : patterns[c].keys) {
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(c);
            }
        }
        for (int r = 0; r < rules.length; r++) {
            for (String key : rules[r].keys) {
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(patterns.length + r);
            }
        }
        this.candidatesOfKey = new int[byKey.size()][];
        int i = 0;
        for (Map.Entry<String, List<Integer>> e : byKey.entrySet()) {
            keys.add(e.getKey());
            candidatesOfKey[i++] = e.getValue().stream().mapToInt(Integer::intValue).distinct().toArray();
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
     * The crawler or tool {@code userAgent} claims to be, or empty for browsers, empty and {@code null} input.
     * Thread-safe; never throws on any input.
     */
    public Optional<BotClaim> classify(String userAgent) {
        return explain(userAgent).bot();
    }

    /** As {@link #classify}, with the token or pattern that decided (for {@code ua --why}). */
    public Classification explain(String userAgent) {
        if (userAgent == null || userAgent.isEmpty()) {
            return Classification.NONE;
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

    /** The browser, automation and isbot rules loaded, in precedence order. */
    List<UaRule> rules() {
        return List.of(rules);
    }

    int automatonStates() {
        return automaton.states();
    }

    private Classification compute(String userAgent) {
        String ua = userAgent.length() > MAX_EXAMINED_LENGTH ? userAgent.substring(0, MAX_EXAMINED_LENGTH) : userAgent;
        Scan scan = new Scan(ua);
        automaton.scan(ua, ua.length(), scan);
        if (scan.bestToken >= 0) {
            return new Classification(tokenClaims[scan.bestToken], "catalog: token " + tokens[scan.bestToken]);
        }
        boolean browserShaped = browserShaped(ua);
        if (scan.candidateCount == 0) {
            return byStructure(ua, browserShaped);
        }
        int[] candidates = Arrays.copyOf(scan.candidates, scan.candidateCount);
        Arrays.sort(candidates); // crawler-user-agents first, then the rules in precedence order
        UaPattern best = null;
        UaRule firstRule = null;
        int previous = -1;
        for (int index : candidates) {
            if (index == previous) {
                continue;
            }
            previous = index;
            if (index >= patterns.length) {
                UaRule r = rules[index - patterns.length];
                if (r.tier == UaRule.Tier.BROWSER) {
                    if (browserShaped && r.matches(ua)) {
                        return new Classification(null, r.why());
                    }
                } else if ((best == null || (best.category == BotCategory.OTHER && r.tier == UaRule.Tier.AUTOMATION))
                        && (firstRule == null || r.tier.ordinal() < firstRule.tier.ordinal()) && r.matches(ua)) {
                    firstRule = r;
                }
                continue;
            }
            UaPattern p = patterns[index];
            if ((best == null || p.rank > best.rank) && p.matches(ua)) {
                best = p;
            }
        }
        if (best != null && (firstRule == null || best.category != BotCategory.OTHER)) {
            // an uncategorised crawler-user-agents entry (other) yields to the automation list, which knows it is a tool
            return new Classification(new BotClaim(best.name, best.category), "crawler-user-agents: " + best.source);
        }
        if (firstRule != null) {
            return new Classification(new BotClaim(firstRule.name, firstRule.category), firstRule.why());
        }
        return byStructure(ua, browserShaped);
    }

    /** A browser's shape: {@code Mozilla/5.0 (} without the {@code compatible;} crawlers put before their name. */
    private static boolean browserShaped(String ua) {
        return ua.startsWith("Mozilla/5.0 (") && !ua.contains("compatible;");
    }

    /** The last resort for a User-Agent no word matched: a bare product token is a script, not a browser. */
    private Classification byStructure(String ua, boolean browserShaped) {
        if (browserShaped) {
            return Classification.NONE;
        }
        for (UaRule r : structural) {
            if (r.matches(ua)) {
                return new Classification(new BotClaim(r.name, r.category), r.why());
            }
        }
        return Classification.NONE;
    }

    /** Whether a catalog token found at {@code [start, end)} stands on word boundaries. */
    private static boolean onWordBoundaries(String ua, int start, int end) {
        return (start == 0 || !Character.isLetterOrDigit(ua.charAt(start - 1)))
                && (end == ua.length() || !Character.isLetter(ua.charAt(end)));
    }

    /** Collects the automaton's hits for one User-Agent. */
    private final class Scan implements AhoCorasick.Hits {
        private final String ua;
        int bestToken = -1;
        int[] candidates = new int[4];
        int candidateCount;

        Scan(String ua) {
            this.ua = ua;
        }

        @Override
        public void hit(int key, int end) {
            if (key < tokenClaims.length) {
                int length = tokens[key].length();
                if ((bestToken < 0 || length > tokens[bestToken].length()) && onWordBoundaries(ua, end - length, end)) {
                    bestToken = key;
                }
                return;
            }
            for (int c : candidatesOfKey[key - tokenClaims.length]) {
                if (candidateCount == candidates.length) {
                    candidates = Arrays.copyOf(candidates, candidateCount * 2);
                }
                candidates[candidateCount++] = c;
            }
        }
    }

    /** Configures a classifier on the bundled data. */
    public static final class Builder {
        private long cacheSize = 10_000;
        private Map<String, CatalogData.Definition> definitions;
        private IntPredicate excludedPatterns = i -> false;
        private boolean browsers = true;
        private boolean automation = true;
        private boolean isbot = true;

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

        /** Leaves out the crawler-user-agents patterns whose index matches (evaluation on held-out vendors). */
        Builder excludePatterns(IntPredicate excluded) {
            this.excludedPatterns = excluded;
            return this;
        }

        /** Which of the later tiers to load (all by default; the evaluation measures each one's share). */
        Builder tiers(boolean browsers, boolean automation, boolean isbot) {
            this.browsers = browsers;
            this.automation = automation;
            this.isbot = isbot;
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
