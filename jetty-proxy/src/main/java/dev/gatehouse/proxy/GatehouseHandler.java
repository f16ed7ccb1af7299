package dev.gatehouse.proxy;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
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
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Puts Gatehouse in front of the handler it wraps (normally the reverse proxy): every request is
 * decided before it is passed on.
 *
 * <p>{@link #handle} reads as the request flow: {@code resolveClientIp → decide → enforce}. Deciding is
 * asynchronous: the Jetty thread returns at once and the request continues when the decision's future
 * completes, so a slow engine never holds a server thread. Enforcing follows the core's
 * {@link Enforcement}: a passing decision goes on to the wrapped handler with the decision and the
 * {@link Forwarding} facts as request attributes ({@link UpstreamProxy} turns them into the
 * {@code X-Gatehouse-*} and forwarding headers); a refusal is the core's {@link Refusal} copied onto the
 * Jetty response. {@code CONNECT} and {@code TRACE} are answered 405 before anything is decided.
 *
 * <p>First of all every request gets its {@code X-Request-Id} ({@link RequestId}: a trusted proxy's, else a
 * fresh one), as a request attribute and a response header, so the upstream, the refusal or error page and
 * the decision-log line ({@code Gatehouse.decisionLog()}) all carry the same id. A refusal is logged when it
 * is written; a sampled allow when its response is done, with the status the client got.
 */
public final class GatehouseHandler extends Handler.Wrapper {

    /** The headers Gatehouse sets on requests it passes on; every spelling of the prefix is stripped from clients. */
    public static final List<String> UPSTREAM_HEADERS = GatehouseHeaders.UPSTREAM;

    private static final Logger log = LoggerFactory.getLogger(GatehouseHandler.class);

    private final Gatehouse gatehouse;
    private final ClientIpResolver clientIpResolver;
    private final Counter forwarded;
    private final Counter refused;

    /**
     * @param gatehouse        the decision pipeline
     * @param clientIpResolver which peers may speak for the client in {@code X-Forwarded-For} / {@code Forwarded}
     * @param next             where allowed requests go (the reverse proxy)
     */
    public GatehouseHandler(Gatehouse gatehouse, ClientIpResolver clientIpResolver, Handler next) {
        super(Objects.requireNonNull(next, "next"));
        this.gatehouse = Objects.requireNonNull(gatehouse, "gatehouse");
        this.clientIpResolver = Objects.requireNonNull(clientIpResolver, "clientIpResolver");
        MeterRegistry registry = gatehouse.meterRegistry();
        this.forwarded = Counter.builder("gatehouse.proxy.requests").tag("outcome", "forwarded")
                .description("Requests the proxy passed upstream or refused").register(registry);
        this.refused = Counter.builder("gatehouse.proxy.requests").tag("outcome", "refused")
                .description("Requests the proxy passed upstream or refused").register(registry);
    }

    @Override
    public boolean handle(Request clientToProxyRequest, Response proxyToClientResponse, Callback proxyToClientCallback) {
        IpAddress peer = Enforcement.peer(clientToProxyRequest.getConnectionMetaData().getRemoteSocketAddress());
        assignRequestId(clientToProxyRequest, proxyToClientResponse, peer);
        if (UpstreamProxy.isRefusedMethod(clientToProxyRequest.getMethod())) {
            UpstreamProxy.refuseMethod(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback);
            return true;
        }
        if (peer == null) {
            // Nothing to look up and nobody to trust: the fail mode decides, as in the servlet filter.
            enforce(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, new Forwarding(null, null, false), null,
                    Enforcement.peerNotIp(gatehouse.failOpen()), null);
            return true;
        }
        IpAddress clientIp = resolveClientIp(clientToProxyRequest, peer);
        Forwarding forwarding = new Forwarding(peer, clientIp, clientIpResolver.trustedProxies().isTrusted(peer));
        RequestFacts facts = requestFacts(clientToProxyRequest, clientIp, peer);
        if (Challenger.isEndpoint(facts.path())) {
            // the challenge's own verify endpoint: its answer sets the pass, so no decision stands before it
            write(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, Enforcement.challengeEndpoint(gatehouse.challenger(),
                    facts, clientToProxyRequest.getHttpURI().getQuery(), clientToProxyRequest.isSecure()));
            return true;
        }
        gatehouse.decide(facts).whenComplete((decision, failure) ->
                enforce(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, forwarding, facts, decision, failure));
        return true;
    }

    /**
     * The request's {@code X-Request-Id}: a trusted proxy's when valid, else a fresh one; kept as a request
     * attribute (the upstream hop, the error page and the decision log read it) and sent back to the client.
     */
    private void assignRequestId(Request clientToProxyRequest, Response proxyToClientResponse, IpAddress peer) {
        boolean trusted = peer != null && clientIpResolver.trustedProxies().isTrusted(peer);
        String requestId = RequestId.resolve(clientToProxyRequest.getHeaders().get(RequestId.HEADER), trusted);
        clientToProxyRequest.setAttribute(RequestId.ATTRIBUTE, requestId);
        proxyToClientResponse.getHeaders().put(RequestId.HEADER, requestId);
    }

    /** The client address: the socket peer, or what a trusted peer says in its forwarding headers. */
    IpAddress resolveClientIp(Request clientToProxyRequest, IpAddress peer) {
        HttpFields headers = clientToProxyRequest.getHeaders();
        return clientIpResolver.resolve(peer,
                headers.getValuesList(HttpHeader.X_FORWARDED_FOR),
                headers.getValuesList(HttpHeader.FORWARDED));
    }

    static RequestFacts requestFacts(Request clientToProxyRequest, IpAddress clientIp, IpAddress peer) {
        String path = clientToProxyRequest.getHttpURI().getCanonicalPath();
        RequestFacts.Builder facts = RequestFacts.builder(clientIp)
                .peerIp(peer)
                .method(clientToProxyRequest.getMethod())
                .host(ForwardingHeaders.clientHost(clientToProxyRequest)) // Host, or the HTTP/2 :authority
                .path(path == null ? clientToProxyRequest.getHttpURI().getPath() : path);
        for (HttpField field : clientToProxyRequest.getHeaders()) {
            if (!GatehouseHeaders.isReserved(field.getName())) {
                facts.header(field.getLowerCaseName(), field.getValue()); // Jetty's own lower case for known headers
            }
        }
        return facts.build();
    }

    private void enforce(Request clientToProxyRequest, Response proxyToClientResponse, Callback proxyToClientCallback,
                         Forwarding forwarding, RequestFacts facts, Decision decision, Throwable failure) {
        try {
            if (decision == null) {
                // Gatehouse.decide never fails; if it ever does, the fail mode decides rather than hang the request.
                log.error("no decision for {}: {}", LogSafe.text(clientToProxyRequest.getHttpURI().getPathQuery()), LogSafe.text(failure));
                decision = Enforcement.undecided(gatehouse.failOpen(), forwarding.client(), "error/no-decision", String.valueOf(failure));
            }
            // a refusal, the challenge page, or null: the request goes on (an allow, a shadowed refusal, a challenge passed)
            String requestId = (String) clientToProxyRequest.getAttribute(RequestId.ATTRIBUTE);
            Refusal refusal = Enforcement.answer(decision, facts, clientToProxyRequest.getHttpURI().getQuery(), "", gatehouse.challenger(),
                    requestId, gatehouse.pages());
            boolean logged = gatehouse.decisionLog().wants(decision); // false for most allows: one random number
            if (refusal == null) {
                // within a rate limit: the client still learns its quota (RateLimit-Policy / RateLimit)
                Map<String, String> quota = decision.response().headers();
                if (!quota.isEmpty() && Enforcement.passes(decision)) {
                    quota.forEach(proxyToClientResponse.getHeaders()::put);
                }
                clientToProxyRequest.setAttribute(Decision.REQUEST_ATTRIBUTE, decision);
                clientToProxyRequest.setAttribute(Forwarding.ATTRIBUTE, forwarding);
                forward(clientToProxyRequest, proxyToClientResponse, logged
                        ? logWhenDone(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, requestId, decision)
                        : proxyToClientCallback);
            } else {
                refused.increment();
                if (logged) {
                    gatehouse.decisionLog().record(logEntry(clientToProxyRequest, requestId, decision, refusal.status()));
                }
                write(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, refusal);
            }
        } catch (Throwable x) {
            log.warn("could not enforce the decision for {}: {}", LogSafe.text(clientToProxyRequest.getHttpURI().getPathQuery()),
                    LogSafe.text(x));
            Response.writeError(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, x);
        }
    }

    /** The callback that logs the decision with the status the client got once the response is done (logged allows only). */
    private Callback logWhenDone(Request clientToProxyRequest, Response proxyToClientResponse, Callback proxyToClientCallback,
                                 String requestId, Decision decision) {
        return new Callback.Nested(proxyToClientCallback) {
            @Override
            public void succeeded() {
                log();
                super.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                log();
                super.failed(x);
            }

            private void log() {
                gatehouse.decisionLog().record(logEntry(clientToProxyRequest, requestId, decision, proxyToClientResponse.getStatus()));
            }
        };
    }

    private static DecisionLog.Entry logEntry(Request clientToProxyRequest, String requestId, Decision decision, int status) {
        HttpFields headers = clientToProxyRequest.getHeaders();
        return new DecisionLog.Entry(requestId, decision, clientToProxyRequest.getMethod(), headers.get(HttpHeader.HOST),
                clientToProxyRequest.getHttpURI().getPath(), headers.get(HttpHeader.USER_AGENT), status);
    }

    private void forward(Request clientToProxyRequest, Response proxyToClientResponse, Callback proxyToClientCallback) throws Exception {
        forwarded.increment();
        if (!super.handle(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback)) {
            Response.writeError(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, HttpStatus.NOT_FOUND_404);
        }
    }

    private static void write(Request clientToProxyRequest, Response proxyToClientResponse, Callback proxyToClientCallback, Refusal refusal) {
        proxyToClientResponse.setStatus(refusal.status());
        HttpFields.Mutable headers = proxyToClientResponse.getHeaders();
        refusal.headers().forEach(headers::put);
        headers.put(HttpHeader.CONTENT_TYPE, refusal.contentType());
        headers.put(HttpHeader.CONTENT_LENGTH, String.valueOf(refusal.contentLength()));
        boolean head = HttpMethod.HEAD.is(clientToProxyRequest.getMethod());
        proxyToClientResponse.write(true, head ? BufferUtil.EMPTY_BUFFER : refusal.bodyBuffer(), proxyToClientCallback);
    }
}
