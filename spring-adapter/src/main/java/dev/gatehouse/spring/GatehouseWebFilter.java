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
import dev.gatehouse.servlet.FilterOptions;
import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * Gatehouse as a WebFlux {@link WebFilter}: {@code resolveClientIp → requestFacts → decide → enforce},
 * the servlet filter's steps on the reactive types, with the same core and the same enforcement
 * ({@link Enforcement}, {@link Refusal}, {@link GatehouseHeaders}).
 * <ul>
 *   <li><b>allow</b> (and any shadowed decision): the decision is the exchange attribute
 *       {@value Decision#REQUEST_ATTRIBUTE}, the application sees the {@code X-Gatehouse-*} request
 *       headers (client-sent ones are removed) and the chain continues;</li>
 *   <li><b>block / rate_limit</b>: the refusal's status, headers and JSON or HTML body; the chain is not called.</li>
 * </ul>
 *
 * <h2>Never blocking</h2>
 * The decision is a {@code CompletableFuture}. When it is already complete (the embedded engine answers
 * at once, the usual case) it is used on the spot, with no extra operator; otherwise it becomes a
 * {@code Mono} ({@link Mono#fromFuture}) and the event loop is free while remote providers answer. A
 * decision that does not arrive within the budget plus {@link FilterOptions#waitMargin()} gets the
 * fail-open / fail-closed decision, counted in {@code gatehouse.filter.overruns} as the servlet filter does.
 */
public class GatehouseWebFilter implements WebFilter, Ordered {

    private static final Logger log = LoggerFactory.getLogger(GatehouseWebFilter.class);

    private final Gatehouse gatehouse;
    private final ClientIpResolver resolver;
    private final FilterOptions options;
    private final int order;
    private final Duration wait;
    private final Counter overruns;

    /**
     * @param order the filter's place among WebFilters; {@link GatehouseProperties#DEFAULT_FILTER_ORDER} runs before
     *              Spring Security's WebFilterChainProxy (-100)
     */
    public GatehouseWebFilter(Gatehouse gatehouse, ClientIpResolver resolver, FilterOptions options, int order) {
        this.gatehouse = Objects.requireNonNull(gatehouse, "gatehouse");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.options = Objects.requireNonNull(options, "options");
        this.order = order;
        this.wait = gatehouse.budget().plus(options.waitMargin());
        this.overruns = Counter.builder("gatehouse.filter.overruns")
                .description("Requests where no decision arrived within budget + margin; the fail-open/closed rule applied")
                .register(gatehouse.meterRegistry());
        if (options.explainHeader()) {
            log.warn("gatehouse.explain-header is not supported by the WebFlux filter yet; use the gatehouse actuator endpoint's explain");
        }
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (exchange.getAttribute(Decision.REQUEST_ATTRIBUTE) != null) {
            return chain.filter(exchange);
        }
        ServerHttpRequest request = exchange.getRequest();
        IpAddress peer = Enforcement.peer(request.getRemoteAddress());
        // kept only from a trusted proxy; the application, the response, the page and the log line all show it
        String requestId = RequestId.resolve(request.getHeaders().getFirst(RequestId.HEADER),
                peer != null && resolver.trustedProxies().isTrusted(peer));
        exchange.getAttributes().put(RequestId.ATTRIBUTE, requestId);
        exchange.getResponse().getHeaders().set(RequestId.HEADER, requestId);
        if (peer == null) {
            return enforce(Enforcement.peerNotIp(gatehouse.failOpen()), exchange, chain);
        }
        ClientIpResolver.Resolution resolution = resolveClientIp(request, peer);
        RequestFacts facts = requestFacts(request, resolution.clientIp(), peer);
        if (Challenger.isEndpoint(facts.path())) {
            // the challenge's own verify endpoint: its answer sets the pass, so no decision stands before it
            return write(Enforcement.challengeEndpoint(gatehouse.challenger(), facts, request.getURI().getRawQuery(),
                    "https".equalsIgnoreCase(request.getURI().getScheme())), request, exchange.getResponse());
        }
        CompletableFuture<Decision> decision = gatehouse.decide(facts);
        if (decision.isDone()) {
            return enforce(decision.join(), facts, exchange, chain); // Gatehouse.decide always completes normally
        }
        return Mono.fromFuture(decision, true)
                .timeout(wait)
                .onErrorResume(TimeoutException.class, e -> Mono.fromSupplier(() -> overrun(facts)))
                .flatMap(decided -> enforce(decided, facts, exchange, chain));
    }

    /** The client address: the socket peer, or what trusted proxies say in the forwarding headers. */
    protected ClientIpResolver.Resolution resolveClientIp(ServerHttpRequest request, IpAddress peer) {
        HttpHeaders headers = request.getHeaders();
        return resolver.resolveExplained(peer, orEmpty(headers.get("X-Forwarded-For")), orEmpty(headers.get("Forwarded")));
    }

    /** What the policy may test: method, host, the decoded path, and every header except client-sent X-Gatehouse-* ones. */
    protected RequestFacts requestFacts(ServerHttpRequest request, IpAddress clientIp, IpAddress peer) {
        RequestFacts.Builder facts = RequestFacts.builder(clientIp)
                .peerIp(peer)
                .method(request.getMethod().name())
                .host(request.getURI().getHost())
                .path(request.getURI().getPath());
        request.getHeaders().forEach((name, values) -> {
            if (!GatehouseHeaders.isReserved(name)) {
                for (String value : values) {
                    facts.header(name, value);
                }
            }
        });
        return facts.build();
    }

    /** allow → continue with the decision attached; block / rate_limit → answer here; without the facts a challenge is refused. */
    protected Mono<Void> enforce(Decision decision, ServerWebExchange exchange, WebFilterChain chain) {
        return enforce(decision, null, exchange, chain);
    }

    /** As above; a challenge is served through {@link Enforcement#answer} (page, refusal, or on with a valid pass). */
    protected Mono<Void> enforce(Decision decision, RequestFacts facts, ServerWebExchange exchange, WebFilterChain chain) {
        exchange.getAttributes().put(Decision.REQUEST_ATTRIBUTE, decision);
        ServerHttpResponse response = exchange.getResponse();
        String requestId = exchange.getAttribute(RequestId.ATTRIBUTE);
        Refusal refusal = Enforcement.answer(decision, facts, exchange.getRequest().getURI().getRawQuery(),
                exchange.getRequest().getPath().contextPath().value(), gatehouse.challenger(), requestId, gatehouse.pages());
        DecisionLog decisionLog = gatehouse.decisionLog();
        boolean logged = decisionLog.wants(decision);
        if (refusal != null) {
            if (logged) {
                decisionLog.record(logEntry(requestId, decision, exchange.getRequest(), refusal.status()));
            }
            return write(refusal, exchange.getRequest(), response);
        }
        if (Enforcement.passes(decision) && !decision.response().headers().isEmpty()) { // within a rate limit: the client still learns its quota
            decision.response().headers().forEach(response.getHeaders()::set);
        }
        Mono<Void> next = chain.filter(upstream(exchange, decision, requestId));
        if (!logged) {
            return next;
        }
        return next.doFinally(signal -> decisionLog.record(logEntry(requestId, decision, exchange.getRequest(),
                response.getStatusCode() == null ? 0 : response.getStatusCode().value())));
    }

    private static DecisionLog.Entry logEntry(String requestId, Decision decision, ServerHttpRequest request, int status) {
        HttpHeaders headers = request.getHeaders();
        return new DecisionLog.Entry(requestId, decision, request.getMethod().name(), headers.getFirst(HttpHeaders.HOST),
                request.getURI().getRawPath(), headers.getFirst(HttpHeaders.USER_AGENT), status);
    }

    /**
     * The exchange the application sees: client-sent {@code X-Gatehouse-*} headers removed, and
     * Gatehouse's own set when {@code upstream-headers} is on. The request is only copied when one of
     * those changes it.
     */
    private ServerWebExchange upstream(ServerWebExchange exchange, Decision decision, String requestId) {
        boolean forged = hasReserved(exchange.getRequest().getHeaders());
        boolean sameId = requestId == null || requestId.equals(exchange.getRequest().getHeaders().getFirst(RequestId.HEADER));
        if (!forged && !options.upstreamHeaders() && sameId) {
            return exchange;
        }
        ServerHttpRequest request = exchange.getRequest().mutate().headers(headers -> {
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
        return exchange.mutate().request(request).build();
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
        log.warn("no decision for {} within {} ms; fail-{}", facts.clientIp(), wait.toMillis(), gatehouse.failOpen() ? "open" : "closed");
        return Enforcement.undecided(gatehouse.failOpen(), facts.clientIp(), Enforcement.RULE_TIMEOUT,
                "no decision within " + wait.toMillis() + " ms");
    }

    private static List<String> orEmpty(List<String> values) {
        return values == null ? List.of() : values;
    }

    @Override
    public int getOrder() {
        return order;
    }

    /** The Gatehouse deciding for this filter. */
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
