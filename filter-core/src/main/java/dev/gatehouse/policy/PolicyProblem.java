package dev.gatehouse.policy;

import java.util.Objects;

/**
 * One thing wrong with a policy file, located for the operator's editor.
 *
 * @param file    the file name as given (or {@code <inline>})
 * @param line    1-based line, 0 when unknown
 * @param column  1-based column, 0 when unknown
 * @param path    where in the document, e.g. {@code rules[2].when.all[0]}
 * @param kind    a stable constant that tests assert on
 * @param message what is wrong and, where possible, how to fix it
 */
public record PolicyProblem(String file, int line, int column, String path, Kind kind, String message) {

    /** The kinds of problem, stable for tests and tooling. */
    public enum Kind {
        SYNTAX, TOO_LARGE, UNKNOWN_KEY, MISSING_KEY, WRONG_TYPE, BAD_VALUE, UNKNOWN_SIGNAL, BAD_CIDR, BAD_REGEX,
        UNDEFINED_LIMIT, DUPLICATE_NAME, UNREACHABLE_RULE, IO,
        /** The same key twice in one mapping (YAML would silently keep the last). */
        DUPLICATE_KEY,
        /** Compiling failed unexpectedly (a bug in Gatehouse, not in the file); the message says what was thrown. */
        INTERNAL
    }

    public PolicyProblem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
        path = path == null ? "" : printable(path);
        message = printable(message);
    }

    /** Control characters from the file (a key, a value) escaped, so one problem stays one log line. */
    private static String printable(String s) {
        return dev.gatehouse.text.OneLine.of(s);
    }

    /** {@code FILE:LINE:COLUMN: message}, the form editors and CI logs understand. */
    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + message;
    }
}
