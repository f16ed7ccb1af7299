package dev.gatehouse.benchmarks;

import com.github.benmanes.caffeine.cache.Ticker;
import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.engine.Engines;
import dev.gatehouse.engine.embedded.EmbeddedEngine;
import dev.gatehouse.engine.embedded.Scoring;
import dev.gatehouse.engine.provider.ProviderSettings;
import dev.gatehouse.engine.provider.Providers;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.policy.PolicyLoader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The cost of a cached provider answer on the decision path: {@code Gatehouse.decide} with the embedded
 * engine, the scoring table and {@code policies/default.yaml}, with no provider ({@code none}, the
 * baseline), with one provider ({@code ipintel}) or with all five, every address already in their caches
 * (filled in setup from a local server answering IPIntel's / IP Trust's example bodies). 1,024 public
 * addresses, one thread.
 *
 * <p>Run (from the repository root):
 * <pre>
 * mvn -B -q -pl filter-core,benchmarks -am package dependency:build-classpath -Dmdep.outputFile=target/cp.txt -DskipTests
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/cp.txt) org.openjdk.jmh.Main ProviderCacheBenchmark \
 *      -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 * Results: docs/benchmarks.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ProviderCacheBenchmark {

    private static final int SIZE = 1024;
    private static final String ANSWER = """
            {"ip": "20.204.24.249", "country_code": "IN", "asn": "AS8075", "as_name": "Microsoft Corporation", "is_tor_exit": false,
             "risk_score": 16, "threat_score": 22, "confidence_level": 100, "status": "safe", "verified_bot": false,
             "is_bogon": false, "asn_obj": {}, "api_usage": {"sec_limit": "1/2000", "min_limit": "1/60000", "day_limit": "8/5000000"}}
            """;

    @Param({"none", "ipintel", "all"})
    public String providers;

    private HttpServer server;
    private Gatehouse gatehouse;
    private Providers remote;
    private RequestFacts[] requests;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            String body = path.startsWith("/api/v1/lookup") ? "{\"success\": true, \"data\": " + ANSWER + "}"
                    : path.startsWith("/v3/security") ? "{\"ip\": \"x\", \"security\": {\"threat_score\": 20, \"is_vpn\": false}}"
                    : ANSWER;
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        List<String> names = switch (providers) {
            case "none" -> List.of();
            case "ipintel" -> List.of("ipintel");
            default -> ProviderSettings.NAMES;
        };
        List<ProviderSettings> settings = names.stream().map(name -> ProviderSettings.builder(name).apiKey("k").baseUrl(url)
                .when(ProviderSettings.When.ALWAYS).timeout(Duration.ofSeconds(5)).quotaPerDay(0).quotaPerHour(0).build()).toList();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        remote = Providers.create(settings, HttpClientHolder.CLIENT, Clock.systemUTC(), Ticker.systemTicker(), registry);
        IntelligenceEngine engine = Engines.layered(EmbeddedEngine.loadDefault(), Scoring.defaults(), remote.enrichers());
        gatehouse = Gatehouse.builder().engine(engine)
                .policy(PolicyLoader.builder().meterRegistry(registry).build().parse(read(policyFile()), "default.yaml"))
                .budget(Duration.ofSeconds(5)).meterRegistry(registry).build();
        Random random = new Random(42);
        requests = new RequestFacts[SIZE];
        for (int i = 0; i < SIZE; i++) {
            int first = 1 + random.nextInt(200);
            if (first == 10 || first == 127 || first == 100) {
                first++;
            }
            IpAddress ip = IpAddress.parse(first + "." + random.nextInt(256) + "." + random.nextInt(256) + "." + (1 + random.nextInt(254)));
            requests[i] = RequestFacts.builder(ip).method("GET").host("shop.example.com").path("/products/42")
                    .header("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36").build();
            gatehouse.decide(requests[i]).join(); // fills the caches
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        gatehouse.close();
        server.stop(0);
    }

    @Benchmark
    public Decision decideCached() {
        return gatehouse.decide(requests[next++ & (SIZE - 1)]).join();
    }

    /** One HTTP client for the trial. */
    static final class HttpClientHolder {
        static final java.net.http.HttpClient CLIENT = Providers.httpClient();
    }

    private static Path policyFile() {
        for (Path candidate : new Path[] {Path.of("policies/default.yaml"), Path.of("../policies/default.yaml")}) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("policies/default.yaml not found; run from the repository root");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
