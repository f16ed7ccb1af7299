package dev.gatehouse.crawler;

import com.google.re2j.Pattern;
import dev.gatehouse.api.BotCategory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One entry of the browser allow-list, the automation list or the isbot list: a case-insensitive RE2/J
 * pattern (linear time), the literal keys one of which must occur (for the {@link AhoCorasick} prefilter),
 * and optionally a pattern that vetoes the match (standing in for the look-arounds RE2 does not have).
 */
final class UaRule {

    /** Where a rule comes from; also its precedence after the catalog's vendor tokens. */
    enum Tier {
        BROWSER("browser"), AUTOMATION("gatehouse"), ISBOT("isbot");

        final String label;

        Tier(String label) {
            this.label = label;
        }
    }

    static final String BROWSERS = "/dev/gatehouse/data/useragents/browser-allowlist.tsv";
    static final String AUTOMATION = "/dev/gatehouse/data/useragents/automation.tsv";
    static final String ISBOT = "/dev/gatehouse/data/useragents/isbot-patterns.json";

    /**
     * isbot fragments that use look-arounds, rewritten for RE2: pattern and veto; an empty rewrite drops the
     * fragment (Google's crawlers are named by catalog.yaml; its apps are browsers).
     */
    private static final Map<String, String[]> ISBOT_REWRITES = Map.of(
            "(?:^|[^g])news(?!sapphire)", new String[] {"(?:^|[^g])news", "newssapphire"},
            "(?<! channel/|google/)google(?!(?:wv|app|/google| pixel))", new String[0],
            "(?<! cu)bots?(?:\\b|_)", new String[] {"bots?(?:\\b|_)", " cubot"},
            "(?<!cam)scan", new String[] {"scan", "camscan"},
            "(?<!lib)http", new String[] {"http", "libhttp"},
            "java(?!;)", new String[] {"java", "java;"});

    final Tier tier;
    final String name;
    final BotCategory category; // null for the browser allow-list
    final String source;
    final List<String> keys;    // lower-case; any one of them is required
    private final Pattern regex;
    private final boolean anchored; // every alternative starts with ^: tried at the start only (RE2/J scans otherwise)
    private final String[] prefixes; // anchored: the literal text each alternative starts with (lower-case), checked before RE2/J
    private final Pattern veto;
    private final String vetoText;

    private UaRule(Tier tier, String name, BotCategory category, String source, List<String> keys, String veto) {
        this.tier = tier;
        this.name = name;
        this.category = category;
        this.source = source;
        this.keys = keys;
        // browser tokens are matched in their exact case: without (?i) RE2/J can skip ahead to a literal prefix
        this.regex = tier == Tier.BROWSER ? Pattern.compile(source) : Pattern.compile(source, Pattern.CASE_INSENSITIVE);
        List<String> alternatives = UaPattern.Literals.splitTopLevel(source);
        this.anchored = alternatives.stream().allMatch(alt -> alt.startsWith("^"));
        this.prefixes = anchored ? alternatives.stream().map(UaRule::literalPrefix).toArray(String[]::new) : null;
        this.vetoText = veto;
        this.veto = veto == null ? null : Pattern.compile(Pattern.quote(veto), Pattern.CASE_INSENSITIVE);
    }

    /** The rule, or {@code null} when the pattern has no literal to prefilter on. */
    static UaRule of(Tier tier, String name, BotCategory category, String source, String veto) {
        UaPattern.Literals literals = UaPattern.Literals.of(source);
        if (literals == null) {
            return null;
        }
        List<String> keys = literals.keys.stream().map(k -> k.toLowerCase(Locale.ROOT)).distinct().toList();
        return new UaRule(tier, name, category, source, keys, veto);
    }

    /** Whether this rule is a shape without a useful literal: it is only tried on User-Agents that are not browser-shaped. */
    boolean structural() {
        return keys.isEmpty();
    }

    boolean matches(String userAgent) {
        if (anchored && !startsWithAny(userAgent)) {
            return false;
        }
        com.google.re2j.Matcher m = regex.matcher(userAgent);
        return (anchored ? m.lookingAt() : m.find()) && (veto == null || !veto.matcher(userAgent).find());
    }

    private boolean startsWithAny(String userAgent) {
        for (String p : prefixes) {
            if (userAgent.regionMatches(true, 0, p, 0, p.length())) {
                return true;
            }
        }
        return false;
    }

    /** The plain characters right after the leading {@code ^} (empty when a metacharacter follows at once). */
    static String literalPrefix(String alternative) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i < alternative.length(); i++) {
            char c = alternative.charAt(i);
            if (Character.isLetterOrDigit(c) || c == ' ' || c == '/' || c == '-' || c == '_' || c == ',' || c == ':') {
                if (i + 1 < alternative.length() && "?*{".indexOf(alternative.charAt(i + 1)) >= 0) {
                    break; // an optional character is not required
                }
                b.append(c);
            } else if (c == '\\' && i + 1 < alternative.length() && !Character.isLetterOrDigit(alternative.charAt(i + 1))
                    && !(i + 2 < alternative.length() && "?*{".indexOf(alternative.charAt(i + 2)) >= 0)) {
                b.append(alternative.charAt(++i));
            } else {
                break;
            }
        }
        return b.toString();
    }

    /** What {@code ua --why} prints: the tier and the pattern. */
    String why() {
        return tier.label + ": " + source + (veto == null ? "" : " (unless " + vetoText + ")");
    }

    /** The bundled browser allow-list ({@code name<TAB>pattern} lines). */
    static List<UaRule> loadBrowsers() {
        List<UaRule> rules = new ArrayList<>();
        for (String[] f : tsv(BROWSERS, 2)) {
            rules.add(require(of(Tier.BROWSER, f[0], null, f[1], null), f[1]));
        }
        return rules;
    }

    /** The bundled automation and scanner list ({@code category<TAB>name<TAB>pattern} lines). */
    static List<UaRule> loadAutomation() {
        List<UaRule> rules = new ArrayList<>();
        for (String[] f : tsv(AUTOMATION, 3)) {
            BotCategory category = BotCategory.byId(f[0]);
            if (category == null) {
                throw new IllegalStateException(AUTOMATION + ": unknown category " + f[0]);
            }
            rules.add(require(of(Tier.AUTOMATION, f[1], category, f[2], null), f[2]));
        }
        return rules;
    }

    /**
     * The isbot fragments (github.com/omrilotan/isbot, Unlicense) as the last tier. Each is its own rule,
     * named {@code generic:<literal>} (a fixed set, never text from a request). Fragments without a
     * literal ({@code generic:structure}) cannot be prefiltered; they are only tried on User-Agents that
     * do not start with {@code Mozilla/}. {@link #isbotSkipped()} lists the fragments left out.
     */
    static List<UaRule> loadIsbot() {
        List<UaRule> rules = new ArrayList<>();
        for (String fragment : isbotFragments()) {
            UaRule r = isbot(fragment);
            if (r != null) {
                rules.add(r);
            }
        }
        return rules;
    }

    /** The isbot fragments that are not used (dropped on purpose). */
    static List<String> isbotSkipped() {
        return isbotFragments().stream().filter(f -> isbot(f) == null).toList();
    }

    private static UaRule isbot(String fragment) {
        String source = fragment;
        String veto = null;
        if (ISBOT_REWRITES.containsKey(fragment)) {
            String[] rewrite = ISBOT_REWRITES.get(fragment);
            if (rewrite.length == 0) {
                return null;
            }
            source = rewrite[0];
            veto = rewrite[1];
        }
        UaPattern.Literals literals = UaPattern.Literals.of(source);
        if (literals == null || (source.startsWith("^") && source.endsWith("$"))
                || literals.keys.stream().anyMatch(k -> k.strip().length() < 2)) {
            // a shape, not a word (a bare product token "Name/1.0", a whole short string): no useful prefilter key
            return new UaRule(Tier.ISBOT, "generic:structure", BotCategory.AUTOMATION, source, List.of(), veto);
        }
        String literal = literals.longestOriginal().toLowerCase(Locale.ROOT).strip();
        return of(Tier.ISBOT, "generic:" + (literal.isEmpty() ? fragment : literal), isbotCategory(literal), source, veto);
    }

    /** A fragment that names a crawling activity is {@code other}; a scanner word {@code scanner}; the rest {@code automation}. */
    static BotCategory isbotCategory(String literal) {
        if (literal.matches(".*(scan|openvas|burpcollaborator|watchtowr|xtate|foregenix|hardenize|securityheaders).*")) {
            return BotCategory.SCANNER;
        }
        if (literal.matches(".*(bot|crawl|spider|archive|feed|rss|news|preview|fetch|retriever|search|index|scrape|grab|nutch|sogou|yandex|yahoo|daum|owler|discovery).*")) {
            return BotCategory.OTHER;
        }
        return BotCategory.AUTOMATION;
    }

    private static List<String> isbotFragments() {
        try (var in = CatalogData.open(ISBOT)) {
            List<String> out = new ArrayList<>();
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(in).forEach(n -> out.add(n.asText()));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ISBOT, e);
        }
    }

    private static UaRule require(UaRule rule, String source) {
        if (rule == null) {
            throw new IllegalStateException("User-Agent rule without a literal to prefilter on: " + source);
        }
        return rule;
    }

    private static List<String[]> tsv(String resource, int columns) {
        List<String[]> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(CatalogData.open(resource), StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = r.readLine()) != null) {
                number++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                if (f.length != columns) {
                    throw new IllegalStateException(resource + ":" + number + ": expected " + columns + " tab-separated columns");
                }
                rows.add(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        return rows;
    }

    @Override
    public String toString() {
        return "UaRule[" + why() + " -> " + name + "/" + category + "]";
    }
}
