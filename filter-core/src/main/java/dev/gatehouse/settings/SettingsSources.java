package dev.gatehouse.settings;

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

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The front ends: each turns what an operator wrote into a {@link SettingsNode.Mapping} for
 * {@link SettingsBinder}. A YAML file ({@code gatehouse.yaml}), or a flat map of dotted names
 * ({@code rate-limit.redis.url}) with {@code [n]} list indexes and comma-separated lists, which is what
 * servlet init-params and Spring's {@code gatehouse.*} properties are.
 */
public final class SettingsSources {

    /** {@code gatehouse.yaml} is hand-written; a mebibyte (of bytes read, comments included) is far more than any real one. */
    public static final int MAX_BYTES = 1 << 20;
    static final int MAX_ALIASES = 10;
    static final int MAX_NESTING = 20;

    /** Mappings whose keys are data, not settings, and may contain dots ({@code crawlers/google/common-crawlers.json}). */
    static final Set<String> OPAQUE_KEYS = Set.of("data.urls");

    private SettingsSources() {
    }

    /**
     * Reads a YAML settings file. Relative paths in it are relative to its folder.
     *
     * @throws SettingsException when the file cannot be read, is larger than {@value #MAX_BYTES} bytes or is not YAML
     */
    public static SettingsNode.Mapping yaml(Path file) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw tooLarge(file.toString(), size);
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw SettingsException.of(file.toString(), "no such file (looked for " + file.toAbsolutePath().normalize() + ")");
        } catch (IOException e) {
            throw SettingsException.of(file.toString(), "cannot read the settings file: " + e);
        }
        if (bytes.length > MAX_BYTES) { // grew between size() and read
            throw tooLarge(file.toString(), bytes.length);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw SettingsException.of(file + ":1:1", "the file is not valid UTF-8");
        }
        Path parent = file.toAbsolutePath().getParent();
        return yaml(text, file.toString(), parent);
    }

    /**
     * Parses YAML settings text; relative paths are resolved against {@code baseDir} ({@code null}: the
     * working directory).
     */
    public static SettingsNode.Mapping yaml(String text, String fileName, Path baseDir) {
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw tooLarge(fileName, bytes);
        }
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(MAX_NESTING);
        options.setCodePointLimit(MAX_BYTES);
        Node root;
        try {
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
            String context = e.getContext() == null ? what : e.getContext() + ", " + what;
            throw SettingsException.of(at(fileName, mark), "not valid YAML: " + context.replaceAll("\\s+", " ").strip());
        } catch (YAMLException e) {
            throw SettingsException.of(fileName + ":1:1", "not valid YAML: " + String.valueOf(e.getMessage()).replaceAll("\\s+", " ").strip());
        }
        if (root == null || isNull(root)) {
            return SettingsNode.Mapping.empty(fileName + ":1:1");
        }
        if (!(root instanceof MappingNode)) {
            throw SettingsException.of(at(fileName, root.getStartMark()), "the file must be a mapping of keys (policy:, budget:, …)");
        }
        List<SettingsException.Problem> problems = new ArrayList<>();
        SettingsNode.Mapping mapping = (SettingsNode.Mapping) convert(root, fileName, baseDir, "", problems);
        if (!problems.isEmpty()) {
            throw new SettingsException(problems);
        }
        return mapping;
    }

    private static SettingsNode convert(Node node, String fileName, Path baseDir, String path, List<SettingsException.Problem> problems) {
        String origin = at(fileName, node.getStartMark());
        if (node instanceof ScalarNode s) {
            return new SettingsNode.Scalar(isNull(s) ? "" : s.getValue(), origin, baseDir);
        }
        if (node instanceof SequenceNode seq) {
            List<SettingsNode> items = new ArrayList<>();
            for (Node item : seq.getValue()) {
                items.add(convert(item, fileName, baseDir, path, problems));
            }
            return new SettingsNode.Sequence(items, origin);
        }
        MappingNode mapping = (MappingNode) node;
        Map<String, SettingsNode> entries = new LinkedHashMap<>();
        Map<String, String> keyOrigins = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            String keyOrigin = at(fileName, keyNode.getStartMark());
            if (!(keyNode instanceof ScalarNode key)) {
                problems.add(new SettingsException.Problem(keyOrigin, path, "keys must be plain words"));
                continue;
            }
            String name = key.getValue();
            if (entries.containsKey(name)) {
                problems.add(new SettingsException.Problem(keyOrigin, path.isEmpty() ? name : path + "." + name, "duplicate key"));
                continue;
            }
            entries.put(name, convert(tuple.getValueNode(), fileName, baseDir, path.isEmpty() ? name : path + "." + name, problems));
            keyOrigins.put(name, keyOrigin);
        }
        return new SettingsNode.Mapping(entries, keyOrigins, origin);
    }

    /**
     * A flat map of dotted names, as servlet init-params and Spring properties are: {@code budget},
     * {@code rate-limit.redis.url}, {@code trusted-proxies[0]}, {@code data.urls[crawlers/google/common-crawlers.json]}.
     * A value is kept as text; where the binder expects a list it splits it at commas.
     *
     * @param values  name → value ({@code String}, or a {@code List<String>} for a repeated option)
     * @param origins name → where it was written (e.g. {@code n -> "init-param '" + n + "'"})
     * @throws SettingsException for a name that names no setting ({@code ""}, {@code "."}, {@code "[0]"})
     */
    public static SettingsNode.Mapping flat(Map<String, ?> values, Function<String, String> origins, String rootOrigin) {
        Tree root = new Tree(rootOrigin);
        List<SettingsException.Problem> problems = new ArrayList<>();
        for (Map.Entry<String, ?> e : values.entrySet()) {
            List<String> elements = elements(e.getKey());
            Tree t = root;
            StringBuilder path = new StringBuilder();
            String origin = origins.apply(e.getKey());
            if (elements.isEmpty() || elements.contains("") || elements.get(0).matches("\\d{1,6}")) {
                // no name at all ("", ".", "[]", "a[]") or a list index at the top ("[0]"): the settings are a mapping of names
                problems.add(new SettingsException.Problem(origin, e.getKey(), "not a setting name"));
                continue;
            }
            for (int i = 0; i < elements.size(); i++) {
                String element = elements.get(i);
                if (OPAQUE_KEYS.contains(path.toString()) && i < elements.size() - 1) {
                    element = String.join(".", elements.subList(i, elements.size()));
                    i = elements.size() - 1;
                }
                path.append(path.length() == 0 ? "" : ".").append(element);
                t = t.children.computeIfAbsent(element, k -> new Tree(origin));
            }
            t.value = e.getValue();
            t.origin = origin;
        }
        if (!problems.isEmpty()) {
            throw new SettingsException(problems);
        }
        return root.children.isEmpty() ? SettingsNode.Mapping.empty(rootOrigin) : (SettingsNode.Mapping) root.toNode();
    }

    /** {@code a.b[0].c[x.y]} → {@code a, b, 0, c, x.y}. */
    static List<String> elements(String name) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '[' && depth++ == 0) {
                flush(current, out);
            } else if (c == ']' && depth > 0 && --depth == 0) {
                out.add(current.toString());
                current.setLength(0);
            } else if (c == '.' && depth == 0) {
                flush(current, out);
            } else {
                current.append(c);
            }
        }
        flush(current, out);
        return out;
    }

    private static void flush(StringBuilder current, List<String> out) {
        if (!current.isEmpty()) {
            out.add(current.toString());
            current.setLength(0);
        }
    }

    /** Flat names gathered into a tree before they become nodes. */
    private static final class Tree {
        final Map<String, Tree> children = new LinkedHashMap<>();
        Object value;
        String origin;

        Tree(String origin) {
            this.origin = origin;
        }

        SettingsNode toNode() {
            if (children.isEmpty()) {
                if (value instanceof List<?> list) {
                    List<SettingsNode> items = new ArrayList<>();
                    list.forEach(v -> items.add(SettingsNode.scalar(String.valueOf(v), origin)));
                    return new SettingsNode.Sequence(items, origin);
                }
                return value == null ? SettingsNode.Mapping.empty(origin) : SettingsNode.scalar(String.valueOf(value), origin);
            }
            if (children.keySet().stream().allMatch(k -> k.matches("\\d{1,6}"))) {
                TreeMap<Integer, Tree> ordered = new TreeMap<>();
                children.forEach((k, v) -> ordered.put(Integer.parseInt(k), v));
                List<SettingsNode> items = new ArrayList<>();
                ordered.values().forEach(v -> items.add(v.toNode()));
                return new SettingsNode.Sequence(items, origin);
            }
            Map<String, SettingsNode> entries = new LinkedHashMap<>();
            Map<String, String> keyOrigins = new LinkedHashMap<>();
            children.forEach((k, v) -> {
                entries.put(k, v.toNode());
                keyOrigins.put(k, v.origin);
            });
            return new SettingsNode.Mapping(entries, keyOrigins, origin);
        }
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
    }

    private static String at(String fileName, Mark mark) {
        return mark == null ? fileName + ":0:0" : fileName + ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
    }

    private static SettingsException tooLarge(String fileName, long bytes) {
        return SettingsException.of(fileName + ":1:1", "the file has " + bytes + " bytes; the limit is " + MAX_BYTES
                + " (comments count)");
    }
}
