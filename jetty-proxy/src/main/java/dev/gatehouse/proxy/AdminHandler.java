package dev.gatehouse.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.DecisionJson;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.policy.PolicyProblem;
import dev.gatehouse.policy.ReloadablePolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The admin listener's endpoints: {@code GET /healthz}, {@code GET /readyz}, {@code GET /metrics},
 * {@code GET /v1/ip/{ip}}, {@code GET /v1/explain?ip=&ua=&path=&method=}, {@code POST /v1/reload}.
 * With a token configured, everything but the two probes needs {@code Authorization: Bearer <token>}.
 * {@code GET /} lists the endpoints (no token needed: it reveals nothing but this list).
 */
final class AdminHandler extends Handler.Abstract {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** What {@code GET /} answers: method, path, what it does. */
    private static final String[][] ENDPOINTS = {
            {"GET", "/healthz", "liveness: 200 while the process serves"},
            {"GET", "/readyz", "readiness: 200 once the proxy listens, 503 before and while it stops"},
            {"GET", "/metrics", "Prometheus metrics"},
            {"GET", "/v1/ip/{ip}", "the signals of an IP address"},
            {"GET", "/v1/explain?ip=&ua=&path=&method=&host=", "the decision for a request, with its trace"},
            {"POST", "/v1/reload", "reload the policy file"},
    };
    /** Admin lookups may wait for slow sources (rDNS) longer than a live request would. */
    static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(5);

    private final Gatehouse gatehouse;
    private final Gatehouse explainer;
    private final PrometheusMeterRegistry registry;
    private final Supplier<ReloadablePolicy.ReloadResult> reload;
    private final BooleanSupplier ready;
    private final Supplier<Optional<ReloadablePolicy.ReloadFailure>> policyFailure;
    private final List<Supplier<String>> readinessDetails;
    private final byte[] token;
    private final Clock clock;

    /**
     * @param reload what {@code POST /v1/reload} runs; {@code null} when the policy is not a file (409)
     * @param policyFailure the policy file's last failed reload, reported by {@code /readyz}; {@code null} when not a file
     * @param readinessDetails more lines for {@code /readyz} (e.g. a rate-limit store falling back); a {@code null} line is left out
     * @param token  bearer token, or {@code null} for none
     */
    AdminHandler(Gatehouse gatehouse, PrometheusMeterRegistry registry, Supplier<ReloadablePolicy.ReloadResult> reload,
                 Supplier<Optional<ReloadablePolicy.ReloadFailure>> policyFailure, List<Supplier<String>> readinessDetails,
                 BooleanSupplier ready, String token, Clock clock) {
        this.gatehouse = Objects.requireNonNull(gatehouse, "gatehouse");
        this.registry = registry;
        this.reload = reload;
        this.policyFailure = policyFailure == null ? Optional::empty : policyFailure;
        this.readinessDetails = List.copyOf(readinessDetails);
        this.ready = Objects.requireNonNull(ready, "ready");
        this.token = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
        this.clock = Objects.requireNonNull(clock, "clock");
        IntelligenceEngine engine = gatehouse.engine();
        // Explaining is not serving: its own registry keeps it out of the decision metrics.
        this.explainer = Gatehouse.builder().engine(engine).policy(gatehouse::policy)
                .budget(LOOKUP_TIMEOUT).meterRegistry(new SimpleMeterRegistry()).build();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        boolean reloadPath = "/v1/reload".equals(path);
        if (!reloadPath && !isReadEndpoint(path)) {
            return json(response, callback, 404, error("no such endpoint: " + path)); // whatever the method or token
        }
        HttpMethod expected = reloadPath ? HttpMethod.POST : HttpMethod.GET;
        if (!expected.is(request.getMethod()) && !(expected == HttpMethod.GET && HttpMethod.HEAD.is(request.getMethod()))) {
            response.getHeaders().put(HttpHeader.ALLOW, expected.asString());
            return json(response, callback, 405, error("use " + expected.asString()));
        }
        if ("/".equals(path)) {
            return json(response, callback, 200, index());
        }
        if ("/healthz".equals(path)) {
            return text(response, callback, 200, "ok\n");
        }
        if ("/readyz".equals(path)) {
            return readyz(response, callback);
        }
        if (!authorized(request)) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
            return json(response, callback, 401, error("a bearer token is required"));
        }
        if ("/metrics".equals(path)) {
            return metrics(response, callback);
        }
        if (path.startsWith("/v1/ip/")) {
            return lookup(path.substring("/v1/ip/".length()), response, callback);
        }
        if ("/v1/explain".equals(path)) {
            return explain(Request.extractQueryParameters(request), response, callback);
        }
        return reload(response, callback);
    }

    private static boolean isReadEndpoint(String path) {
        return path != null && (path.equals("/") || path.equals("/healthz") || path.equals("/readyz") || path.equals("/metrics")
                || path.equals("/v1/explain") || path.startsWith("/v1/ip/"));
    }

    /**
     * A refused or failed policy reload leaves the last good policy serving, so the proxy stays ready (taking
     * every instance out of the load balancer over a bad edit would be worse), but the probe says so.
     */
    private boolean readyz(Response response, Callback callback) {
        if (!ready.getAsBoolean()) {
            return text(response, callback, 503, "not ready\n");
        }
        String details = policyFailure.get().map(f -> "policy reload failed at " + f.time() + ": "
                + shorten(f.message(), 1000) + " (version " + f.kept() + " stays active)\n").orElse("");
        StringBuilder more = new StringBuilder(details);
        for (Supplier<String> detail : readinessDetails) {
            String line = detail.get();
            if (line != null && !line.isBlank()) {
                more.append(shorten(line.strip(), 1000)).append('\n');
            }
        }
        return text(response, callback, 200, "ready\n" + more);
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    private boolean authorized(Request request) {
        if (token == null) {
            return true;
        }
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        // Constant time, so the token cannot be guessed byte by byte from response times.
        return MessageDigest.isEqual(token, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }

    private boolean metrics(Response response, Callback callback) {
        if (registry == null) {
            return json(response, callback, 404, error("metrics are not enabled"));
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        return write(response, callback, 200, registry.scrape());
    }

    private boolean lookup(String ipText, Response response, Callback callback) {
        IpAddress ip = IpAddress.tryParse(ipText);
        if (ip == null) {
            return json(response, callback, 400, error(invalidIp(ipText)));
        }
        gatehouse.engine().lookup(RequestFacts.forIp(ip)).toCompletableFuture()
                .orTimeout(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((signals, failure) -> {
                    if (failure != null) {
                        json(response, callback, 504, error("lookup of " + ip + " failed: " + failure));
                    } else {
                        write(response, callback, 200, DecisionJson.signals(signals, clock.instant()) + "\n");
                    }
                });
        return true;
    }

    private boolean explain(Fields query, Response response, Callback callback) {
        String ipText = query.getValue("ip");
        IpAddress ip = ipText == null ? null : IpAddress.tryParse(ipText);
        if (ip == null) {
            return json(response, callback, 400, error(ipText == null ? "the ip parameter is required" : invalidIp(ipText)));
        }
        RequestFacts facts = RequestFacts.builder(ip)
                .method(query.getValue("method"))
                .path(query.getValue("path"))
                .host(query.getValue("host"))
                .userAgent(query.getValue("ua"))
                .build();
        explainer.explain(facts).whenComplete((decision, failure) -> {
            if (failure != null) {
                json(response, callback, 500, error("explain failed: " + failure));
            } else {
                write(response, callback, 200, DecisionJson.decision(decision, clock.instant()) + "\n");
            }
        });
        return true;
    }

    private boolean reload(Response response, Callback callback) {
        if (reload == null) {
            return json(response, callback, 409, error("the policy in force is not a file, so there is nothing to reload"));
        }
        ReloadablePolicy.ReloadResult result = reload.get();
        ObjectNode body = MAPPER.createObjectNode();
        body.put("applied", result.applied());
        body.put("version", result.version());
        ArrayNode problems = body.putArray("problems");
        for (PolicyProblem p : result.problems()) {
            problems.add(p.toString());
        }
        return json(response, callback, result.problems().isEmpty() ? 200 : HttpStatus.UNPROCESSABLE_ENTITY_422, body);
    }

    static String invalidIp(String text) {
        try {
            IpAddress.parse(text);
            return "invalid IP address '" + text + "'";
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private ObjectNode index() {
        ObjectNode body = MAPPER.createObjectNode();
        ArrayNode endpoints = body.putArray("endpoints");
        for (String[] e : ENDPOINTS) {
            endpoints.addObject().put("method", e[0]).put("path", e[1]).put("description", e[2]);
        }
        body.put("token_required", token != null);
        return body;
    }

    private static ObjectNode error(String message) {
        return MAPPER.createObjectNode().put("error", message);
    }

    private static boolean json(Response response, Callback callback, int status, ObjectNode body) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        return write(response, callback, status, body.toString() + "\n");
    }

    private static boolean text(Response response, Callback callback, int status, String body) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
        return write(response, callback, status, body);
    }

    private static boolean write(Response response, Callback callback, int status, String body) {
        if (!response.getHeaders().contains(HttpHeader.CONTENT_TYPE)) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }
}
