package dev.gatehouse.api;

import java.util.concurrent.CompletionStage;

/**
 * A source of {@link Signals} for a request's client address: the embedded offline data, a remote
 * provider, or a composition of several.
 *
 * <p>Lookups are asynchronous. The caller bounds each one with a time budget; an engine that can
 * answer partially should complete with what it knows rather than fail.
 */
@FunctionalInterface
public interface IntelligenceEngine extends AutoCloseable {

    /** Looks up the signals for {@code facts.clientIp()} (and, for crawler checks, the User-Agent). */
    CompletionStage<Signals> lookup(RequestFacts facts);

    /** The name used in sources and logs, e.g. {@code embedded}. */
    default String name() {
        return getClass().getSimpleName();
    }

    /** The data sets this engine reads, with their ages; empty when unknown. */
    default java.util.List<Signals.SourceStatus> sources() {
        return java.util.List.of();
    }

    @Override
    default void close() {
    }

    /**
     * Implemented by the stage a {@link #lookup} returns when the engine can tell, before it answers,
     * what its sources have said so far ({@link dev.gatehouse.engine.Engines#layered} does). A caller
     * whose budget runs out decides on that rather than on nothing.
     */
    interface Progress {
        /** The signals known now, scored as a full answer would be; {@code null} when no source has answered yet. */
        Signals knownSoFar();
    }
}
