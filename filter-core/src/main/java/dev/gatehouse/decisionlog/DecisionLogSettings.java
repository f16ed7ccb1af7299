package dev.gatehouse.decisionlog;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The {@code decision-log} block: where the JSON lines go, how many allows are kept, the file rotation
 * and the queue between the requests and the writer thread. Built once, checked, immutable.
 *
 * <pre>{@code
 * DecisionLogSettings log = DecisionLogSettings.custom().to("/var/log/gatehouse/decisions.jsonl")
 *         .sampleAllows(0.01).maxFileSize(100L << 20).maxFiles(10).build();
 * }</pre>
 *
 * @param to           {@code stdout}, {@code stderr}, {@code off} or a file path
 * @param sampleAllows the share of allows logged, 0 to 1 (refusals, challenges and shadowed refusals are always logged)
 * @param maxFileSize  a file target is rotated before it grows past this many bytes
 * @param maxFiles     how many files a file target keeps, the current one included ({@code decisions.jsonl},
 *                     {@code decisions.jsonl.1}, …)
 * @param queue        lines waiting for the writer; beyond it lines are dropped and counted, never waited for
 */
public record DecisionLogSettings(String to, double sampleAllows, long maxFileSize, int maxFiles, int queue) {

    public static final String STDOUT = "stdout";
    public static final String STDERR = "stderr";
    public static final String OFF = "off";
    public static final double DEFAULT_SAMPLE_ALLOWS = 0.01;
    public static final long DEFAULT_MAX_FILE_SIZE = 100L << 20;
    public static final int DEFAULT_MAX_FILES = 10;
    public static final int DEFAULT_QUEUE = 10_000;
    /** The keys of the block, as the binder checks them. */
    public static final List<String> KEYS = List.of("to", "sample-allows", "max-file-size", "max-files", "queue");

    private static final DecisionLogSettings DEFAULTS = custom().build();

    public DecisionLogSettings {
        Objects.requireNonNull(to, "to");
        if (to.isBlank()) {
            throw new IllegalArgumentException("decision-log.to must be stdout, stderr, off or a file path, was empty");
        }
        if (!(sampleAllows >= 0 && sampleAllows <= 1)) {
            throw new IllegalArgumentException("decision-log.sample-allows must be within 0..1, was " + sampleAllows);
        }
        if (maxFileSize < 4096) {
            throw new IllegalArgumentException("decision-log.max-file-size must be at least 4KB, was " + maxFileSize + " bytes");
        }
        if (maxFiles < 1 || maxFiles > 1000) {
            throw new IllegalArgumentException("decision-log.max-files must be within 1..1000, was " + maxFiles);
        }
        if (queue < 1 || queue > 1_000_000) {
            throw new IllegalArgumentException("decision-log.queue must be within 1..1000000, was " + queue);
        }
    }

    /** To standard output, 1 % of allows, 100 MB × 10 files, a queue of 10 000 lines. */
    public static DecisionLogSettings ofDefaults() {
        return DEFAULTS;
    }

    public static Builder custom() {
        return new Builder();
    }

    /** Whether lines are written at all ({@code to: off} says no). */
    public boolean enabled() {
        return !OFF.equals(to);
    }

    /** The file target, or {@code null} for {@code stdout}, {@code stderr} and {@code off}. */
    public Path file() {
        return STDOUT.equals(to) || STDERR.equals(to) || OFF.equals(to) ? null : Path.of(to);
    }

    /**
     * A size as operators write it: {@code 1048576}, {@code 512KB}, {@code 100MB}, {@code 1GB} (powers of
     * 1024; {@code KiB}/{@code MiB}/{@code GiB} too).
     *
     * @throws IllegalArgumentException saying what a size looks like
     */
    public static long parseSize(String text) {
        String s = text == null ? "" : text.strip().toUpperCase(Locale.ROOT).replace(" ", "");
        long unit = 1;
        String digits = s;
        for (String[] suffix : new String[][]{{"KIB", "10"}, {"MIB", "20"}, {"GIB", "30"}, {"KB", "10"}, {"MB", "20"}, {"GB", "30"},
                {"K", "10"}, {"M", "20"}, {"G", "30"}, {"B", "0"}}) {
            if (s.endsWith(suffix[0])) {
                unit = 1L << Integer.parseInt(suffix[1]);
                digits = s.substring(0, s.length() - suffix[0].length());
                break;
            }
        }
        if (!digits.matches("\\d{1,12}")) {
            throw new IllegalArgumentException("expected a size such as 100MB, 512KB or 1048576, was '" + text + "'");
        }
        return Long.parseLong(digits) * unit;
    }

    /** Builds {@link DecisionLogSettings}; each value is checked when built and the message names its key. */
    public static final class Builder {
        private String to = STDOUT;
        private double sampleAllows = DEFAULT_SAMPLE_ALLOWS;
        private long maxFileSize = DEFAULT_MAX_FILE_SIZE;
        private int maxFiles = DEFAULT_MAX_FILES;
        private int queue = DEFAULT_QUEUE;

        private Builder() {
        }

        /** {@code stdout}, {@code stderr}, {@code off} or a file path. */
        public Builder to(String to) {
            Objects.requireNonNull(to, "to");
            String t = to.strip();
            String lower = t.toLowerCase(Locale.ROOT);
            if (lower.equals(STDOUT) || lower.equals(STDERR) || lower.equals(OFF)) {
                this.to = lower;
                return this;
            }
            if (t.isEmpty()) {
                throw new IllegalArgumentException("decision-log.to must be stdout, stderr, off or a file path, was empty");
            }
            try {
                this.to = Path.of(t).toString();
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("decision-log.to is not a file path: '" + to + "'");
            }
            return this;
        }

        public Builder sampleAllows(double share) {
            if (!(share >= 0 && share <= 1)) {
                throw new IllegalArgumentException("decision-log.sample-allows must be within 0..1, was " + share);
            }
            this.sampleAllows = share;
            return this;
        }

        /** At least 4 KB. */
        public Builder maxFileSize(long bytes) {
            if (bytes < 4096) {
                throw new IllegalArgumentException("decision-log.max-file-size must be at least 4KB, was " + bytes + " bytes");
            }
            this.maxFileSize = bytes;
            return this;
        }

        /** 1 to 1000, the current file included. */
        public Builder maxFiles(int files) {
            if (files < 1 || files > 1000) {
                throw new IllegalArgumentException("decision-log.max-files must be within 1..1000, was " + files);
            }
            this.maxFiles = files;
            return this;
        }

        /** 1 to 1 000 000 lines. */
        public Builder queue(int lines) {
            if (lines < 1 || lines > 1_000_000) {
                throw new IllegalArgumentException("decision-log.queue must be within 1..1000000, was " + lines);
            }
            this.queue = lines;
            return this;
        }

        public DecisionLogSettings build() {
            return new DecisionLogSettings(to, sampleAllows, maxFileSize, maxFiles, queue);
        }
    }
}
