package dev.gatehouse.settings;

import dev.gatehouse.text.OneLine;

import java.util.List;

/**
 * Settings that cannot be used: every problem found, one per line, each as
 * {@code ORIGIN: key: what is wrong} ({@code gatehouse.yaml:3:9: budget: expected a duration such as
 * 50ms, was 'soon'}).
 */
public final class SettingsException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * One problem.
     *
     * @param origin  where it was written ({@code gatehouse.yaml:3:9}, {@code init-param 'budget'})
     * @param key     the dotted key ({@code data.refresh}); empty for the whole file
     * @param message what is wrong
     */
    public record Problem(String origin, String key, String message) {
        /** Control characters quoted from the file are escaped: one problem, one log line. */
        public Problem {
            origin = origin == null ? null : OneLine.of(origin);
            key = key == null ? null : OneLine.of(key);
            message = message == null ? null : OneLine.of(message);
        }

        @Override
        public String toString() {
            return origin + ": " + (key.isEmpty() ? "" : key + ": ") + message;
        }
    }

    private final transient List<Problem> problems;

    public SettingsException(List<Problem> problems) {
        super(String.join("\n", problems.stream().map(Problem::toString).toList()));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a SettingsException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** One problem about the whole source (e.g. a file that cannot be read). */
    static SettingsException of(String origin, String message) {
        return new SettingsException(List.of(new Problem(origin, "", message)));
    }

    /** The problems, in the order found. */
    public List<Problem> problems() {
        return problems;
    }
}
