package dev.gatehouse.engine.embedded;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * How loading one data set went: where it came from, how many entries were read, every bad line
 * (file and line number; the first {@value #MAX_PROBLEMS} are kept, all are counted), and whether the
 * result was used. A data set that could not be read, or whose lines are mostly bad, is not used:
 * the engine keeps serving the last good copy and says why in {@link #failure()}.
 *
 * @param dataSet   the data set id, e.g. {@code tor}
 * @param origin    where the data came from: {@code bundled:tor/onionoo-exit-relays.csv.gz}, a file path or a URL
 * @param entries   prefixes or ranges read
 * @param badLines  lines or values that could not be used
 * @param problems  the first problems found, each with file and line
 * @param dataAsOf  the data's own date (from the file when it says, else its snapshot or modification date)
 * @param failure   why this load was rejected, or {@code null} when it was used
 */
public record LoadReport(String dataSet, String origin, int entries, int badLines, List<Problem> problems, Instant dataAsOf,
                         String failure) {

    /** At most this many problems are kept per data set; the rest are only counted. */
    public static final int MAX_PROBLEMS = 50;

    /** One bad line or value. */
    public record Problem(String file, int line, String message) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + message;
        }
    }

    public LoadReport {
        Objects.requireNonNull(dataSet, "dataSet");
        problems = List.copyOf(problems);
    }

    /** Whether the data read in this load is what the engine now serves. */
    public boolean used() {
        return failure == null;
    }
}
