package dev.gatehouse.policy;

import dev.gatehouse.Decision;
import dev.gatehouse.RequestFacts;
import dev.gatehouse.engine.Signals;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A policy file that is watched and swapped atomically on a valid change; an invalid change keeps the
 * last good policy, logs each problem with its line and column, and is counted
 * ({@code gatehouse.policy.reloads{result=applied|rejected|unchanged}}).
 *
 * <pre>{@code
 * try (ReloadablePolicy policy = ReloadablePolicy.watch(Path.of("policy.yaml"), PolicyLoader.defaults())) {
 *     Gatehouse gatehouse = Gatehouse.builder().policy(policy).engine(engine).build();
 *     ...
 *     ReloadResult result = policy.reload();   // also what POST /v1/reload calls
 * }
 * }</pre>
 *
 * <p>The watcher observes the file's directory (so editors that save by rename, and Kubernetes
 * ConfigMap symlink swaps, are seen) and reloads on any change there; an unchanged text is a no-op.
 */
public final class ReloadablePolicy implements Policy, Supplier<Policy>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReloadablePolicy.class);

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

    private final Path file;
    private final PolicyLoader loader;
    private final AtomicReference<Policy> current;
    private final Counter applied;
    private final Counter rejected;
    private final Counter unchanged;
    private final WatchService watcher;
    private final Thread watchThread;
    private final Object reloadLock = new Object();

    private ReloadablePolicy(Path file, PolicyLoader loader, Policy first, boolean watch) {
        this.file = file;
        this.loader = loader;
        this.current = new AtomicReference<>(first);
        MeterRegistry registry = loader.registry();
        this.applied = registry.counter("gatehouse.policy.reloads", "result", "applied");
        this.rejected = registry.counter("gatehouse.policy.reloads", "result", "rejected");
        this.unchanged = registry.counter("gatehouse.policy.reloads", "result", "unchanged");
        WatchService ws = null;
        Thread thread = null;
        if (watch) {
            try {
                Path dir = file.toAbsolutePath().getParent();
                ws = FileSystems.getDefault().newWatchService();
                dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
                WatchService service = ws;
                thread = new Thread(() -> watchLoop(service), "gatehouse-policy-watch");
                thread.setDaemon(true);
                thread.start();
            } catch (IOException | UnsupportedOperationException e) {
                log.warn("cannot watch {} for changes ({}); reload() still works", file, e.toString());
            }
        }
        this.watcher = ws;
        this.watchThread = thread;
        log.info("policy {} version {} active", file, first.version());
    }

    /**
     * Loads {@code file} and watches it for changes.
     *
     * @throws PolicyException when the first load fails
     */
    public static ReloadablePolicy watch(Path file, PolicyLoader loader) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(loader, "loader");
        return new ReloadablePolicy(file, loader, loader.load(file), true);
    }

    /** Loads {@code file} without a watcher: it changes only through {@link #reload()}. */
    public static ReloadablePolicy manual(Path file, PolicyLoader loader) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(loader, "loader");
        return new ReloadablePolicy(file, loader, loader.load(file), false);
    }

    /** Reloads now (also what {@code POST /v1/reload} calls). Never throws for a bad file: see the result. */
    public ReloadResult reload() {
        synchronized (reloadLock) {
            Policy before = current.get();
            try {
                // compiling is cheap (milliseconds) and also re-reads the CIDR lists, whose changes count too
                Policy next = loader.load(file);
                if (next.version().equals(before.version())) {
                    unchanged.increment();
                    return new ReloadResult(false, before.version(), List.of());
                }
                current.set(next);
                applied.increment();
                log.info("policy {} reloaded: version {} replaces {}", file, next.version(), before.version());
                return new ReloadResult(true, next.version(), List.of());
            } catch (PolicyException e) {
                return refused(before, e.problems());
            }
        }
    }

    private ReloadResult refused(Policy kept, List<PolicyProblem> problems) {
        rejected.increment();
        log.warn("policy {} refused ({} problem{}); version {} stays active", file, problems.size(),
                problems.size() == 1 ? "" : "s", kept.version());
        problems.forEach(p -> log.warn("  {}", p));
        return new ReloadResult(false, kept.version(), problems);
    }

    private void watchLoop(WatchService service) {
        try {
            while (true) {
                WatchKey key = service.take();
                key.pollEvents(); // which entry changed does not matter: reload compares content hashes
                try {
                    reload();
                } catch (RuntimeException e) {
                    log.error("policy reload of {} failed", file, e);
                }
                if (!key.reset()) {
                    log.warn("policy directory of {} is gone; watching stopped", file);
                    return;
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        }
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
            try {
                watcher.close();
            } catch (IOException e) {
                log.debug("closing the policy watcher", e);
            }
        }
        if (watchThread != null) {
            watchThread.interrupt();
        }
    }
}
