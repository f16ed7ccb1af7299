package dev.gatehouse.policy;

import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

import java.util.ArrayList;
import java.util.List;

/** Collects every problem of one file, located by node marks, so an operator sees them all at once. */
final class Problems {

    private final String file;
    private final List<PolicyProblem> list = new ArrayList<>();

    Problems(String file) {
        this.file = file;
    }

    String file() {
        return file;
    }

    void add(Node node, String path, PolicyProblem.Kind kind, String message) {
        Mark mark = node == null ? null : node.getStartMark();
        add(mark == null ? 0 : mark.getLine() + 1, mark == null ? 0 : mark.getColumn() + 1, path, kind, message);
    }

    void add(int line, int column, String path, PolicyProblem.Kind kind, String message) {
        String where = path == null || path.isEmpty() ? "" : path + ": ";
        list.add(new PolicyProblem(file, line, column, path, kind, where + message));
    }

    /** A problem in another file the policy refers to (a CIDR list). */
    void addIn(String otherFile, int line, int column, String path, PolicyProblem.Kind kind, String message) {
        list.add(new PolicyProblem(otherFile, line, column, path, kind, message));
    }

    void addAll(List<PolicyProblem> problems) {
        list.addAll(problems);
    }

    boolean isEmpty() {
        return list.isEmpty();
    }

    int size() {
        return list.size();
    }

    List<PolicyProblem> list() {
        return List.copyOf(list);
    }

    void throwIfAny() {
        if (!list.isEmpty()) {
            throw new PolicyException(list);
        }
    }
}
