package dev.gatehouse.engine.provider;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.gatehouse.api.Enricher;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.ThreatScorer;
import dev.gatehouse.engine.embedded.Scoring;
import dev.gatehouse.net.IpAddress;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * The remote providers, built from their settings: one {@link Enricher} per enabled provider, then the
 * {@link Fusion} layer, to put after the embedded engine and crawler verification:
 *
 * <pre>{@code
 * Providers providers = Providers.create(settings.providers(), Providers.httpClient(), Clock.systemUTC(),
 *         Ticker.systemTicker(), registry);
 * List<Enricher> layers = new ArrayList<>(List.of(crawlerVerifier));
 * layers.addAll(providers.enrichers());
 * IntelligenceEngine engine = Engines.layered(embedded, Scoring.defaults(), layers);
 * }</pre>
 *
 * Also: {@link #health()} for readiness pages, {@link #prewarm} (bulk endpoints into the caches) and
 * {@link #report} (opt-in reports of blocked attackers to ipinsights).
 */
public final class Providers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Providers.class);

    /** The share of the request budget the providers may wait, in percent. */
    public static final int BUDGET_SHARE_PERCENT = 40;

    /** The report categories ipinsights accepts. */
    static final List<String> REPORT_CATEGORIES = List.of("ssh_bruteforce", "rdp_bruteforce", "web_bruteforce", "web_attack",
            "sql_injection", "xss", "port_scan", "vulnerability_scan", "exploit_attempt", "credential_stuffing", "phishing", "spam",
            "malware", "ddos", "botnet", "c2", "tor_abuse", "open_proxy_abuse", "other");

    private final List<ProviderEnricher> providers;
    private final Fusion fusion;
    private final Cache<IpAddress, Boolean> reported;
    private final DoubleSupplier random;
    private final Duration maxWait;

    private Providers(List<ProviderEnricher> providers, Fusion fusion, Ticker ticker, DoubleSupplier random, Duration maxWait) {
        this.providers = List.copyOf(providers);
        this.fusion = fusion;
        this.maxWait = maxWait;
        this.random = random;
        this.reported = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofHours(24)).ticker(ticker)
                .executor(Runnable::run).build();
    }

    /** A JDK client that speaks HTTP/2 where the provider offers it, with a 2 s connect timeout. */
    public static HttpClient httpClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Builds the enabled providers among {@code settings} (at most one per name).
     *
     * @param clock    wall time: answer dates, rate-limit reset times, the circuit breaker
     * @param ticker   monotonic nanoseconds: cache ages and quotas (tests move both by hand)
     */
    public static Providers create(List<ProviderSettings> settings, HttpClient http, Clock clock, Ticker ticker,
                                   MeterRegistry registry) {
        return create(settings, http, clock, ticker, registry, null, Scoring.defaults());
    }

    /**
     * As above, within a request budget: the providers, asked side by side, are waited for at most
     * {@value #BUDGET_SHARE_PERCENT} % of {@code budget} (crawler verification may take up to 60 % before
     * them), whatever their own timeouts; answers that come later still fill the caches.
     *
     * @param budget      the {@code budget} setting; {@code null} = each provider's own timeout only
     * @param provisional the scorer {@code when: inconclusive} applies to the signals known before the providers
     */
    public static Providers create(List<ProviderSettings> settings, HttpClient http, Clock clock, Ticker ticker,
                                   MeterRegistry registry, Duration budget, ThreatScorer provisional) {
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(provisional, "provisional");
        List<ProviderEnricher> enrichers = new ArrayList<>();
        Map<String, Double> weights = new LinkedHashMap<>();
        for (ProviderSettings s : settings) {
            if (weights.containsKey(s.source())) {
                throw new IllegalStateException("providers." + s.name() + " is configured twice");
            }
            if (!s.enabled()) {
                continue;
            }
            weights.put(s.source(), s.weight());
            ProviderClient client = new ProviderClient(api(s), http, clock, ticker, registry);
            enrichers.add(new ProviderEnricher(client, clock, ticker, provisional));
            log.info("provider {} enabled: {}", s.name(), s);
        }
        Duration maxWait = budget == null ? null : budget.multipliedBy(BUDGET_SHARE_PERCENT).dividedBy(100);
        return new Providers(enrichers, new Fusion(weights), ticker, () -> ThreadLocalRandom.current().nextDouble(), maxWait);
    }

    /** No provider: no enrichers, empty {@link #health()}, nothing to close. */
    public static Providers none() {
        return new Providers(List.of(), new Fusion(Map.of()), Ticker.systemTicker(), () -> 0.0, null);
    }

    static ProviderApi api(ProviderSettings s) {
        return switch (s.name()) {
            case "iptrust" -> new IpTrustApi(s);
            case "ipbot" -> new IpBotApi(s);
            case "ipinsights" -> new IpInsightsApi(s);
            case "ipgeolocation" -> new IpGeolocationApi(s);
            case "ipintel" -> new IpIntelApi(s);
            default -> throw new IllegalArgumentException("unknown provider " + s.name());
        };
    }

    /**
     * The layer to add after crawler verification: every enabled provider asked side by side, then the
     * fusion of their answers; empty when none is enabled.
     */
    public List<Enricher> enrichers() {
        return providers.isEmpty() ? List.of() : List.of(new ProviderLayer(providers, fusion, maxWait));
    }

    /** Each enabled provider's state, for {@code /readyz} and {@code /healthz} details. */
    public List<ProviderHealth> health() {
        return providers.stream().map(p -> p.client().health()).toList();
    }

    /**
     * Asks one provider about one address now, ignoring {@code when} and the cache, and fuses the answer:
     * what {@code lookup --provider} prints.
     *
     * @throws IllegalStateException (in the future) with one line when the provider gave no answer
     *                               (key rejected, rate limited, unreachable…)
     */
    public CompletableFuture<Signals> ask(String provider, IpAddress ip) {
        ProviderEnricher p = providers.stream().filter(e -> e.client().settings().name().equals(provider)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("provider " + provider + " is not enabled"));
        if (!ProviderEnricher.askable(ip)) {
            return CompletableFuture.failedFuture(new IllegalStateException(ip + " is a private or special-use address: providers are never asked about it"));
        }
        return p.client().lookup(ip).handle((answer, error) -> {
            if (error != null) {
                throw new IllegalStateException(provider + ": " + ProviderEnricher.reason(error));
            }
            Signals.Builder b = Signals.builder(ip);
            String source = p.name();
            if (answer.found()) {
                b.answer(new Signals.SourceAnswer(source, answer.values(), answer.raw()));
            }
            b.source(new Signals.SourceStatus(source, null, answer.found() ? null : "no data: " + answer.reason()));
            return fusion.fuse(b.build());
        });
    }

    /** What {@link #prewarm} did for one provider. */
    public record PrewarmResult(String provider, int asked, int cached, int calls, long credits, String problem) {}

    /**
     * Fills the caches of the providers that have a bulk endpoint (ipinsights: 100 per call;
     * IPGeolocation: 50,000 per call, 2 credits per valid address) with answers for {@code ips}.
     * Private and duplicate addresses are dropped first. Providers without a bulk endpoint are left
     * out (a per-address prewarm would spend their quota one call at a time).
     */
    public CompletableFuture<List<PrewarmResult>> prewarm(List<IpAddress> ips) {
        List<IpAddress> unique = new ArrayList<>(new LinkedHashSet<>(ips)).stream().filter(ProviderEnricher::askable).toList();
        List<CompletableFuture<PrewarmResult>> all = new ArrayList<>();
        for (ProviderEnricher p : providers) {
            int limit = p.client().api().bulkLimit();
            if (limit == 0) {
                continue;
            }
            all.add(prewarm(p, unique, limit));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .thenApply(v -> all.stream().map(CompletableFuture::join).toList());
    }

    private static CompletableFuture<PrewarmResult> prewarm(ProviderEnricher p, List<IpAddress> ips, int limit) {
        String name = p.client().settings().name();
        int perAddress = p.client().api() instanceof IpGeolocationApi ? IpGeolocationApi.CREDITS_PER_LOOKUP : 1;
        CompletableFuture<PrewarmResult> chain = CompletableFuture.completedFuture(new PrewarmResult(name, 0, 0, 0, 0, null));
        for (int from = 0; from < ips.size(); from += limit) {
            List<IpAddress> chunk = ips.subList(from, Math.min(ips.size(), from + limit));
            chain = chain.thenCompose(sofar -> sofar.problem() != null ? CompletableFuture.completedFuture(sofar)
                    : p.client().bulk(chunk).handle((answers, error) -> {
                        if (error != null) {
                            return new PrewarmResult(name, sofar.asked() + chunk.size(), sofar.cached(), sofar.calls() + 1,
                                    sofar.credits(), ProviderEnricher.reason(error));
                        }
                        answers = new LinkedHashMap<>(answers);
                        answers.keySet().retainAll(new LinkedHashSet<>(chunk)); // only what was asked for
                        p.fill(answers);
                        long found = answers.values().stream().filter(ProviderAnswer::found).count();
                        return new PrewarmResult(name, sofar.asked() + chunk.size(), sofar.cached() + answers.size(),
                                sofar.calls() + 1, sofar.credits() + found * perAddress, null);
                    }));
        }
        return chain;
    }

    /**
     * Reports a blocked attacker to ipinsights' {@code /api/v1/report} when {@code report-sample-rate}
     * is above 0: sampled, at most once a day per address (ipinsights refuses repeats within 15 minutes),
     * within the provider's quota (each report costs one lookup), never for private addresses.
     * Categories are derived from the signals ({@code tor_abuse}, {@code open_proxy_abuse},
     * {@code web_attack} otherwise). Completes with whether a report was sent and accepted.
     */
    public CompletableFuture<Boolean> report(Signals signals, String rule) {
        ProviderEnricher ipinsights = providers.stream().filter(p -> p.client().api() instanceof IpInsightsApi).findFirst().orElse(null);
        IpAddress ip = signals.ip();
        if (ipinsights == null || ipinsights.client().settings().reportSampleRate() <= 0 || !ProviderEnricher.askable(ip)
                || signals.isTrue(Signal.BOGON) || random.getAsDouble() >= ipinsights.client().settings().reportSampleRate()
                || reported.asMap().putIfAbsent(ip, Boolean.TRUE) != null) {
            return CompletableFuture.completedFuture(false);
        }
        List<String> categories = new ArrayList<>();
        if (signals.isTrue(Signal.TOR)) {
            categories.add("tor_abuse");
        }
        if (signals.isTrue(Signal.PROXY) && "open".equals(signals.string(Signal.PROXY_TYPE))) {
            categories.add("open_proxy_abuse");
        }
        if (categories.isEmpty()) {
            categories.add("web_attack");
        }
        IpInsightsApi api = (IpInsightsApi) ipinsights.client().api();
        return ipinsights.client().send(api.reportRequest(ip, categories, "blocked by Gatehouse rule " + rule))
                .handle((status, error) -> error == null && status == 201);
    }

    @Override
    public void close() {
        providers.forEach(ProviderEnricher::close);
    }

    static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
