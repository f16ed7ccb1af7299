package dev.gatehouse.decisionlog;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * One JSON line per decision ({@code docs/decision-log.md} names each field), written off the request
 * path: a request only checks {@link #wants} and, when it is wanted, {@link #record}s an {@link Entry}
 * into a bounded queue; one daemon thread ({@code gatehouse-decision-log}) writes the lines. A full queue
 * (a slow disk) drops the line and counts it ({@code gatehouse.decision_log.dropped}, {@link #dropped()}),
 * so a request never waits for the log.
 *
 * <p>Every refusal is kept (block, rate limit, challenge, and a shadowed one that only would have
 * refused); allows are sampled ({@code sample-allows}). An allow that is not sampled costs one random
 * number. Lines are safe to read with line-oriented tools whatever a client sent: Jackson escapes quotes
 * and control characters, every non-ASCII character is escaped too (so no U+2028 or other separator
 * reaches the file raw), and each client-chosen field is cut to a fixed length.
 *
 * <pre>{@code
 * try (DecisionLog log = DecisionLog.create(DecisionLogSettings.ofDefaults(), registry)) {
 *     if (log.wants(decision)) {
 *         log.record(new DecisionLog.Entry(requestId, decision, "GET", host, path, userAgent, 403));
 *     }
 * }
 * }</pre>
 */
public final class DecisionLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DecisionLog.class);
    private static final DecisionLog OFF = new DecisionLog();

    /**
     * What one line says about a request; the time is taken when it is {@linkplain #record recorded}.
     *
     * @param requestId the request's {@code X-Request-Id}
     * @param decision  the decision enforced
     * @param method    the request method
     * @param host      the {@code Host} the client sent, or {@code null}
     * @param path      the request path, or {@code null}
     * @param userAgent the client's {@code User-Agent}, or {@code null}
     * @param status    the status the client got (the upstream's for an allow), 0 when unknown
     */
    public record Entry(String requestId, Decision decision, String method, String host, String path, String userAgent, int status) {
        public Entry {
            Objects.requireNonNull(decision, "decision");
        }
    }

    /** Where the lines go. Called by the writer thread only. */
    interface Sink extends AutoCloseable {
        void write(byte[] line, int length) throws IOException;

        void flush() throws IOException;

        @Override
        void close() throws IOException;
    }

    private final DecisionLogSettings settings;
    private final BlockingQueue<Stamped> queue;
    private final Sink sink;
    private final Clock clock;
    private final DoubleSupplier random;
    private final Counter droppedCounter;
    private final Counter writtenCounter;
    private final Counter failedCounter;
    private final Thread writer;
    private volatile boolean closed;
    private volatile boolean warnedDrop;

    private record Stamped(long millis, Entry entry) {}

    private static final Stamped STOP = new Stamped(0, null);

    private DecisionLog() {
        this.settings = DecisionLogSettings.custom().to(DecisionLogSettings.OFF).build();
        this.queue = null;
        this.sink = null;
        this.clock = Clock.systemUTC();
        this.random = () -> 1;
        SimpleMeterRegistry none = new SimpleMeterRegistry();
        this.droppedCounter = none.counter("none");
        this.writtenCounter = droppedCounter;
        this.failedCounter = droppedCounter;
        this.writer = null;
        this.closed = true;
    }

    private DecisionLog(DecisionLogSettings settings, Sink sink, MeterRegistry registry, Clock clock, DoubleSupplier random) {
        this.settings = settings;
        this.queue = new ArrayBlockingQueue<>(settings.queue());
        this.sink = sink;
        this.clock = clock;
        this.random = random;
        this.droppedCounter = Counter.builder("gatehouse.decision_log.dropped")
                .description("Decision-log lines dropped because the writer fell behind (queue full)").register(registry);
        this.writtenCounter = Counter.builder("gatehouse.decision_log.written")
                .description("Decision-log lines written").register(registry);
        this.failedCounter = Counter.builder("gatehouse.decision_log.failed")
                .description("Decision-log lines that could not be written (I/O error)").register(registry);
        this.writer = new Thread(this::drain, "gatehouse-decision-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** A log that writes nothing and wants nothing. */
    public static DecisionLog off() {
        return OFF;
    }

    /**
     * The log {@code settings} describe; a file target is opened now (its directory is created), so a
     * path that cannot be written stops the start naming the file.
     *
     * @throws UncheckedIOException naming the file when it cannot be opened
     */
    public static DecisionLog create(DecisionLogSettings settings, MeterRegistry registry) {
        return create(settings, registry, Clock.systemUTC());
    }

    /** As {@link #create(DecisionLogSettings, MeterRegistry)}, the line times read from {@code clock}. */
    public static DecisionLog create(DecisionLogSettings settings, MeterRegistry registry, Clock clock) {
        Objects.requireNonNull(settings, "settings");
        if (!settings.enabled()) {
            return OFF;
        }
        Sink sink;
        if (settings.file() != null) {
            try {
                sink = new RotatingFile(settings.file(), settings.maxFileSize(), settings.maxFiles());
            } catch (IOException e) {
                throw new UncheckedIOException("decision-log.to: cannot write " + settings.file().toAbsolutePath() + ": " + e, e);
            }
        } else {
            sink = new StreamSink(DecisionLogSettings.STDERR.equals(settings.to()) ? System.err : System.out);
        }
        return new DecisionLog(settings, sink, registry, clock, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** For tests: lines into {@code sink}, sampling by {@code random}. */
    static DecisionLog create(DecisionLogSettings settings, Sink sink, MeterRegistry registry, Clock clock, DoubleSupplier random) {
        return new DecisionLog(settings, sink, registry, clock, random);
    }

    /** Whether anything is logged at all. */
    public boolean enabled() {
        return writer != null;
    }

    /** The settings in force. */
    public DecisionLogSettings settings() {
        return settings;
    }

    /**
     * Whether {@code decision} gets a line: every decision that refuses or would have refused (shadow),
     * and a sampled share of allows. Draws one random number for an allow; ask once per request.
     */
    public boolean wants(Decision decision) {
        if (closed) {
            return false;
        }
        if (decision.verdict() != Verdict.ALLOW || decision.shadowed() != null) {
            return true;
        }
        double share = settings.sampleAllows();
        return share > 0 && (share >= 1 || random.getAsDouble() < share);
    }

    /** Queues the line for {@code entry}; drops and counts it when the queue is full. Never blocks. */
    public void record(Entry entry) {
        if (closed) {
            return;
        }
        if (!queue.offer(new Stamped(clock.millis(), entry))) {
            droppedCounter.increment();
            if (!warnedDrop) {
                warnedDrop = true; // once: the metric and /readyz carry the count from here on
                log.warn("decision log: the writer is behind ({} lines queued), lines are being dropped; see "
                        + "gatehouse_decision_log_dropped_total", settings.queue());
            }
        }
    }

    /** Lines dropped so far because the queue was full. */
    public long dropped() {
        return (long) droppedCounter.count();
    }

    /** A line for readiness pages while lines are being dropped, else {@code null}. */
    public String readinessDetail() {
        long dropped = dropped();
        return dropped == 0 ? null : "decision log: " + dropped + " lines dropped (writer behind; see gatehouse_decision_log_dropped_total)";
    }

    private void drain() {
        LineWriter lines = new LineWriter();
        List<Stamped> batch = new ArrayList<>(256);
        try {
            while (true) {
                Stamped first = queue.take();
                batch.add(first);
                queue.drainTo(batch, 1023);
                boolean stop = false;
                for (Stamped s : batch) {
                    if (s == STOP) {
                        stop = true;
                        continue;
                    }
                    write(lines, s);
                }
                batch.clear();
                flush();
                if (stop) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void write(LineWriter lines, Stamped s) {
        try {
            LineWriter.Line line = lines.line(s.millis(), s.entry());
            sink.write(line.bytes(), line.length());
            writtenCounter.increment();
        } catch (IOException | RuntimeException e) {
            failedCounter.increment();
            if (failedCounter.count() == 1 || ((long) failedCounter.count()) % 10_000 == 0) {
                log.warn("decision log: a line could not be written ({} so far): {}", (long) failedCounter.count(), e.toString());
            }
        }
    }

    private void flush() {
        try {
            sink.flush();
        } catch (IOException e) {
            failedCounter.increment();
        }
    }

    /** Writes the lines still queued (waiting up to 5 s for the writer), then closes a file target. */
    @Override
    public void close() {
        if (writer == null || closed) {
            return;
        }
        closed = true;
        try {
            if (!queue.offer(STOP, 1, TimeUnit.SECONDS)) {
                writer.interrupt();
            }
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                sink.close();
            } catch (IOException e) {
                log.warn("decision log: closing {} failed: {}", settings.to(), e.toString());
            }
        }
    }
}
