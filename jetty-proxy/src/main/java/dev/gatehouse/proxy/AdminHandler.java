package dev.gatehouse.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.DecisionJson;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.RequestFacts;
import dev.gatehouse.engine.IntelligenceEngine;
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
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The admin listener's endpoints: {@code GET /healthz}, {@code GET /readyz}, {@code GET /metrics},
 * {@code GET /v1/ip/{ip}}, {@code GET /v1/explain?ip=&ua=&path=&method=}, {@code POST /v1/reload}.
 * With a token configured, everything but the two probes needs {@code Authorization: Bearer <token>}.
 */
final class AdminHandler extends Handler.Abstract {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Admin lookups may wait for slow sources (rDNS) longer than a live request would. */
    static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(5);

    private final Gatehouse gatehouse;
    private final Gatehouse explainer;
    private final PrometheusMeterRegistry registry;
    private final Supplier<ReloadablePolicy.ReloadResult> reload;
    private final BooleanSupplier ready;
    private final byte[] token;
    private final Clock clock;

    /**
     * @param reload what {@code POST /v1/reload} runs; {@code null} when the policy is not a file (409)
     * @param token  bearer token, or {@code null} for none
     */
    AdminHandler(Gatehouse gatehouse, PrometheusMeterRegistry registry, Supplier<ReloadablePolicy.ReloadResult> reload,
                 BooleanSupplier ready, String token, Clock clock) {
        this.gatehouse = Objects.requireNonNull(gatehouse, "gatehouse");
        this.registry = registry;
        this.reload = reload;
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
        if ("/healthz".equals(path)) {
            return text(response, callback, 200, "ok\n");
        }
        if ("/readyz".equals(path)) {
            return ready.getAsBoolean() ? text(response, callback, 200, "ready\n") : text(response, callback, 503, "not ready\n");
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
        return path != null && (path.equals("/healthz") || path.equals("/readyz") || path.equals("/metrics")
                || path.equals("/v1/explain") || path.startsWith("/v1/ip/"));
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
