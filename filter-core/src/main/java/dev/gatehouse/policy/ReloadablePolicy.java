package dev.gatehouse.policy;

import dev.gatehouse.Decision;
import dev.gatehouse.RequestFacts;
import dev.gatehouse.engine.Signals;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * A policy file that is watched and swapped atomically on a valid change; an invalid change keeps the
 * last good policy. STUB: owned by the policy work; replace wholesale (keep the signatures).
 */
public final class ReloadablePolicy implements Policy, Supplier<Policy>, AutoCloseable {

    /** What a reload did. */
    public record ReloadResult(boolean applied, String version, List<PolicyProblem> problems) {}

    private final Policy current;

    private ReloadablePolicy(Policy current) {
        this.current = current;
    }

    /**
     * Loads {@code file} and watches it for changes.
     *
     * @throws PolicyException when the first load fails
     */
    public static ReloadablePolicy watch(Path file, PolicyLoader loader) {
        return new ReloadablePolicy(loader.load(file));
    }

    /** Reloads now (also what {@code POST /v1/reload} calls). */
    public ReloadResult reload() {
        return new ReloadResult(false, current.version(), List.of());
    }

    @Override
    public Policy get() {
        return current;
    }

    @Override
    public Decision evaluate(RequestFacts request, Signals signals) {
        return current.evaluate(request, signals);
    }

    @Override
    public String name() {
        return current.name();
    }

    @Override
    public String version() {
        return current.version();
    }

    @Override
    public void close() {
    }
}
