package dev.gatehouse.engine.provider;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.gatehouse.api.Enricher;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signals;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;

/** One provider against a {@link FakeProvider}, on a clock the test moves. */
final class Harness implements AutoCloseable {

    static final HttpClient HTTP = Providers.httpClient();
    static final String KEY = "sekret-KEY-123";

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));
    final Ticker ticker = () -> {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    };
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final FakeProvider server;
    final Providers providers;
    final Enricher layer;
    final String name;

    Harness(String name, UnaryOperator<ProviderSettings.Builder> settings) throws Exception {
        this.name = name;
        this.server = new FakeProvider();
        ProviderSettings s = settings.apply(ProviderSettings.builder(name).apiKey(KEY).baseUrl(server.baseUrl())
                .when(ProviderSettings.When.ALWAYS).timeout(Duration.ofSeconds(5))).build();
        this.providers = Providers.create(List.of(s), HTTP, clock, ticker, registry);
        this.layer = providers.enrichers().get(0);
    }

    Harness(String name) throws Exception {
        this(name, b -> b);
    }

    Signals enrich(String ip) {
        return enrich(Signals.of(IpAddress.parse(ip)));
    }

    Signals enrich(Signals known) {
        return layer.enrich(RequestFacts.forIp(known.ip()), known).toCompletableFuture().join();
    }

    ProviderHealth health() {
        return providers.health().get(0);
    }

    void advance(Duration d) {
        clock.advance(d);
    }

    @Override
    public void close() {
        providers.close();
        server.close();
    }
}
