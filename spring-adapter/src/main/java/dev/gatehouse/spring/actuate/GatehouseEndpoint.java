package dev.gatehouse.spring.actuate;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.DecisionJson;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.net.IpAddress;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@code gatehouse} Actuator endpoint: the proxy's {@code lookup} and {@code explain} inside the
 * application, answering with the same JSON ({@link DecisionJson}).
 * <ul>
 *   <li>{@code GET /actuator/gatehouse}: the engine, policy, budget and fail mode in force;</li>
 *   <li>{@code GET /actuator/gatehouse/lookup?ip=192.0.2.66}: the signals of an address;</li>
 *   <li>{@code GET /actuator/gatehouse/explain?ip=…&ua=…&path=…&method=…&host=…}: the decision for such a
 *       request, with every rule considered (rate limits are looked at, no token is spent).</li>
 * </ul>
 * It follows Actuator's exposure rules: available, but not exposed over HTTP until
 * {@code management.endpoints.web.exposure.include} names {@code gatehouse}, and then behind whatever
 * security the application puts on {@code /actuator/**}. It shows how your policy decides, so expose it
 * to operators only.
 */
@Endpoint(id = "gatehouse")
public class GatehouseEndpoint {

    /** How long a lookup may take (a remote provider may be slow; this is an operator's request, not traffic). */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final Gatehouse gatehouse;
    private final Clock clock;

    public GatehouseEndpoint(Gatehouse gatehouse, Clock clock) {
        this.gatehouse = Objects.requireNonNull(gatehouse, "gatehouse");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** What is in force: engine, policy name and version, budget, fail mode. */
    @ReadOperation
    public Map<String, Object> summary() {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("engine", gatehouse.engine().name());
        summary.put("policy", Map.of("name", gatehouse.policy().name(), "version", gatehouse.policy().version()));
        summary.put("budget", gatehouse.budget().toString());
        summary.put("fail-mode", gatehouse.failOpen() ? "open" : "closed");
        summary.put("operations", Map.of("lookup", "lookup?ip=", "explain", "explain?ip=&ua=&path=&method=&host="));
        return summary;
    }

    /**
     * {@code lookup}: the signals of {@code ip}; {@code explain}: the decision for a request from {@code ip}
     * with the given User-Agent, path, method and host.
     */
    @ReadOperation
    public WebEndpointResponse<Map<String, Object>> operation(@Selector String operation, String ip, @Nullable String ua,
                                                              @Nullable String path, @Nullable String method, @Nullable String host) {
        IpAddress address = IpAddress.tryParse(ip);
        if (address == null) {
            return error(400, invalidIp(ip));
        }
        try {
            return switch (operation) {
                case "lookup" -> ok(DecisionJson.signals(gatehouse.engine().lookup(RequestFacts.forIp(address)).toCompletableFuture()
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), clock.instant()));
                case "explain" -> ok(DecisionJson.decision(gatehouse.explain(RequestFacts.builder(address)
                        .method(method).path(path).host(host).userAgent(ua).build())
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), clock.instant()));
                default -> error(404, "no such operation '" + operation + "': lookup or explain");
            };
        } catch (TimeoutException e) {
            return error(504, operation + " of " + address + " took longer than " + TIMEOUT.toSeconds() + " s");
        } catch (ExecutionException e) {
            return error(500, operation + " of " + address + " failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error(503, "interrupted");
        }
    }

    private static String invalidIp(String text) {
        try {
            IpAddress.parse(text);
            return "invalid IP address '" + text + "'";
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static WebEndpointResponse<Map<String, Object>> ok(String json) {
        try {
            return new WebEndpointResponse<>(MAPPER.readValue(json, MAP), 200);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e); // DecisionJson always writes an object
        }
    }

    private static WebEndpointResponse<Map<String, Object>> error(int status, String message) {
        return new WebEndpointResponse<>(Map.of("error", message), status);
    }
}
