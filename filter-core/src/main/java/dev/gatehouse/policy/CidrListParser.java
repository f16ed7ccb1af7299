package dev.gatehouse.policy;

import dev.gatehouse.net.Cidr;
import dev.gatehouse.net.PrefixMap;
import dev.gatehouse.policy.PolicyProblem.Kind;
import dev.gatehouse.policy.YamlNodes.Field;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an {@code ip:} condition: CIDRs inline, from list files beside the policy, or both, into one
 * prefix trie. A bad line of a list file is reported at that file's line.
 */
final class CidrListParser {

    private static final long MAX_LIST_BYTES = 16L << 20;

    private final Problems problems;
    private final Path baseDir;
    private final StringBuilder listTexts = new StringBuilder(); // part of the policy's version
    private final Set<Path> files = new LinkedHashSet<>();        // what a watcher must watch besides the policy

    CidrListParser(Problems problems, Path baseDir) {
        this.problems = problems;
        this.baseDir = baseDir;
    }

    /** The names and contents of every list file read, so a changed list changes the policy version. */
    String listTexts() {
        return listTexts.toString();
    }

    /** Every list file named, read or not (a missing one may appear later). */
    List<Path> files() {
        return List.copyOf(files);
    }

    Condition parse(Node value, String path) {
        PrefixMap.Builder<Boolean> cidrs = PrefixMap.builder();
        int[] count = {0};
        List<String> described = new ArrayList<>();
        boolean ok = true;
        if (value instanceof MappingNode) {
            Map<String, Field> fields = YamlNodes.mapping(value, path, problems);
            if (fields == null) {
                return null;
            }
            YamlNodes.checkKeys(fields, List.of("cidrs", "file"), path, problems);
            Field inline = fields.get("cidrs");
            if (inline != null) {
                ok &= inlineCidrs(YamlNodes.scalarOrList(inline.value()), path + ".cidrs", cidrs, count);
            }
            Field file = fields.get("file");
            if (file != null) {
                for (String name : YamlNodes.strings(YamlNodes.scalarOrList(file.value()), path + ".file", problems)) {
                    ok &= fileCidrs(name, file.value(), path + ".file", cidrs, count);
                    described.add(name);
                }
            }
            if (inline == null && file == null) {
                problems.add(value, path, Kind.MISSING_KEY, "give cidrs, file or both");
                return null;
            }
        } else {
            ok = inlineCidrs(YamlNodes.scalarOrList(value), path, cidrs, count);
        }
        if (!ok) {
            return null;
        }
        String description = count[0] + " CIDR" + (count[0] == 1 ? "" : "s") + (described.isEmpty() ? "" : " (" + String.join(", ", described) + ")");
        return new Leaf.IpIn(cidrs.build(), description);
    }

    private boolean inlineCidrs(List<Node> nodes, String path, PrefixMap.Builder<Boolean> cidrs, int[] count) {
        boolean ok = true;
        if (nodes.isEmpty()) {
            problems.add(null, path, Kind.BAD_VALUE, "an empty CIDR list never matches");
            return false;
        }
        for (int i = 0; i < nodes.size(); i++) {
            String text = YamlNodes.string(nodes.get(i), path + "[" + i + "]", problems);
            if (text == null) {
                ok = false;
                continue;
            }
            try {
                cidrs.put(Cidr.parse(text.trim()), Boolean.TRUE);
                count[0]++;
            } catch (IllegalArgumentException e) {
                problems.add(nodes.get(i), path + "[" + i + "]", Kind.BAD_CIDR, e.getMessage());
                ok = false;
            }
        }
        return ok;
    }

    private boolean fileCidrs(String name, Node node, String path, PrefixMap.Builder<Boolean> cidrs, int[] count) {
        Path file = baseDir == null ? Path.of(name) : baseDir.resolve(name);
        List<String> lines;
        try {
            files.add(file.toAbsolutePath().normalize());
            if (Files.size(file) > MAX_LIST_BYTES) {
                problems.add(node, path, Kind.TOO_LARGE, "CIDR list " + file + " is larger than " + (MAX_LIST_BYTES >> 20) + " MB");
                return false;
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            problems.add(node, path, Kind.IO, "cannot read CIDR list " + file + ": " + e);
            return false;
        }
        listTexts.append('\0').append(name).append('\0').append(String.join("\n", lines));
        boolean ok = true;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String text = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (text.isEmpty()) {
                continue;
            }
            try {
                cidrs.put(Cidr.parse(text), Boolean.TRUE);
                count[0]++;
            } catch (IllegalArgumentException e) {
                problems.addIn(file.toString(), i + 1, 1, path, Kind.BAD_CIDR, e.getMessage());
                ok = false;
            }
        }
        return ok;
    }
}
