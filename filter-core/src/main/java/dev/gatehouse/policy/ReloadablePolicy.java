package dev.gatehouse.policy;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signals;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * A policy file that is watched and swapped atomically on a valid change; an invalid change keeps the
 * last good policy, logs each problem with its line and column, and is counted
 * ({@code gatehouse.policy.reloads{result=applied|rejected|unchanged|failed}}).
 *
 * <pre>{@code
 * try (ReloadablePolicy policy = ReloadablePolicy.watch(Path.of("policy.yaml"), PolicyLoader.defaults())) {
 *     Gatehouse gatehouse = Gatehouse.builder().policy(policy).engine(engine).build();
 *     ...
 *     ReloadResult result = policy.reload();   // also what POST /v1/reload calls
 * }
 * }</pre>
 *
 * <p>The watcher reacts only to the policy file and the CIDR lists it includes (found through their
 * directories, so editors that save by rename and Kubernetes ConfigMap swaps are seen). After a change
 * it waits for the content to <em>settle</em>: it reads the files, and installs what it read only when a
 * second read {@link #DEFAULT_SETTLE} later, with no change event in between, gives the same bytes. A
 * file being written in place is therefore never installed half-written as long as the writer does not
 * pause longer than the settle interval; replacing the file atomically ({@code mv} of a complete file)
 * is safe whatever the timing. Content already acted on (a rejected version that is touched again, say)
 * is not compiled or logged again.
 *
 * <p>Nothing a file can cause stops the watcher: a failure (even an {@link OutOfMemoryError} compiling
 * a huge policy) keeps the last good policy, is counted, and is reported by {@link #lastFailure()}.
 */
public final class ReloadablePolicy implements Policy, Supplier<Policy>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReloadablePolicy.class);

    /** How long the watched content must stay the same before it is installed. */
    public static final Duration DEFAULT_SETTLE = Duration.ofMillis(250);

    /**
     * What a reload did.
     *
     * @param applied  a new policy is now active
     * @param version  the version active after the reload
     * @param problems why the file was refused (empty when applied or unchanged)
     */
    public record ReloadResult(boolean applied, String version, List<PolicyProblem> problems) {
        public ReloadResult {
            problems = List.copyOf(problems);
        }
    }

    /**
     * The last reload that did not apply the file's content, for readiness reports.
     *
     * @param time    when it happened
     * @param message what went wrong (the first problem, and how many there were)
     * @param kept    the version that stays active
     */
    public record ReloadFailure(Instant time, String message, String kept) {
        public ReloadFailure {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(message, "message");
        }
    }

    private final Path file;
    private final BiFunction<Path, String, Policy> compiler;
    private final Clock clock;
    private final Duration settle;
    private final AtomicReference<Policy> current;
    private final AtomicReference<ReloadFailure> lastFailure = new AtomicReference<>();
    private final Counter applied;
    private final Counter rejected;
    private final Counter unchanged;
    private final Counter failed;
    private final Object reloadLock = new Object();
    private final Scheduler scheduler;
    private final FileWatcher watcher;

    // the settle round, guarded by settleLock
    private final Object settleLock = new Object();
    private boolean checkPending; // a settle check is scheduled
    private boolean dirty;        // a change was seen since the last read
    private String lastRead;      // fingerprint of the last read of this round
    private String handled;       // fingerprint of the content last acted on (guarded by reloadLock)

    private ReloadablePolicy(Path file, PolicyLoader loader, BiFunction<Path, String, Policy> compiler, Clock clock,
                             Duration settle, Scheduler scheduler, boolean watchFiles) {
        this.file = file;
        this.compiler = compiler;
        this.clock = clock;
        this.settle = settle;
        Policy first = compiler.apply(file, PolicyLoader.read(file));
        this.current = new AtomicReference<>(first);
        MeterRegistry registry = loader.registry();
        this.applied = registry.counter("gatehouse.policy.reloads", "result", "applied");
        this.rejected = registry.counter("gatehouse.policy.reloads", "result", "rejected");
        this.unchanged = registry.counter("gatehouse.policy.reloads", "result", "unchanged");
        this.failed = registry.counter("gatehouse.policy.reloads", "result", "failed");
        this.scheduler = scheduler;
        this.handled = fingerprint(first);
        FileWatcher w = null;
        if (watchFiles) {
            try {
                w = FileWatcher.start(watched(first), this::changed, "gatehouse-policy-watch");
            } catch (IOException | RuntimeException e) {
                log.warn("cannot watch {} for changes ({}); reload() still works", file, e.toString());
            }
        }
        this.watcher = w;
        log.info("policy {} version {} active", file, first.version());
    }

    /**
     * Loads {@code file} and watches it, and the lists it includes, for changes.
     *
     * @throws PolicyException when the first load fails
     */
    public static ReloadablePolicy watch(Path file, PolicyLoader loader) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(loader, "loader");
        return new ReloadablePolicy(file, loader, loader::load, Clock.systemUTC(), DEFAULT_SETTLE,
                Scheduler.daemon("gatehouse-policy-settle"), true);
    }

    /** Loads {@code file} without a watcher: it changes only through {@link #reload()}. */
    public static ReloadablePolicy manual(Path file, PolicyLoader loader) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(loader, "loader");
        return new ReloadablePolicy(file, loader, loader::load, Clock.systemUTC(), DEFAULT_SETTLE, null, false);
    }

    /**
     * For tests: settle checks on {@code scheduler}, failure times from {@code clock}, compilation by
     * {@code compiler}; file events only when {@code watchFiles} (else the test calls {@link #changed()}).
     */
    static ReloadablePolicy watch(Path file, PolicyLoader loader, BiFunction<Path, String, Policy> compiler, Clock clock,
                                  Duration settle, Scheduler scheduler, boolean watchFiles) {
        return new ReloadablePolicy(file, loader, compiler, clock, settle, scheduler, watchFiles);
    }

    /** Reloads now (also what {@code POST /v1/reload} calls). Never throws for a bad file: see the result. */
    public ReloadResult reload() {
        String text;
        try {
            text = PolicyLoader.read(file);
        } catch (PolicyException e) {
            synchronized (reloadLock) {
                return refused(current.get(), e.problems());
            }
        }
        return install(text, null);
    }

    /**
     * Compiles {@code text} and swaps it in when valid and new. {@code fingerprint} is that of the settled
     * content on the watcher's path, {@code null} for a manual reload.
     */
    private ReloadResult install(String text, String fingerprint) {
        synchronized (reloadLock) {
            Policy before = current.get();
            try {
                Policy next = compiler.apply(file, text);
                handled = fingerprint != null ? fingerprint : fingerprint(next);
                lastFailure.set(null);
                if (next.version().equals(before.version())) {
                    unchanged.increment();
                    return new ReloadResult(false, before.version(), List.of());
                }
                current.set(next);
                applied.increment();
                rewatch(next);
                log.info("policy {} reloaded: version {} replaces {}", file, next.version(), before.version());
                return new ReloadResult(true, next.version(), List.of());
            } catch (PolicyException e) {
                handled = fingerprint;
                return refused(before, e.problems());
            } catch (Throwable t) { // OutOfMemoryError, StackOverflowError or a bug: the watcher must go on
                handled = fingerprint;
                failed.increment();
                String message = "compiling the policy failed: " + t;
                lastFailure.set(new ReloadFailure(clock.instant(), message, before.version()));
                log.error("policy {} not reloaded ({}); version {} stays active", file, message, before.version(), t);
                return new ReloadResult(false, before.version(), List.of(new PolicyProblem(file.toString(), 0, 0, "",
                        t instanceof VirtualMachineError ? PolicyProblem.Kind.TOO_LARGE : PolicyProblem.Kind.INTERNAL, message)));
            }
        }
    }

    private ReloadResult refused(Policy kept, List<PolicyProblem> problems) {
        rejected.increment();
        String first = problems.isEmpty() ? "refused" : problems.get(0).toString();
        lastFailure.set(new ReloadFailure(clock.instant(), problems.size() <= 1 ? first
                : first + " (and " + (problems.size() - 1) + " more)", kept.version()));
        log.warn("policy {} refused ({} problem{}); version {} stays active", file, problems.size(),
                problems.size() == 1 ? "" : "s", kept.version());
        problems.forEach(p -> log.warn("  {}", p));
        return new ReloadResult(false, kept.version(), problems);
    }

    /** A watched file changed: start (or prolong) waiting for the content to settle. */
    void changed() {
        synchronized (settleLock) {
            dirty = true;
            if (!checkPending && scheduler != null) {
                checkPending = true;
                scheduler.schedule(Duration.ZERO, this::settleCheck);
            }
        }
    }

    /** One read of the settle round: installs what was read when it equals the previous read and all was quiet. */
    private void settleCheck() {
        try {
            Snapshot snapshot = snapshot();
            boolean settled;
            synchronized (settleLock) {
                settled = !dirty && snapshot.fingerprint.equals(lastRead);
                dirty = false;
                if (settled) {
                    checkPending = false;
                    lastRead = null;
                } else {
                    lastRead = snapshot.fingerprint;
                    scheduler.schedule(settle, this::settleCheck);
                }
            }
            if (settled) {
                installSettled(snapshot);
            }
        } catch (Throwable t) { // never leave the round half-finished: the next change must start a new one
            synchronized (settleLock) {
                checkPending = false;
                lastRead = null;
            }
            failed.increment();
            lastFailure.set(new ReloadFailure(clock.instant(), "checking the policy failed: " + t, current.get().version()));
            log.error("policy {}: checking for a change failed; still watching", file, t);
        }
    }

    private void installSettled(Snapshot snapshot) {
        synchronized (reloadLock) {
            if (snapshot.fingerprint.equals(handled)) {
                return; // seen before (touched, or written back): already applied, or refused and logged once
            }
            if (snapshot.text == null) {
                handled = snapshot.fingerprint;
                refused(current.get(), snapshot.problems);
                return;
            }
            if (!snapshot().fingerprint.equals(snapshot.fingerprint)) {
                changed(); // it moved again while we were deciding: start a new round rather than install a stale read
                return;
            }
            install(snapshot.text, snapshot.fingerprint);
        }
    }

    /** The policy's text (or why it cannot be read) and a hash of it and of the lists the active policy includes. */
    private record Snapshot(String text, List<PolicyProblem> problems, String fingerprint) {}

    private Snapshot snapshot() {
        String text = null;
        List<PolicyProblem> problems = List.of();
        try {
            text = PolicyLoader.read(file);
        } catch (PolicyException e) {
            problems = e.problems();
        }
        MessageDigest digest = sha256();
        digest.update((text == null ? "\u0000unreadable:" + problems : text).getBytes(StandardCharsets.UTF_8));
        for (Path include : includes(current.get())) {
            digest.update(("\u0000" + include + "\u0000").getBytes(StandardCharsets.UTF_8));
            try {
                digest.update(Files.readAllBytes(include));
            } catch (IOException | RuntimeException e) {
                digest.update("\u0000missing".getBytes(StandardCharsets.UTF_8));
            }
        }
        return new Snapshot(text, problems, HexFormat.of().formatHex(digest.digest()));
    }

    /**
     * Stands for content acted on outside a settle round (the first load, a manual reload). It matches no
     * round's fingerprint, so the watcher's next round compiles once more and finds the version unchanged.
     */
    private static String fingerprint(Policy policy) {
        return "loaded:" + policy.version();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }

    private static List<Path> includes(Policy policy) {
        return policy instanceof CompiledPolicy compiled ? compiled.includes() : List.of();
    }

    private List<Path> watched(Policy policy) {
        List<Path> files = new ArrayList<>();
        files.add(file);
        files.addAll(includes(policy));
        return files;
    }

    private void rewatch(Policy policy) {
        if (watcher != null) {
            try {
                watcher.watch(watched(policy));
            } catch (IOException | RuntimeException e) {
                log.warn("cannot watch the lists of {} ({}); reload() applies their changes", file, e.toString());
            }
        }
    }

    /**
     * The last reload that failed (the file was refused, or compiling it failed), unless a later one
     * succeeded. Readiness reports it: the last good policy is still serving, but not the file on disk.
     */
    public Optional<ReloadFailure> lastFailure() {
        return Optional.ofNullable(lastFailure.get());
    }

    /** The policy in force now. */
    @Override
    public Policy get() {
        return current.get();
    }

    @Override
    public Decision evaluate(RequestFacts request, Signals signals) {
        return current.get().evaluate(request, signals);
    }

    @Override
    public Decision explain(RequestFacts request, Signals signals) {
        return current.get().explain(request, signals);
    }

    @Override
    public String name() {
        return current.get().name();
    }

    /** The version of the policy in force now. */
    @Override
    public String version() {
        return current.get().version();
    }

    /** Stops watching. */
    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        if (scheduler != null) {
            scheduler.close();
        }
    }
}
