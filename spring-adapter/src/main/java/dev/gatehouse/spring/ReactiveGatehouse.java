package dev.gatehouse.spring;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.challenge.Challenger;
import dev.gatehouse.enforcement.Enforcement;
import dev.gatehouse.enforcement.GatehouseHeaders;
import dev.gatehouse.enforcement.Refusal;
import dev.gatehouse.enforcement.RequestId;
import dev.gatehouse.decisionlog.DecisionLog;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.net.LogSafe;
import dev.gatehouse.servlet.ExplainHeader;
import dev.gatehouse.servlet.FilterOptions;
import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Gatehouse on the reactive types, shared by the WebFlux {@link GatehouseWebFilter} and the Spring Cloud
 * Gateway {@link GatehouseGlobalFilter}: {@code resolveClientIp → requestFacts → decide → enforce}, the
 * servlet filter's steps, with the same core and enforcement ({@link Enforcement}, {@link Refusal},
 * {@link GatehouseHeaders}, {@link ExplainHeader}). The two filters differ only in where they sit and
 * what "the rest of the chain" is, which {@link #filter} takes as a function.
 * <ul>
 *   <li><b>allow</b> (and any shadowed decision): the decision is the exchange attribute
 *       {@value Decision#REQUEST_ATTRIBUTE}, the request goes on with the {@code X-Gatehouse-*} headers
 *       (client-sent ones removed);</li>
 *   <li><b>block / rate_limit</b>: the refusal's status, headers and JSON or HTML body; the chain is not called.</li>
 * </ul>
 *
 * <h2>Never blocking, and no hop when there is nothing to wait for</h2>
 * The decision is a {@code CompletableFuture}. When it is already complete (the embedded engine answers
 * at once, the usual case) it is enforced on the spot, with no operator, scheduler or {@code Mono} of
 * Gatehouse's own between the request and the rest of the chain; otherwise it becomes a {@code Mono}
 * ({@link Mono#fromFuture}) and the event loop is free while remote providers answer. A decision that
 * does not arrive within the budget plus {@link FilterOptions#waitMargin()} gets the fail-open /
 * fail-closed decision, counted in {@code gatehouse.filter.overruns} as the servlet filter does.
 *
 * <h2>Headers without a request copy</h2>
 * On Reactor Netty, when the request is still the server's own (nothing before Gatehouse replaced it),
 * the request facts are read from, and the {@code X-Gatehouse-*} headers written to, the Netty request
 * headers that Spring's read-only {@code HttpHeaders} wraps ({@link NettyRequestHeaders}): the
 * application and the gateway's routing see them through the same request, and no
 * {@code ServerHttpRequest.mutate()} copy of every header and decorator per request is made. Any other
 * server, or a request already replaced, takes the portable {@code mutate()} path.
 */
public class ReactiveGatehouse {

    private static final Logger log = LoggerFactory.getLogger(ReactiveGatehouse.class);

    private final Gatehouse gatehouse;
    private final ClientIpResolver resolver;
    private final FilterOptions options;
    private final Duration wait;
    private final Counter overruns;

    public ReactiveGatehouse(Gatehouse gatehouse, ClientIpResolver resolver, FilterOptions options) {
        this.gatehouse = Objects.requireNonNull(gatehouse, "gatehouse");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.options = Objects.requireNonNull(options, "options");
        this.wait = gatehouse.budget().plus(options.waitMargin());
        this.overruns = Counter.builder("gatehouse.filter.overruns")
                .description("Requests where no decision arrived within budget + margin; the fail-open/closed rule applied")
                .register(gatehouse.meterRegistry());
    }

    /**
     * Decides {@code exchange} and enforces the decision: on allow, {@code next} continues with the
     * exchange the application (or the gateway's route) is to see; otherwise the refusal is written here.
     * An exchange that already carries a decision (another Gatehouse filter decided it) goes on untouched.
     */
    public Mono<Void> filter(ServerWebExchange exchange, Function<ServerWebExchange, Mono<Void>> next) {
        if (exchange.getAttribute(Decision.REQUEST_ATTRIBUTE) != null) {
            return next.apply(exchange);
        }
        ServerHttpRequest request = exchange.getRequest();
        IpAddress peer = Enforcement.peer(request.getRemoteAddress());
        // kept only from a trusted proxy; the application, the response, the page and the log line all show it
        String requestId = RequestId.resolve(request.getHeaders().getFirst(RequestId.HEADER),
                peer != null && resolver.trustedProxies().isTrusted(peer));
        exchange.getAttributes().put(RequestId.ATTRIBUTE, requestId);
        exchange.getResponse().getHeaders().set(RequestId.HEADER, requestId);
        if (peer == null) {
            return enforce(Enforcement.peerNotIp(gatehouse.failOpen()), null, null, exchange, next);
        }
        ClientIpResolver.Resolution resolution = resolveClientIp(request, peer);
        RequestFacts facts = requestFacts(request, resolution.clientIp(), peer);
        if (Challenger.isEndpoint(facts.path())) {
            // the challenge's own verify endpoint: its answer sets the pass, so no decision stands before it
            return write(Enforcement.challengeEndpoint(gatehouse.challenger(), facts, request.getURI().getRawQuery(),
                    "https".equalsIgnoreCase(request.getURI().getScheme())), request, exchange.getResponse());
        }
        CompletableFuture<Decision> decision = gatehouse.decide(facts);
        if (decision.isDone() && !decision.isCompletedExceptionally()) {
            return enforce(decision.join(), resolution, facts, exchange, next);
        }
        return Mono.fromFuture(decision, true)
                .timeout(wait)
                .onErrorResume(TimeoutException.class, e -> Mono.fromSupplier(() -> overrun(facts)))
                .flatMap(decided -> enforce(decided, resolution, facts, exchange, next));
    }

    /** The client address: the socket peer, or what trusted proxies say in the forwarding headers. */
    protected ClientIpResolver.Resolution resolveClientIp(ServerHttpRequest request, IpAddress peer) {
        HttpHeaders headers = request.getHeaders();
        return resolver.resolveExplained(peer, orEmpty(headers.get("X-Forwarded-For")), orEmpty(headers.get("Forwarded")));
    }

    /** What the policy may test: method, host, the decoded path, and every header except client-sent X-Gatehouse-* ones. */
    protected RequestFacts requestFacts(ServerHttpRequest request, IpAddress clientIp, IpAddress peer) {
        Object nettyHeaders = NettyRequestHeaders.of(request);
        RequestFacts.Builder facts = RequestFacts.builder(clientIp)
                .peerIp(peer)
                .method(request.getMethod().name())
                .host(request.getURI().getHost())
                .path(request.getURI().getPath());
        if (nettyHeaders != null) {
            NettyRequestHeaders.copyTo(nettyHeaders, facts);
            return facts.build();
        }
        request.getHeaders().forEach((name, values) -> {
            if (!GatehouseHeaders.isReserved(name)) {
                for (String value : values) {
                    facts.header(name, value);
                }
            }
        });
        return facts.build();
    }

    /**
     * allow → on with the decision attached; block / rate_limit → answered here; a challenge is served
     * through {@link Enforcement#answer} (page, refusal, or on with a valid pass); without the facts (a
     * peer that is not an IP address) it is refused.
     */
    private Mono<Void> enforce(Decision decision, ClientIpResolver.Resolution resolution, RequestFacts facts, ServerWebExchange exchange,
                               Function<ServerWebExchange, Mono<Void>> next) {
        exchange.getAttributes().put(Decision.REQUEST_ATTRIBUTE, decision);
        ServerHttpRequest request = exchange.getRequest();
        ServerHttpResponse response = exchange.getResponse();
        if (options.explainHeader()) {
            response.getHeaders().set(FilterOptions.EXPLAIN_HEADER, ExplainHeader.render(decision, resolution));
        }
        String requestId = exchange.getAttribute(RequestId.ATTRIBUTE);
        Refusal refusal = Enforcement.answer(decision, facts, request.getURI().getRawQuery(),
                request.getPath().contextPath().value(), gatehouse.challenger(), requestId, gatehouse.pages());
        DecisionLog decisionLog = gatehouse.decisionLog();
        boolean logged = decisionLog.wants(decision);
        if (refusal != null) {
            if (logged) {
                decisionLog.record(logEntry(requestId, decision, request, refusal.status()));
            }
            return write(refusal, request, response);
        }
        Map<String, String> quota = decision.response().headers();
        if (!quota.isEmpty() && Enforcement.passes(decision)) { // within a rate limit: the client still learns its quota
            quota.forEach(response.getHeaders()::set);
        }
        Mono<Void> rest = next.apply(upstream(exchange, decision, requestId));
        if (!logged) {
            return rest;
        }
        return rest.doFinally(signal -> decisionLog.record(logEntry(requestId, decision, request,
                response.getStatusCode() == null ? 0 : response.getStatusCode().value())));
    }

    private static DecisionLog.Entry logEntry(String requestId, Decision decision, ServerHttpRequest request, int status) {
        HttpHeaders headers = request.getHeaders();
        return new DecisionLog.Entry(requestId, decision, request.getMethod().name(), headers.getFirst(HttpHeaders.HOST),
                request.getURI().getRawPath(), headers.getFirst(HttpHeaders.USER_AGENT), status);
    }

    /**
     * The exchange the application sees: client-sent {@code X-Gatehouse-*} headers removed, and
     * Gatehouse's own set when {@code upstream-headers} is on; in place on Reactor Netty's own request,
     * else through a request copy made only when one of those changes it.
     */
    private ServerWebExchange upstream(ServerWebExchange exchange, Decision decision, String requestId) {
        ServerHttpRequest request = exchange.getRequest();
        Object nettyHeaders = NettyRequestHeaders.of(request);
        if (nettyHeaders != null) {
            NettyRequestHeaders.setUpstream(nettyHeaders, options.upstreamHeaders() ? decision : null, requestId);
            return exchange;
        }
        boolean forged = hasReserved(request.getHeaders());
        boolean sameId = requestId == null || requestId.equals(request.getHeaders().getFirst(RequestId.HEADER));
        if (!forged && !options.upstreamHeaders() && sameId) {
            return exchange;
        }
        ServerHttpRequest upstream = request.mutate().headers(headers -> {
            if (requestId != null) {
                headers.set(RequestId.HEADER, requestId); // the client's is replaced unless a trusted proxy sent it
            }
            if (forged) {
                headers.headerNames().removeIf(GatehouseHeaders::isReserved);
            }
            if (options.upstreamHeaders()) {
                GatehouseHeaders.forEach(decision, headers::set);
            }
        }).build();
        return exchange.mutate().request(upstream).build();
    }

    private static boolean hasReserved(HttpHeaders headers) {
        for (String name : headers.headerNames()) {
            if (GatehouseHeaders.isReserved(name)) {
                return true;
            }
        }
        return false;
    }

    private static Mono<Void> write(Refusal refusal, ServerHttpRequest request, ServerHttpResponse response) {
        response.setStatusCode(HttpStatusCode.valueOf(refusal.status()));
        HttpHeaders headers = response.getHeaders();
        refusal.headers().forEach(headers::set);
        headers.set(HttpHeaders.CONTENT_TYPE, refusal.contentType());
        headers.setContentLength(refusal.contentLength());
        if (HttpMethod.HEAD.equals(request.getMethod())) {
            return response.setComplete();
        }
        return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(refusal.bodyBuffer())));
    }

    private Decision overrun(RequestFacts facts) {
        overruns.increment();
        log.warn("no decision for {} {} within {} ms; fail-{}", facts.clientIp(), LogSafe.text(facts.path()), wait.toMillis(),
                gatehouse.failOpen() ? "open" : "closed");
        return Enforcement.undecided(gatehouse.failOpen(), facts.clientIp(), Enforcement.RULE_TIMEOUT,
                "no decision within " + wait.toMillis() + " ms");
    }

    private static List<String> orEmpty(List<String> values) {
        return values == null ? List.of() : values;
    }

    /** The Gatehouse deciding. */
    public Gatehouse gatehouse() {
        return gatehouse;
    }

    /** How client addresses are found. */
    public ClientIpResolver resolver() {
        return resolver;
    }

    /** How decisions are enforced. */
    public FilterOptions options() {
        return options;
    }
}
