package dev.gatehouse.crawler;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import dev.gatehouse.api.BotCategory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One crawler-user-agents.json entry, ready for the prefilter: the literal strings one of which must
 * occur for the pattern to match (lower-cased keys for {@link AhoCorasick}), and how to confirm a
 * candidate: a case-sensitive {@code contains} for a plain literal, else RE2/J (linear time, so no
 * pattern can be made to backtrack by a hostile User-Agent).
 */
final class UaPattern {

    private static final int MAX_NAME_LENGTH = 64;

    final int index;
    final String source;
    final String name;
    final BotCategory category;
    final List<String> keys; // lower-case; any one of them is required
    final int rank;          // length of the shortest key: longer = more specific
    private final String literal;  // the whole pattern when it is a plain literal
    private final Pattern regex;

    private UaPattern(int index, String source, BotCategory category, Literals literals, String name) {
        this.index = index;
        this.source = source;
        this.category = category;
        this.keys = literals.keys.stream().map(k -> k.toLowerCase(Locale.ROOT)).toList();
        this.rank = literals.keys.stream().mapToInt(String::length).min().orElse(0);
        this.literal = literals.plain ? literals.keys.get(0) : null;
        this.regex = literals.plain ? null : Pattern.compile(source);
        this.name = name;
    }

    /** Builds the entry; {@code null} when no literal can be extracted (the pattern would need a full scan). */
    static UaPattern of(int index, JsonNode entry) {
        String source = entry.path("pattern").asText();
        Literals literals = Literals.of(source);
        if (literals == null) {
            return null;
        }
        BotCategory category = category(entry.path("tags"));
        UaPattern draft = new UaPattern(index, source, category, literals, null);
        String name = null;
        for (JsonNode instance : entry.path("instances")) {
            name = draft.nameFrom(instance.asText());
            if (name != null) {
                break;
            }
        }
        if (name == null) {
            name = literals.longestOriginal().strip();
        }
        return new UaPattern(index, source, category, literals, name);
    }

    /** Whether the pattern matches {@code userAgent} (case-sensitive, as the data set intends). */
    boolean matches(String userAgent) {
        return literal != null ? userAgent.contains(literal) : regex.matcher(userAgent).find();
    }

    /**
     * The crawler's name as one real User-Agent spells it: the match widened to its whole product token
     * ({@code SemrushBot} for {@code S[eE][mM]rushBot}). Fixed at load time, never taken from a request,
     * so names (and metric tags) stay a bounded set.
     */
    private String nameFrom(String instance) {
        int start;
        int end;
        if (literal != null) {
            start = instance.indexOf(literal);
            if (start < 0) {
                return null;
            }
            end = start + literal.length();
        } else {
            Matcher m = regex.matcher(instance);
            if (!m.find()) {
                return null;
            }
            start = m.start();
            end = m.end();
        }
        while (start < end && !Character.isLetterOrDigit(instance.charAt(start))) {
            start++;
        }
        while (end > start && !Character.isLetterOrDigit(instance.charAt(end - 1))) {
            end--;
        }
        if (start == end) {
            return null;
        }
        if (instance.substring(start, end).indexOf(' ') < 0) {
            while (start > 0 && isTokenChar(instance.charAt(start - 1))) {
                start--;
            }
            while (end < instance.length() && isTokenChar(instance.charAt(end))) {
                end++;
            }
        }
        String name = instance.substring(start, end);
        return name.length() > MAX_NAME_LENGTH ? name.substring(0, MAX_NAME_LENGTH) : name;
    }

    private static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    /**
     * Tags to {@code bot_category}. An AI crawler that also indexes for search is {@code search}
     * (Gatehouse's rule: {@code ai} means training-data collection).
     */
    static BotCategory category(JsonNode tags) {
        List<String> t = new ArrayList<>();
        tags.forEach(n -> t.add(n.asText()));
        if (t.contains("search-engine")) {
            return BotCategory.SEARCH;
        }
        if (t.contains("ai-crawler")) {
            return BotCategory.AI;
        }
        if (t.contains("seo")) {
            return BotCategory.SEO;
        }
        if (t.contains("monitoring")) {
            return BotCategory.MONITORING;
        }
        if (t.contains("social-preview")) {
            return BotCategory.SOCIAL;
        }
        if (t.contains("scanner")) {
            return BotCategory.SCANNER;
        }
        if (t.contains("http-library")) {
            return BotCategory.AUTOMATION;
        }
        return BotCategory.OTHER;
    }

    @Override
    public String toString() {
        return "UaPattern[" + index + " " + source + " -> " + name + "/" + category + "]";
    }

    /**
     * The literal runs a regex requires. For each top-level alternative the longest run of characters
     * that every match must contain; the pattern is "plain" when it is one alternative made only of
     * literal characters (escaped punctuation included).
     */
    static final class Literals {
        final List<String> keys;   // original case
        final boolean plain;

        private Literals(List<String> keys, boolean plain) {
            this.keys = keys;
            this.plain = plain;
        }

        static Literals of(String regex) {
            List<String> alternatives = splitTopLevel(regex);
            List<String> keys = new ArrayList<>();
            boolean plain = alternatives.size() == 1;
            for (String alt : alternatives) {
                Run run = longestRun(alt);
                if (run.best.isEmpty()) {
                    return null;
                }
                keys.add(run.best);
                plain &= run.plain;
            }
            return new Literals(List.copyOf(keys), plain);
        }

        String longestOriginal() {
            return keys.stream().max((a, b) -> Integer.compare(a.length(), b.length())).orElseThrow();
        }

        private record Run(String best, boolean plain) {}

        static List<String> splitTopLevel(String regex) {
            List<String> parts = new ArrayList<>();
            int depth = 0;
            boolean inClass = false;
            int from = 0;
            for (int i = 0; i < regex.length(); i++) {
                char c = regex.charAt(i);
                if (c == '\\') {
                    i++;
                } else if (inClass) {
                    inClass = c != ']';
                } else if (c == '[') {
                    inClass = true;
                } else if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                } else if (c == '|' && depth == 0) {
                    parts.add(regex.substring(from, i));
                    from = i + 1;
                }
            }
            parts.add(regex.substring(from));
            return parts;
        }

        private static Run longestRun(String alt) {
            String best = "";
            StringBuilder run = new StringBuilder();
            boolean plain = true;
            int i = 0;
            while (i < alt.length()) {
                char c = alt.charAt(i);
                Character literal = null;
                int next = i + 1;
                if (c == '\\' && i + 1 < alt.length()) {
                    char e = alt.charAt(i + 1);
                    next = i + 2;
                    if (!Character.isLetterOrDigit(e)) {
                        literal = e;
                    }
                } else if (c == '[') {
                    int close = alt.indexOf(']', i + 2);
                    if (close < 0) {
                        close = alt.length() - 1;
                    }
                    String body = alt.substring(i + 1, close);
                    next = close + 1;
                    if (body.length() == 2 && Character.toLowerCase(body.charAt(0)) == Character.toLowerCase(body.charAt(1))
                            && Character.isLetter(body.charAt(0))) {
                        literal = body.charAt(0); // [wW]: one letter in either case; the key is lower-cased anyway
                    }
                    plain = false;
                } else if (c == '(') {
                    int depth = 0;
                    int j = i;
                    for (; j < alt.length(); j++) {
                        char g = alt.charAt(j);
                        if (g == '\\') {
                            j++;
                        } else if (g == '(') {
                            depth++;
                        } else if (g == ')' && --depth == 0) {
                            break;
                        }
                    }
                    next = j + 1;
                } else if (".^$|)".indexOf(c) < 0 && "?*+{".indexOf(c) < 0) {
                    literal = c;
                }
                // a quantifier after the atom: optional atoms are not required, repeated ones end the run
                boolean optional = false;
                boolean ends = literal == null;
                if (next < alt.length()) {
                    char q = alt.charAt(next);
                    if (q == '?' || q == '*') {
                        optional = true;
                        next++;
                    } else if (q == '{') {
                        int close = alt.indexOf('}', next);
                        optional = close > next && alt.charAt(next + 1) == '0';
                        ends = true;
                        next = close < 0 ? alt.length() : close + 1;
                    } else if (q == '+') {
                        ends = true;
                        next++;
                    }
                }
                if (literal != null && !optional) {
                    run.append(literal);
                }
                if (ends || optional || literal == null) {
                    plain = false;
                    if (run.length() > best.length()) {
                        best = run.toString();
                    }
                    run.setLength(0);
                }
                i = next;
            }
            if (run.length() > best.length()) {
                best = run.toString();
            }
            return new Run(best, plain);
        }
    }
}
