package dev.gatehouse.policy;

import com.google.re2j.Pattern;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Matches a text value: a list of exact values (a value with {@code *} is a glob), or an RE2 regular
 * expression. RE2 runs in time linear in the input, so no policy regex can be turned against the
 * server by a crafted request (no ReDoS).
 */
abstract class StringMatcher {

    abstract boolean matches(String value);

    abstract String text();

    /** Exact values and globs; {@code caseInsensitive} for names (countries, bots, methods, hosts). */
    static StringMatcher values(List<String> values, boolean caseInsensitive) {
        Set<String> exact = new HashSet<>();
        StringBuilder globs = new StringBuilder();
        for (String v : values) {
            if (v.indexOf('*') >= 0) {
                globs.append(globs.length() == 0 ? "" : "|").append(globToRegex(v));
            } else {
                exact.add(caseInsensitive ? v.toLowerCase(Locale.ROOT) : v);
            }
        }
        Pattern glob = globs.length() == 0 ? null
                : Pattern.compile("^(?:" + globs + ")$", caseInsensitive ? Pattern.CASE_INSENSITIVE : 0);
        String text = values.size() == 1 ? values.get(0) : values.toString();
        String[] exactArray = exact.toArray(new String[0]);
        return new StringMatcher() {
            @Override
            boolean matches(String value) {
                if (value == null) {
                    return false;
                }
                if (exactArray.length <= 8) {
                    // a short scan beats hashing and, case-insensitively, avoids lower-casing a copy
                    for (String e : exactArray) {
                        if (caseInsensitive ? e.equalsIgnoreCase(value) : e.equals(value)) {
                            return true;
                        }
                    }
                } else if (exact.contains(caseInsensitive ? value.toLowerCase(Locale.ROOT) : value)) {
                    return true;
                }
                return glob != null && glob.matcher(value).matches();
            }

            @Override
            String text() {
                return text;
            }
        };
    }

    /** A regular expression searched anywhere in the value (anchor it with {@code ^…$} to match whole). */
    static StringMatcher regex(Pattern pattern) {
        return new StringMatcher() {
            @Override
            boolean matches(String value) {
                return value != null && pattern.matcher(value).find();
            }

            @Override
            String text() {
                return "regex " + pattern.pattern();
            }
        };
    }

    /** {@code *} matches within a path segment (no {@code /}), {@code **} matches anything. */
    static String globToRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                    re.append(".*");
                    i++;
                } else {
                    re.append("[^/]*");
                }
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }
}
