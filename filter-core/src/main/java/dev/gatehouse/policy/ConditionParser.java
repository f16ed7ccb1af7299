package dev.gatehouse.policy;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.gatehouse.api.BotCategory;
import dev.gatehouse.api.BotVerification;
import dev.gatehouse.api.BotVerifiedBy;
import dev.gatehouse.api.Signal;
import dev.gatehouse.policy.PolicyProblem.Kind;
import dev.gatehouse.policy.YamlNodes.Field;
import dev.gatehouse.text.DidYouMean;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;

/** Reads a {@code when:} mapping into a compiled {@link Condition}, reporting every problem. */
final class ConditionParser {

    static final Set<String> BOT_VERIFIED = BotVerification.ids();
    static final Set<String> BOT_CATEGORIES = new LinkedHashSet<>(BotCategory.ids());
    static final Set<String> BOT_VERIFIED_BY = BotVerifiedBy.ids();
    static final List<String> REQUEST_ATTRIBUTES =
            List.of("request.method", "request.host", "request.path", "request.user_agent", "request.header.<name>");
    static final Set<String> KEYS;

    static {
        Set<String> keys = new TreeSet<>(Signal.ids());
        keys.addAll(List.of("all", "any", "not"));
        keys.addAll(REQUEST_ATTRIBUTES);
        KEYS = keys;
    }

    private static final java.util.regex.Pattern COMPARISON = java.util.regex.Pattern.compile("\\s*(>=|<=|>|<|==|!=)\\s*(-?\\d{1,12})\\s*");
    private static final java.util.regex.Pattern HEADER_NAME = java.util.regex.Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final java.util.regex.Pattern COUNTRY = java.util.regex.Pattern.compile("[A-Z]{2}");

    private final Problems problems;
    private final CidrListParser cidrs;

    ConditionParser(Problems problems, Path baseDir) {
        this.problems = problems;
        this.cidrs = new CidrListParser(problems, baseDir);
    }

    /** The names and contents of every CIDR list file read, so a changed list changes the policy version. */
    String listTexts() {
        return cidrs.listTexts();
    }

    /** The CIDR list files the policy names. */
    List<Path> listFiles() {
        return cidrs.files();
    }

    /** A {@code when:} mapping: every key must hold (an empty mapping holds always). */
    Condition parse(Node node, String path) {
        Map<String, Field> fields = YamlNodes.mapping(node, path, problems);
        if (fields == null) {
            return Condition.ALWAYS;
        }
        List<Condition> parts = new ArrayList<>();
        for (Field f : fields.values()) {
            Condition c = field(f, YamlNodes.join(path, f.key()));
            if (c != null) {
                parts.add(c);
            }
        }
        if (parts.isEmpty()) {
            return fields.isEmpty() ? Condition.ALWAYS : null;
        }
        return parts.size() == 1 ? parts.get(0) : new Condition.All(parts.toArray(new Condition[0]));
    }

    private Condition field(Field f, String path) {
        String key = f.key();
        Node value = f.value();
        switch (key) {
            case "all", "any" -> {
                List<Node> items = YamlNodes.list(value, path, problems);
                if (items == null) {
                    return null;
                }
                if (items.isEmpty()) {
                    problems.add(value, path, Kind.BAD_VALUE, "'" + key + "' needs at least one condition");
                    return null;
                }
                List<Condition> children = new ArrayList<>();
                for (int i = 0; i < items.size(); i++) {
                    Condition c = parse(items.get(i), path + "[" + i + "]");
                    if (c != null) {
                        children.add(c);
                    }
                }
                Condition[] array = children.toArray(new Condition[0]);
                return key.equals("all") ? new Condition.All(array) : new Condition.Any(array);
            }
            case "not" -> {
                Condition child = parse(value, path);
                return child == null ? null : new Condition.Not(child);
            }
            default -> {
                if (key.startsWith("request.")) {
                    return request(f, path);
                }
                Signal signal = Signal.byId(key);
                if (signal == null || !signal.id().equals(key)) {
                    problems.add(f.keyNode(), path, Kind.UNKNOWN_SIGNAL, "unknown signal '" + key + "'"
                            + DidYouMean.suggest(key, KEYS) + "; see docs/policy.md for the signal names");
                    return null;
                }
                return signal(signal, value, path);
            }
        }
    }

    private Condition signal(Signal signal, Node value, String path) {
        if (signal == Signal.IP) {
            return cidrs.parse(value, path);
        }
        return switch (signal.type()) {
            case BOOLEAN -> {
                Boolean b = YamlNodes.bool(value, path, problems);
                yield b == null ? null : new Leaf.Flag(signal, b);
            }
            case INTEGER -> number(signal, value, path);
            case STRING -> text(signal, value, path);
        };
    }

    private Condition number(Signal signal, Node value, String path) {
        if (value instanceof MappingNode) {
            Map<String, Field> fields = YamlNodes.mapping(value, path, problems);
            List<String> ops = List.of("gt", "gte", "lt", "lte", "eq", "ne");
            YamlNodes.checkKeys(fields, ops, path, problems);
            List<Condition> parts = new ArrayList<>();
            for (Field f : fields.values()) {
                if (!ops.contains(f.key())) {
                    continue;
                }
                Long bound = YamlNodes.integer(f.value(), YamlNodes.join(path, f.key()), problems);
                if (bound != null && inRange(signal, bound, f.value(), path)) {
                    parts.add(new Leaf.Compare(signal, Leaf.Compare.Op.valueOf(f.key().toUpperCase(Locale.ROOT)), bound));
                }
            }
            if (fields.isEmpty()) {
                problems.add(value, path, Kind.BAD_VALUE, "give at least one of gt, gte, lt, lte, eq, ne");
            }
            return parts.isEmpty() ? null : parts.size() == 1 ? parts.get(0) : new Condition.All(parts.toArray(new Condition[0]));
        }
        if (value instanceof ScalarNode s && Tag.STR.equals(s.getTag())) {
            Matcher m = COMPARISON.matcher(s.getValue());
            if (!m.matches()) {
                problems.add(value, path, Kind.WRONG_TYPE, "expected a number, a list of numbers or a comparison such as \">= 80\", found "
                        + YamlNodes.describe(value));
                return null;
            }
            long bound = Long.parseLong(m.group(2));
            Leaf.Compare.Op op = switch (m.group(1)) {
                case ">" -> Leaf.Compare.Op.GT;
                case ">=" -> Leaf.Compare.Op.GTE;
                case "<" -> Leaf.Compare.Op.LT;
                case "<=" -> Leaf.Compare.Op.LTE;
                case "==" -> Leaf.Compare.Op.EQ;
                default -> Leaf.Compare.Op.NE;
            };
            return inRange(signal, bound, value, path) ? new Leaf.Compare(signal, op, bound) : null;
        }
        List<Node> items = YamlNodes.scalarOrList(value);
        long[] values = new long[items.size()];
        int n = 0;
        for (int i = 0; i < items.size(); i++) {
            Long v = YamlNodes.integer(items.get(i), path, problems);
            if (v != null && inRange(signal, v, items.get(i), path)) {
                values[n++] = v;
            }
        }
        if (items.isEmpty()) {
            problems.add(value, path, Kind.BAD_VALUE, "an empty list never matches");
        }
        if (n != items.size() || n == 0) {
            return null;
        }
        return n == 1 ? new Leaf.Compare(signal, Leaf.Compare.Op.EQ, values[0]) : new Leaf.NumberIn(signal, values);
    }

    private boolean inRange(Signal signal, long v, Node node, String path) {
        long min = 0;
        long max = switch (signal) {
            case THREAT_SCORE, CONFIDENCE -> 100;
            case IP_VERSION -> 6;
            case ASN -> 4_294_967_295L;
            default -> Long.MAX_VALUE;
        };
        if (signal == Signal.IP_VERSION && v != 4 && v != 6) {
            problems.add(node, path, Kind.BAD_VALUE, "ip_version is 4 or 6, not " + v);
            return false;
        }
        if (v < min || v > max) {
            problems.add(node, path, Kind.BAD_VALUE, signal.id() + " ranges over " + min + ".." + max + "; " + v + " is outside");
            return false;
        }
        return true;
    }

    /** The single field of a {@code {regex: …}} or {@code {present: …}} mapping, or {@code null} once the problem is reported. */
    private Field regexOrPresent(Node value, String path) {
        Map<String, Field> fields = YamlNodes.mapping(value, path, problems);
        if (fields == null) {
            return null;
        }
        YamlNodes.checkKeys(fields, List.of("regex", "present"), path, problems);
        if (fields.size() != 1) {
            problems.add(value, path, Kind.BAD_VALUE, "give exactly one of regex, present");
            return null;
        }
        return fields.values().iterator().next();
    }

    private Condition text(Signal signal, Node value, String path) {
        Set<String> allowed = switch (signal) {
            case BOT_VERIFIED -> BOT_VERIFIED;
            case BOT_CATEGORY -> BOT_CATEGORIES;
            case BOT_VERIFIED_BY -> BOT_VERIFIED_BY;
            default -> null;
        };
        if (value instanceof MappingNode) {
            Field f = regexOrPresent(value, path);
            if (f == null) {
                return null;
            }
            if (f.key().equals("present")) {
                Boolean b = YamlNodes.bool(f.value(), path + ".present", problems);
                return b == null ? null : new Leaf.Present(signal, b);
            }
            StringMatcher m = f.key().equals("regex") ? regex(f.value(), path + ".regex") : null;
            return m == null ? null : new Leaf.Text(signal, m, null);
        }
        List<String> values = YamlNodes.strings(YamlNodes.scalarOrList(value), path, problems);
        if (values.isEmpty()) {
            problems.add(value, path, Kind.BAD_VALUE, "an empty list never matches");
            return null;
        }
        boolean ok = true;
        List<Node> nodes = YamlNodes.scalarOrList(value);
        for (int i = 0; i < values.size() && i < nodes.size(); i++) {
            String v = values.get(i);
            if (allowed != null && !allowed.contains(v)) {
                problems.add(nodes.get(i), path, Kind.BAD_VALUE, "'" + v + "' is not a value of " + signal.id()
                        + DidYouMean.suggest(v, allowed) + "; expected one of " + String.join(", ", allowed));
                ok = false;
            }
            if (signal == Signal.COUNTRY && !COUNTRY.matcher(v).matches()) {
                problems.add(nodes.get(i), path, Kind.BAD_VALUE, "'" + v + "' is not an ISO 3166-1 alpha-2 country code (two capital letters, e.g. US)");
                ok = false;
            }
        }
        if (!ok || values.size() != nodes.size()) {
            return null;
        }
        return new Leaf.Text(signal, StringMatcher.values(values, true), signal == Signal.BOT_VERIFIED ? BotVerification.NONE.id() : null);
    }

    private StringMatcher regex(Node node, String path) {
        String source = YamlNodes.string(node, path, problems);
        if (source == null) {
            return null;
        }
        try {
            return StringMatcher.regex(Pattern.compile(source));
        } catch (PatternSyntaxException e) {
            problems.add(node, path, Kind.BAD_REGEX, "invalid regular expression (RE2 syntax): " + e.getMessage());
            return null;
        }
    }

    private Condition request(Field f, String path) {
        String key = f.key();
        Leaf.Request.Attribute attribute;
        String header = null;
        switch (key) {
            case "request.method" -> attribute = Leaf.Request.Attribute.METHOD;
            case "request.host" -> attribute = Leaf.Request.Attribute.HOST;
            case "request.path" -> attribute = Leaf.Request.Attribute.PATH;
            case "request.user_agent" -> attribute = Leaf.Request.Attribute.USER_AGENT;
            default -> {
                if (!key.startsWith("request.header.")) {
                    problems.add(f.keyNode(), path, Kind.UNKNOWN_SIGNAL, "unknown request attribute '" + key + "'"
                            + DidYouMean.suggest(key, REQUEST_ATTRIBUTES) + "; expected one of " + String.join(", ", REQUEST_ATTRIBUTES));
                    return null;
                }
                header = key.substring("request.header.".length()).toLowerCase(Locale.ROOT);
                if (!HEADER_NAME.matcher(header).matches()) {
                    problems.add(f.keyNode(), path, Kind.BAD_VALUE, "'" + header + "' is not a valid header name");
                    return null;
                }
                attribute = Leaf.Request.Attribute.HEADER;
            }
        }
        boolean caseInsensitive = attribute == Leaf.Request.Attribute.METHOD || attribute == Leaf.Request.Attribute.HOST;
        Node value = f.value();
        if (value instanceof MappingNode) {
            Field only = regexOrPresent(value, path);
            if (only == null) {
                return null;
            }
            if (only.key().equals("present")) {
                Boolean b = YamlNodes.bool(only.value(), path + ".present", problems);
                return b == null ? null : new Leaf.Request(attribute, header, null, b);
            }
            StringMatcher m = only.key().equals("regex") ? regex(only.value(), path + ".regex") : null;
            return m == null ? null : new Leaf.Request(attribute, header, m, null);
        }
        List<Node> nodes = YamlNodes.scalarOrList(value);
        List<String> values = YamlNodes.strings(nodes, path, problems);
        if (nodes.isEmpty()) {
            problems.add(value, path, Kind.BAD_VALUE, "an empty list never matches");
        }
        if (values.isEmpty() || values.size() != nodes.size()) {
            return null;
        }
        return new Leaf.Request(attribute, header, StringMatcher.values(values, caseInsensitive), null);
    }
}
