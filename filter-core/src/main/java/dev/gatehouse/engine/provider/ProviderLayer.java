package dev.gatehouse.engine.provider;

import dev.gatehouse.api.Enricher;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * All providers as one layer: asks them side by side with the same known signals (so their waits
 * overlap instead of adding up), takes what each said within its own timeout — and within
 * {@code maxWait}, the share of the request budget left to providers — then fuses. A cached answer
 * from every provider completes at once, on the caller's thread.
 */
final class ProviderLayer implements Enricher {

    private final List<ProviderEnricher> providers;
    private final Fusion fusion;
    private final Duration maxWait; // null: each provider's own timeout only

    ProviderLayer(List<ProviderEnricher> providers, Fusion fusion, Duration maxWait) {
        this.providers = List.copyOf(providers);
        this.fusion = fusion;
        this.maxWait = maxWait;
    }

    @Override
    public String name() {
        return "providers";
    }

    @Override
    public CompletionStage<Signals> enrich(RequestFacts facts, Signals known) {
        @SuppressWarnings("unchecked")
        CompletableFuture<ProviderEnricher.Outcome>[] each = new CompletableFuture[providers.size()];
        boolean allDone = true;
        for (int i = 0; i < each.length; i++) {
            ProviderEnricher p = providers.get(i);
            try {
                each[i] = p.outcome(known);
            } catch (RuntimeException e) {
                each[i] = CompletableFuture.completedFuture(ProviderEnricher.Outcome.failed(p.name(), e.toString()));
            }
            allDone &= each[i] == null || each[i].isDone();
        }
        if (allDone) {
            return CompletableFuture.completedFuture(combine(known, each));
        }
        CompletableFuture<Signals> result = new CompletableFuture<>();
        CompletableFuture.allOf(java.util.Arrays.stream(each).filter(java.util.Objects::nonNull).toArray(CompletableFuture[]::new))
                .whenComplete((v, e) -> result.complete(combine(known, each)));
        if (maxWait != null) {
            CompletableFuture.delayedExecutor(maxWait.toNanos(), TimeUnit.NANOSECONDS)
                    .execute(() -> result.complete(combine(known, each)));
        }
        return result;
    }

    /** Known signals plus what each provider that has answered added, fused; one builder for all of them. */
    private Signals combine(Signals known, CompletableFuture<ProviderEnricher.Outcome>[] each) {
        Signals.Builder b = null;
        for (int i = 0; i < each.length; i++) {
            CompletableFuture<ProviderEnricher.Outcome> f = each[i];
            if (f == null) {
                continue;
            }
            if (b == null) {
                b = known.toBuilder();
            }
            if (!f.isDone() || f.isCompletedExceptionally()) {
                b.source(new Signals.SourceStatus(providers.get(i).name(), null, "no answer within the providers' share of the budget"));
                continue;
            }
            f.join().addTo(b);
        }
        return b == null ? known : fusion.fuse(b.build());
    }

    @Override
    public void close() {
        providers.forEach(ProviderEnricher::close);
    }
}
