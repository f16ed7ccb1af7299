package dev.gatehouse.api;

import java.util.concurrent.CompletionStage;

/**
 * A layer that adds to what earlier sources found: crawler verification (needs the User-Agent and
 * the IP-range answer), remote providers. An enricher keeps to its own time budget and, when it
 * fails, completes with {@code known} plus a note rather than failing the lookup.
 */
@FunctionalInterface
public interface Enricher extends AutoCloseable {

    CompletionStage<Signals> enrich(RequestFacts facts, Signals known);

    /** The name used in sources and logs, e.g. {@code rdns} or {@code provider:iptrust}. */
    default String name() {
        return getClass().getSimpleName();
    }

    @Override
    default void close() {
    }
}
