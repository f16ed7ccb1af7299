package dev.gatehouse.engine.provider;

import dev.gatehouse.RequestFacts;
import dev.gatehouse.engine.Enricher;
import dev.gatehouse.engine.Signals;

import java.time.Duration;
import java.util.ArrayList;
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
        List<CompletableFuture<Signals>> each = new ArrayList<>(providers.size());
        boolean allDone = true;
        for (ProviderEnricher p : providers) {
            CompletableFuture<Signals> f;
            try {
                f = p.enrich(facts, known).toCompletableFuture();
            } catch (RuntimeException e) {
                f = CompletableFuture.completedFuture(known.toBuilder().note(p.name() + ": " + e).build());
            }
            each.add(f);
            allDone &= f.isDone();
        }
        if (allDone) {
            return CompletableFuture.completedFuture(combine(known, each));
        }
        CompletableFuture<Signals> result = new CompletableFuture<>();
        CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .whenComplete((v, e) -> result.complete(combine(known, each)));
        if (maxWait != null) {
            CompletableFuture.delayedExecutor(maxWait.toNanos(), TimeUnit.NANOSECONDS)
                    .execute(() -> result.complete(combine(known, each)));
        }
        return result;
    }

    /** Known signals plus what each provider that has answered added (its answer, status and notes), fused. */
    private Signals combine(Signals known, List<CompletableFuture<Signals>> each) {
        Signals.Builder b = known.toBuilder();
        int knownNotes = known.notes().size();
        for (int i = 0; i < each.size(); i++) {
            CompletableFuture<Signals> f = each.get(i);
            String source = providers.get(i).name();
            if (!f.isDone() || f.isCompletedExceptionally()) {
                b.source(new Signals.SourceStatus(source, null, "no answer within the providers' share of the budget"));
                continue;
            }
            Signals r = f.join();
            r.answers().stream().filter(a -> a.source().equals(source)).forEach(b::answer);
            r.sources().stream().filter(s -> s.name().equals(source)).forEach(b::source);
            r.notes().stream().skip(knownNotes).forEach(b::note);
        }
        return fusion.fuse(b.build());
    }

    @Override
    public void close() {
        providers.forEach(ProviderEnricher::close);
    }
}
