package dev.gatehouse.policy;

import dev.gatehouse.policy.PolicyProblem.Kind;
import dev.gatehouse.text.DidYouMean;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Safe YAML reading: the node graph is composed (never constructed into objects, so no tag can
 * instantiate a class) under limits on size, nesting and aliases, and every value keeps its line and
 * column. The helpers below read typed values and report every mismatch to {@link Problems}.
 */
final class YamlNodes {

    /** Policies are hand-written; a megabyte is already far more than any sane one. */
    static final int MAX_CHARS = 1 << 20;
    static final int MAX_ALIASES = 20;
    static final int MAX_NESTING = 40;

    /** A key of a mapping, with the nodes of key and value. */
    record Field(String key, Node keyNode, Node value) {}

    private YamlNodes() {
    }

    /** Composes one document; returns {@code null} (with a problem) when the text is not acceptable YAML. */
    static Node compose(String text, Problems problems) {
        if (text.length() > MAX_CHARS) {
            problems.add(1, 1, "", Kind.TOO_LARGE, "the file has " + text.length() + " characters; the limit is " + MAX_CHARS);
            return null;
        }
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(MAX_NESTING);
        options.setCodePointLimit(MAX_CHARS);
        try {
            Node node = new Yaml(options).compose(new StringReader(text));
            if (node == null) {
                problems.add(1, 1, "", Kind.SYNTAX, "the file is empty");
            }
            return node;
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
            Kind kind = limitKind(what);
            problems.add(mark == null ? 0 : mark.getLine() + 1, mark == null ? 0 : mark.getColumn() + 1, "", kind,
                    "invalid YAML: " + oneLine(e.getContext() == null ? what : e.getContext() + ", " + what));
            return null;
        } catch (YAMLException e) {
            Kind kind = limitKind(e.getMessage());
            problems.add(1, 1, "", kind, "invalid YAML: " + oneLine(e.getMessage()));
            return null;
        }
    }

    /** SnakeYAML's limit violations (aliases, nesting, size) are TOO_LARGE; anything else is SYNTAX. */
    private static Kind limitKind(String message) {
        String m = String.valueOf(message).toLowerCase(java.util.Locale.ROOT);
        return m.contains("aliases") || m.contains("nesting") || m.contains("limit") ? Kind.TOO_LARGE : Kind.SYNTAX;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").trim();
    }

    /** The fields of a mapping in source order, reporting a non-mapping, non-scalar keys and duplicate keys. */
    static Map<String, Field> mapping(Node node, String path, Problems problems) {
        if (!(node instanceof MappingNode mapping)) {
            problems.add(node, path, Kind.WRONG_TYPE, "expected a mapping (key: value), found " + describe(node));
            return null;
        }
        Map<String, Field> fields = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalarKey)) {
                problems.add(keyNode, path, Kind.WRONG_TYPE, "keys must be plain words, found " + describe(keyNode));
                continue;
            }
            String key = scalarKey.getValue();
            if (fields.containsKey(key)) {
                problems.add(keyNode, join(path, key), Kind.DUPLICATE_KEY, "key '" + key + "' appears twice in the same mapping");
                continue;
            }
            fields.put(key, new Field(key, keyNode, tuple.getValueNode()));
        }
        return fields;
    }

    /** Reports every key not in {@code allowed}, with a did-you-mean. */
    static void checkKeys(Map<String, Field> fields, Collection<String> allowed, String path, Problems problems) {
        for (Field f : fields.values()) {
            if (!allowed.contains(f.key())) {
                problems.add(f.keyNode(), path, Kind.UNKNOWN_KEY, "unknown key '" + f.key() + "'"
                        + DidYouMean.suggest(f.key(), allowed) + "; expected one of " + String.join(", ", allowed));
            }
        }
    }

    static void require(Map<String, Field> fields, String key, Node owner, String path, Problems problems) {
        if (!fields.containsKey(key)) {
            problems.add(owner, path, Kind.MISSING_KEY, "missing required key '" + key + "'");
        }
    }

    static String join(String path, String key) {
        return path == null || path.isEmpty() ? key : path + "." + key;
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
    }

    /** A scalar as text (any scalar: {@code NO} stays the string "NO", not YAML 1.1's false). */
    static String string(Node node, String path, Problems problems) {
        if (node instanceof ScalarNode s && !Tag.NULL.equals(s.getTag())) {
            return s.getValue();
        }
        problems.add(node, path, Kind.WRONG_TYPE, "expected a text value, found " + describe(node));
        return null;
    }

    /** {@code true} or {@code false} exactly; YAML 1.1's yes/no/on/off are refused as easy to misread. */
    static Boolean bool(Node node, String path, Problems problems) {
        if (node instanceof ScalarNode s && Tag.BOOL.equals(s.getTag())) {
            String v = s.getValue();
            if (v.equals("true")) {
                return Boolean.TRUE;
            }
            if (v.equals("false")) {
                return Boolean.FALSE;
            }
        }
        problems.add(node, path, Kind.WRONG_TYPE, "expected true or false, found " + describe(node));
        return null;
    }

    static Long integer(Node node, String path, Problems problems) {
        if (node instanceof ScalarNode s && Tag.INT.equals(s.getTag())) {
            try {
                return Long.parseLong(s.getValue().replace("_", ""));
            } catch (NumberFormatException e) {
                // fall through: 0x… and 0o… forms are not accepted in policies
            }
        }
        problems.add(node, path, Kind.WRONG_TYPE, "expected a whole number, found " + describe(node));
        return null;
    }

    /** The items of a sequence, or a single scalar as a one-item list. */
    static List<Node> scalarOrList(Node node) {
        if (node instanceof SequenceNode seq) {
            return seq.getValue();
        }
        return List.of(node);
    }

    static List<Node> list(Node node, String path, Problems problems) {
        if (node instanceof SequenceNode seq) {
            return seq.getValue();
        }
        problems.add(node, path, Kind.WRONG_TYPE, "expected a list, found " + describe(node));
        return null;
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)");

    /** {@code 500ms}, {@code 30s}, {@code 1m}, {@code 1h}, {@code 1d}. */
    static Duration duration(Node node, String path, Problems problems) {
        String text = node instanceof ScalarNode s ? s.getValue().trim() : null;
        Matcher m = text == null ? null : DURATION.matcher(text);
        if (m == null || !m.matches()) {
            problems.add(node, path, Kind.WRONG_TYPE, "expected a duration such as 500ms, 30s, 1m, 1h or 1d, found " + describe(node));
            return null;
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.isZero()) {
            problems.add(node, path, Kind.BAD_VALUE, "a duration must be positive");
            return null;
        }
        return d;
    }

    static String describe(Node node) {
        if (node == null) {
            return "nothing";
        }
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        ScalarNode s = (ScalarNode) node;
        if (Tag.NULL.equals(s.getTag())) {
            return "an empty value";
        }
        String v = s.getValue();
        return "'" + (v.length() > 40 ? v.substring(0, 40) + "…" : v) + "'";
    }

    static List<String> strings(List<Node> nodes, String path, Problems problems) {
        List<String> out = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            String s = string(nodes.get(i), path + "[" + i + "]", problems);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }
}
