package dev.gatehouse.engine.embedded;

import dev.gatehouse.RequestFacts;
import dev.gatehouse.engine.IntelligenceEngine;
import dev.gatehouse.engine.Signals;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The offline engine. STUB: owned by the embedded-engine work; replace wholesale (keep {@link #loadDefault()}). */
public final class EmbeddedEngine implements IntelligenceEngine {

    /** The engine on the data bundled in the jar. */
    public static EmbeddedEngine loadDefault() {
        return new EmbeddedEngine();
    }

    @Override
    public CompletionStage<Signals> lookup(RequestFacts facts) {
        return CompletableFuture.completedFuture(Signals.of(facts.clientIp()));
    }

    @Override
    public String name() {
        return "embedded";
    }
}
