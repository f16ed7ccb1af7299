package dev.gatehouse.servlet;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.challenge.Challenger;
import dev.gatehouse.enforcement.Enforcement;
import dev.gatehouse.enforcement.GatehouseHeaders;
import dev.gatehouse.enforcement.Refusal;
import dev.gatehouse.enforcement.RequestId;
import dev.gatehouse.decisionlog.DecisionLog;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.net.LogSafe;
import dev.gatehouse.policy.PolicyException;
import dev.gatehouse.settings.GatehouseAssembly;
import dev.gatehouse.settings.GatehouseSettings;
import dev.gatehouse.settings.SettingsReader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Gatehouse as a {@code jakarta.servlet.Filter}. For each HTTP request:
 * {@code resolveClientIp → requestFacts → decide (within the budget) → enforce}.
 * <ul>
 *   <li><b>allow</b> (and any shadowed decision): the decision is set as the request attribute
 *       {@value Decision#REQUEST_ATTRIBUTE} and the chain continues; the application also sees it as
 *       {@code X-Gatehouse-*} request headers (client-sent ones are hidden).</li>
 *   <li><b>block / rate_limit</b>: the status of the decision (403, 429, 503 when failing closed), its
 *       headers ({@code Retry-After}, {@code RateLimit-Policy}, {@code RateLimit}) and a small JSON or
 *       HTML body chosen by {@code Accept} ({@link Refusal}, shared with the proxy); the chain is not called.</li>
 * </ul>
 * An engine error or timeout never fails the request: the {@link Gatehouse} decides on what is known,
 * fail-open by default. A peer that is not an IP address (a Unix-domain socket) is never looked up nor
 * trusted: it gets the fail-mode decision {@value Enforcement#RULE_PEER_NOT_IP} (allow, or 503 when
 * failing closed), as behind the proxy. Non-HTTP requests pass through untouched, and a request that already carries a
 * decision (a forward, include, error or async dispatch of one already decided) is not decided again.
 *
 * <h2>Threads and async servlets</h2>
 * The filter waits for the decision on the container thread, blocking for at most the Gatehouse budget
 * plus {@link FilterOptions#waitMargin()} (50 + 25 ms by default); past that it applies the fail-open
 * or fail-closed rule itself. It never starts async processing, so it works in front of synchronous and
 * asynchronous servlets alike (declare it {@code <async-supported>true</async-supported>} in front of
 * an async servlet); the blocking wait is bounded and short, which is the trade made for simplicity.
 *
 * <h2>Two ways to create it</h2>
 * Programmatically, with {@link #GatehouseFilter(Gatehouse, ClientIpResolver, FilterOptions)}: the
 * caller owns the {@code Gatehouse} and closes it; {@link #init} and {@link #destroy} do nothing. Or by
 * the container (web.xml), with the no-arg constructor: {@link #init} reads the init-params, which are
 * the keys of {@code docs/configuration.md} ({@code policy}, {@code trusted-proxies}, {@code budget},
 * {@code fail-mode}, {@code data.refresh}, …; lists comma- or space-separated), builds everything with
 * {@link GatehouseAssembly}, and {@link #destroy} closes it. See {@code docs/servlet-filter.md}.
 */
public class GatehouseFilter implements Filter {

    private static final Logger log = LoggerFactory.getLogger(GatehouseFilter.class);

    private volatile Gatehouse gatehouse;
    private volatile ClientIpResolver resolver;
    private volatile FilterOptions options;
    private volatile Counter overruns;
    private final boolean ownsGatehouse;
    private GatehouseAssembly.Assembled ownedAssembly;

    /** For the container: configured from init-params in {@link #init}. */
    public GatehouseFilter() {
        this.ownsGatehouse = true;
    }

    /** Programmatic use: decides with {@code gatehouse}, finds client addresses with {@code resolver}. */
    public GatehouseFilter(Gatehouse gatehouse, ClientIpResolver resolver, FilterOptions options) {
        this.ownsGatehouse = false;
        configure(Objects.requireNonNull(gatehouse, "gatehouse"), Objects.requireNonNull(resolver, "resolver"),
                Objects.requireNonNull(options, "options"));
    }

    private void configure(Gatehouse gatehouse, ClientIpResolver resolver, FilterOptions options) {
        this.gatehouse = gatehouse;
        this.resolver = resolver;
        this.options = options;
        this.overruns = Counter.builder("gatehouse.filter.overruns")
                .description("Requests where no decision arrived within budget + margin; the fail-open/closed rule applied")
                .register(gatehouse.meterRegistry());
    }

    @Override
    public void init(FilterConfig config) throws ServletException {
        if (!ownsGatehouse) {
            return;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (Enumeration<String> names = config.getInitParameterNames(); names.hasMoreElements(); ) {
            String name = names.nextElement();
            params.put(name, config.getInitParameter(name));
        }
        GatehouseSettings settings;
        GatehouseAssembly.Assembled built;
        try {
            settings = InitParams.parse(params, warning -> log.warn("GatehouseFilter '{}': {}", config.getFilterName(), warning));
            built = GatehouseAssembly.assemble(settings, Metrics.globalRegistry, null, GatehouseFilter.class.getClassLoader());
        } catch (PolicyException e) {
            throw new ServletException("GatehouseFilter '" + config.getFilterName() + "': the policy did not load:\n" + e.getMessage(), e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ServletException("GatehouseFilter '" + config.getFilterName() + "': " + e.getMessage(), e);
        }
        this.ownedAssembly = built;
        configure(built.gatehouse(), built.resolver(), FilterOptions.from(settings));
        log.info("GatehouseFilter '{}' ready: policy {} ({}), {}, budget {}, fail-{}", config.getFilterName(), built.policy().name(),
                built.policy().version(), built.resolver(), SettingsReader.format(settings.budget()), settings.failMode().key());
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest clientRequest) || !(response instanceof HttpServletResponse clientResponse)
                || request.getAttribute(Decision.REQUEST_ATTRIBUTE) != null) {
            chain.doFilter(request, response);
            return;
        }
        Gatehouse gatehouse = this.gatehouse;
        if (gatehouse == null) {
            throw new ServletException("GatehouseFilter is not initialised: init(FilterConfig) was not called or failed");
        }
        IpAddress peer = peerAddress(clientRequest);
        // kept only from a trusted proxy; the application, the response, the page and the log line all show it
        String requestId = RequestId.resolve(clientRequest.getHeader(RequestId.HEADER), peer != null && resolver.trustedProxies().isTrusted(peer));
        clientRequest.setAttribute(RequestId.ATTRIBUTE, requestId);
        clientResponse.setHeader(RequestId.HEADER, requestId);
        if (peer == null) {
            log.debug("peer address '{}' is not an IP address; fail-{}", LogSafe.text(request.getRemoteAddr()),
                    gatehouse.failOpen() ? "open" : "closed");
            enforce(Enforcement.peerNotIp(gatehouse.failOpen()), null, clientRequest, clientResponse, chain);
            return;
        }
        ClientIpResolver.Resolution resolution = resolveClientIp(clientRequest, peer);
        RequestFacts facts = requestFacts(clientRequest, resolution.clientIp(), peer);
        if (Challenger.isEndpoint(facts.path())) {
            // the challenge's own verify endpoint: its answer sets the pass, so no decision stands before it
            write(Enforcement.challengeEndpoint(gatehouse.challenger(), facts, clientRequest.getQueryString(), clientRequest.isSecure()),
                    clientRequest, clientResponse);
            return;
        }
        Decision decision = decide(gatehouse, facts);
        enforce(decision, resolution, facts, clientRequest, clientResponse, chain);
    }

    /** The client address: the socket peer, or what trusted proxies say in the forwarding headers. */
    protected ClientIpResolver.Resolution resolveClientIp(HttpServletRequest request, IpAddress peer) {
        return resolver.resolveExplained(peer, values(request.getHeaders("X-Forwarded-For")), values(request.getHeaders("Forwarded")));
    }

    /**
     * What the policy may test. The path is the decoded, normalised one the container mapped
     * (context path + servlet path + path info) rather than the raw URI, so {@code /a/%2e%2e/admin}
     * is matched as the {@code /admin} the application will serve.
     */
    protected RequestFacts requestFacts(HttpServletRequest request, IpAddress clientIp, IpAddress peer) {
        RequestFacts.Builder facts = RequestFacts.builder(clientIp)
                .peerIp(peer)
                .method(request.getMethod())
                .host(request.getServerName())
                .path(path(request));
        for (Enumeration<String> names = request.getHeaderNames(); names != null && names.hasMoreElements(); ) {
            String name = names.nextElement();
            if (GatehouseHeaders.isReserved(name)) {
                continue; // a client's forged X-Gatehouse-* says nothing about it
            }
            for (Enumeration<String> v = request.getHeaders(name); v != null && v.hasMoreElements(); ) {
                facts.header(name, v.nextElement());
            }
        }
        return facts.build();
    }

    /** Waits for the decision within budget + margin; past that the fail-open / fail-closed rule applies. */
    protected Decision decide(Gatehouse gatehouse, RequestFacts facts) {
        CompletableFuture<Decision> decision = gatehouse.decide(facts);
        if (decision.isDone() && !decision.isCompletedExceptionally()) {
            return decision.join(); // the usual case: the embedded engine answered on this thread
        }
        Duration wait = gatehouse.budget().plus(options.waitMargin());
        try {
            return decision.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            overruns.increment();
            log.warn("no decision for {} {} within {} ms; fail-{}", facts.clientIp(), LogSafe.text(facts.path()), wait.toMillis(),
                    gatehouse.failOpen() ? "open" : "closed");
            return fallback(gatehouse, facts, "no decision within " + wait.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fallback(gatehouse, facts, "interrupted while waiting for the decision");
        } catch (ExecutionException e) { // Gatehouse.decide never fails; kept for a decorated Gatehouse
            overruns.increment();
            return fallback(gatehouse, facts, "decision failed: " + e.getCause());
        }
    }

    /**
     * allow → continue the chain with the decision attached; block / rate_limit → answer here. Without the
     * request facts a {@code challenge} cannot be served and is refused; {@link #doFilter} calls the
     * overload that has them.
     *
     * @param resolution how the client address was found; {@code null} when the peer is not an IP address
     */
    protected void enforce(Decision decision, ClientIpResolver.Resolution resolution, HttpServletRequest request,
                           HttpServletResponse response, FilterChain chain) throws IOException, ServletException {
        enforce(decision, resolution, null, request, response, chain);
    }

    /**
     * allow → continue the chain with the decision attached; block / rate_limit → answer here; challenge →
     * the page, a refusal, or on (a valid pass, a verified crawler, an exempt path), as {@link Enforcement#answer} says.
     *
     * @param facts the request as decided; {@code null} when the peer is not an IP address
     */
    protected void enforce(Decision decision, ClientIpResolver.Resolution resolution, RequestFacts facts, HttpServletRequest request,
                           HttpServletResponse response, FilterChain chain) throws IOException, ServletException {
        request.setAttribute(Decision.REQUEST_ATTRIBUTE, decision);
        if (options.explainHeader()) {
            response.setHeader(FilterOptions.EXPLAIN_HEADER, ExplainHeader.render(decision, resolution));
        }
        String requestId = request.getAttribute(RequestId.ATTRIBUTE) instanceof String id ? id : null;
        Refusal refusal = Enforcement.answer(decision, facts, request.getQueryString(), request.getContextPath(), gatehouse.challenger(),
                requestId, gatehouse.pages());
        DecisionLog decisionLog = gatehouse.decisionLog();
        boolean logged = decisionLog.wants(decision);
        if (refusal == null) {
            // within a rate limit: the client still learns its quota (RateLimit-Policy / RateLimit)
            Map<String, String> quota = decision.response().headers();
            if (!quota.isEmpty() && Enforcement.passes(decision)) {
                quota.forEach(response::setHeader);
            }
            try {
                chain.doFilter(DecisionRequest.wrap(request, options.upstreamHeaders() ? decision : null, requestId), response);
            } finally {
                if (logged) {
                    decisionLog.record(logEntry(requestId, decision, request, response.getStatus()));
                }
            }
            return;
        }
        if (logged) {
            decisionLog.record(logEntry(requestId, decision, request, refusal.status()));
        }
        write(refusal, request, response);
    }

    private static DecisionLog.Entry logEntry(String requestId, Decision decision, HttpServletRequest request, int status) {
        return new DecisionLog.Entry(requestId, decision, request.getMethod(), request.getServerName(), request.getRequestURI(),
                request.getHeader("User-Agent"), status);
    }

    private static void write(Refusal refusal, HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(refusal.status());
        refusal.headers().forEach(response::setHeader);
        response.setContentType(refusal.contentType());
        response.setCharacterEncoding("UTF-8");
        response.setContentLength(refusal.contentLength());
        if (!"HEAD".equalsIgnoreCase(request.getMethod())) {
            response.getOutputStream().write(refusal.body());
        }
        response.flushBuffer();
    }

    private static Decision fallback(Gatehouse gatehouse, RequestFacts facts, String why) {
        return Enforcement.undecided(gatehouse.failOpen(), facts.clientIp(), Enforcement.RULE_TIMEOUT, why);
    }

    static IpAddress peerAddress(HttpServletRequest request) {
        return Enforcement.peer(request.getRemoteAddr());
    }

    private static String path(HttpServletRequest request) {
        String servletPath = request.getServletPath();
        String pathInfo = request.getPathInfo();
        if ((servletPath == null || servletPath.isEmpty()) && pathInfo == null) {
            return request.getRequestURI();
        }
        String contextPath = request.getContextPath();
        return (contextPath == null ? "" : contextPath) + (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
    }

    private static List<String> values(Enumeration<String> headers) {
        if (headers == null || !headers.hasMoreElements()) {
            return List.of();
        }
        String first = headers.nextElement();
        if (!headers.hasMoreElements()) {
            return List.of(first);
        }
        List<String> all = new ArrayList<>(4);
        all.add(first);
        while (headers.hasMoreElements()) {
            all.add(headers.nextElement());
        }
        return all;
    }

    @Override
    public void destroy() {
        if (!ownsGatehouse) {
            return;
        }
        GatehouseAssembly.Assembled built = ownedAssembly;
        if (built != null) {
            try {
                built.close();
            } catch (RuntimeException e) {
                log.warn("closing Gatehouse failed", e);
            }
        }
    }

    /** The Gatehouse deciding for this filter; {@code null} before {@link #init} for a container-created filter. */
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
