package dev.gatehouse.proxy;

import dev.gatehouse.api.Decision;
import dev.gatehouse.enforcement.GatehouseHeaders;
import dev.gatehouse.enforcement.RequestId;
import dev.gatehouse.net.LogSafe;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.Graceful;
import org.eclipse.jetty.websocket.core.WebSocketComponents;
import org.eclipse.jetty.websocket.core.client.CoreClientUpgradeRequest;
import org.eclipse.jetty.websocket.core.client.WebSocketCoreClient;
import org.eclipse.jetty.websocket.core.exception.UpgradeException;
import org.eclipse.jetty.websocket.core.server.Handshaker;
import org.eclipse.jetty.websocket.core.server.WebSocketServerComponents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * WebSocket pass-through, after the verdict: sits between {@link GatehouseHandler} (which has already
 * decided, so a refused upgrade never gets here) and {@link UpstreamProxy} (which gets every other
 * request). Jetty's {@code ProxyHandler} does not tunnel upgrades, so the relay terminates the
 * WebSocket on both hops with Jetty's websocket-core and copies frames across ({@link WebSocketBridge}).
 *
 * <p>The order matters: the upstream connection is made <em>first</em>, with the client's sub-protocols,
 * cookies and headers and Gatehouse's own ({@code X-Gatehouse-*}, {@code X-Forwarded-*}, {@code Forwarded},
 * {@code Via}); only when the upstream has said 101 is the client's upgrade accepted, with the
 * sub-protocol the upstream chose. So an upstream that is down or refuses the upgrade gets the client a
 * plain HTTP answer (502/504, or the upstream's own 4xx) instead of a 101 followed by a close. A
 * connection that cannot be made is tried on the next healthy upstream, as for any request.
 *
 * <p>Only HTTP/1.1 upgrades ({@code Upgrade: websocket}); WebSocket over HTTP/2 (RFC 8441 extended
 * {@code CONNECT}) is not offered, so browsers on an h2 connection open a separate HTTP/1.1 one for it.
 */
final class WebSocketRelay extends Handler.Wrapper implements Graceful {

    private static final Logger log = LoggerFactory.getLogger(WebSocketRelay.class);
    private static final String TRIED_ATTRIBUTE = WebSocketRelay.class.getName() + ".tried";

    private final Upstreams upstreams;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final Handshaker handshaker = Handshaker.newInstance();
    private final WebSocketCoreClient client;
    private WebSocketComponents serverComponents;
    /** The bridges whose client side is open, by their upgrade request: closed with 1001 when the proxy stops. */
    private final Map<Request, WebSocketBridge> open = new ConcurrentHashMap<>();
    private volatile boolean shutdown;

    private final MeterRegistry registry;

    /** @param registry where {@code gatehouse.proxy.websockets.open} and upstream errors are counted; {@code null} for none */
    WebSocketRelay(Handler next, Upstreams upstreams, Duration connectTimeout, Duration idleTimeout, MeterRegistry registry) {
        super(Objects.requireNonNull(next, "next"));
        this.registry = registry;
        if (registry != null) {
            Gauge.builder("gatehouse.proxy.websockets.open", open, Map::size)
                    .description("WebSockets relayed to the upstream right now").register(registry);
        }
        this.upstreams = Objects.requireNonNull(upstreams, "upstreams");
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
        HttpClient http = new HttpClient();
        http.setConnectTimeout(connectTimeout.toMillis());
        // Cookies belong to the client: a store here would hand one visitor's cookies to the next.
        http.setHttpCookieStore(new HttpCookieStore.Empty());
        http.setUserAgentField(null); // the client's own User-Agent is copied; Jetty must not add its own
        http.setFollowRedirects(false);
        this.client = new WebSocketCoreClient(http, null);
        addBean(client);
    }

    @Override
    protected void doStart() throws Exception {
        serverComponents = WebSocketServerComponents.ensureWebSocketComponents(getServer());
        super.doStart();
    }

    /**
     * The stop has begun: every open WebSocket is closed now with 1001 (going away), rather than left to the
     * shutdown idle timeout, so clients learn at once and reconnect elsewhere.
     */
    @Override
    public CompletableFuture<Void> shutdown() {
        shutdown = true;
        open.values().forEach(bridge -> bridge.close(org.eclipse.jetty.websocket.core.CloseStatus.SHUTDOWN, "proxy shutting down"));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean handle(Request clientToProxyRequest, Response proxyToClientResponse, Callback proxyToClientCallback) throws Exception {
        // HTTP/1.1 GET + Upgrade only: an RFC 8441 CONNECT is not offered (and is refused as a CONNECT)
        if (!HttpMethod.GET.is(clientToProxyRequest.getMethod()) || !handshaker.isWebSocketUpgradeRequest(clientToProxyRequest)) {
            return super.handle(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback);
        }
        connectUpstream(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback);
        return true;
    }

    /** Upstream first: its 101 (and chosen sub-protocol) decides whether and how the client is upgraded. */
    private void connectUpstream(Request clientToProxyRequest, Response proxyToClientResponse, Callback proxyToClientCallback) {
        Upstreams.Upstream target = upstreams.pick(tried(clientToProxyRequest));
        if (target == null) {
            log.warn("no healthy upstream for a WebSocket upgrade to {}: {}",
                    LogSafe.text(clientToProxyRequest.getHttpURI().getPathQuery()), upstreams.readiness());
            countError(HttpStatus.SERVICE_UNAVAILABLE_503);
            Response.writeError(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, HttpStatus.SERVICE_UNAVAILABLE_503);
            return;
        }
        WebSocketBridge bridge = new WebSocketBridge(idleTimeout, () -> open.remove(clientToProxyRequest));
        URI uri = webSocketUri(target, clientToProxyRequest);
        CoreClientUpgradeRequest proxyToServerUpgrade = CoreClientUpgradeRequest.from(client, uri, bridge.upstreamSide());
        proxyToServerUpgrade.setSubProtocols(subProtocols(clientToProxyRequest.getHeaders()));
        proxyToServerUpgrade.headers(headers -> upstreamHeaders(clientToProxyRequest, target, headers));
        // the handshake itself: a connect timeout, then the upstream's 101 within the idle timeout
        proxyToServerUpgrade.timeout(connectTimeout.plus(idleTimeout).toMillis(), TimeUnit.MILLISECONDS);
        try {
            client.connect(proxyToServerUpgrade).whenComplete((upstreamSession, failure) -> {
                if (failure == null) {
                    upgradeClient(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, bridge, upstreamSession);
                } else {
                    upstreamFailed(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, target, failure);
                }
            });
        } catch (Exception e) {
            upstreamFailed(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, target, e);
        }
    }

    private void upgradeClient(Request clientToProxyRequest, Response proxyToClientResponse, Callback proxyToClientCallback,
                               WebSocketBridge bridge, org.eclipse.jetty.websocket.core.CoreSession upstreamSession) {
        try {
            boolean upgraded = handshaker.upgradeRequest((request, response, callback) -> {
                String subProtocol = upstreamSession.getNegotiatedSubProtocol();
                if (subProtocol != null && !subProtocol.isEmpty()) {
                    response.setAcceptedSubProtocol(subProtocol);
                }
                open.put(clientToProxyRequest, bridge);
                return bridge.clientSide();
            }, clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, serverComponents, null);
            if (!upgraded) {
                upstreamSession.close(org.eclipse.jetty.websocket.core.CloseStatus.SHUTDOWN, "client upgrade failed", Callback.NOOP);
                Response.writeError(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, HttpStatus.BAD_REQUEST_400);
            }
        } catch (Throwable x) {
            upstreamSession.close(org.eclipse.jetty.websocket.core.CloseStatus.SHUTDOWN, "client upgrade failed", Callback.NOOP);
            log.debug("client WebSocket upgrade failed: {}", LogSafe.text(x));
            Response.writeError(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, HttpStatus.BAD_REQUEST_400);
        }
    }

    private void upstreamFailed(Request clientToProxyRequest, Response proxyToClientResponse, Callback proxyToClientCallback,
                                Upstreams.Upstream target, Throwable failure) {
        if (UpstreamProxy.isConnectFailure(failure)) {
            upstreams.connectFailed(target, failure);
            Set<Upstreams.Upstream> tried = new HashSet<>(tried(clientToProxyRequest));
            tried.add(target);
            clientToProxyRequest.setAttribute(TRIED_ATTRIBUTE, tried);
            if (upstreams.pick(tried) != null) {
                connectUpstream(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback);
                return;
            }
        }
        int status = statusFor(failure);
        countError(status);
        log.warn("WebSocket upgrade to upstream {} failed for {}: {} -> {}", target,
                LogSafe.text(clientToProxyRequest.getHttpURI().getPathQuery()), LogSafe.text(failure), status);
        Response.writeError(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, status);
    }

    private void countError(int status) {
        if (registry != null) {
            registry.counter("gatehouse.proxy.upstream.errors", "status", String.valueOf(status)).increment();
        }
    }

    /** The upstream's own 4xx when it refused the upgrade (404, 403, …); 504 for a timeout; 502 otherwise. */
    static int statusFor(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UpgradeException upgrade && upgrade.getResponseStatusCode() >= 400 && upgrade.getResponseStatusCode() < 500) {
                return upgrade.getResponseStatusCode();
            }
            if (t instanceof TimeoutException || t instanceof java.net.SocketTimeoutException) {
                return HttpStatus.GATEWAY_TIMEOUT_504;
            }
        }
        return HttpStatus.BAD_GATEWAY_502;
    }

    @SuppressWarnings("unchecked")
    private static Set<Upstreams.Upstream> tried(Request clientToProxyRequest) {
        Object tried = clientToProxyRequest.getAttribute(TRIED_ATTRIBUTE);
        return tried == null ? Set.of() : (Set<Upstreams.Upstream>) tried;
    }

    /** {@code ws://upstream:port/base/path?query} (or {@code wss://}) with the client's raw path and query. */
    static URI webSocketUri(Upstreams.Upstream target, Request clientToProxyRequest) {
        String scheme = "https".equalsIgnoreCase(target.origin.getScheme()) ? "wss" : "ws";
        String path = clientToProxyRequest.getHttpURI().getPath();
        String query = clientToProxyRequest.getHttpURI().getQuery();
        return URI.create(scheme + "://" + target.authority + target.basePath + (path == null || path.isEmpty() ? "/" : path)
                + (query == null ? "" : "?" + query));
    }

    static List<String> subProtocols(HttpFields headers) {
        List<String> out = new ArrayList<>();
        for (String value : headers.getValuesList(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL)) {
            for (String token : value.split(",")) {
                if (!token.isBlank()) {
                    out.add(token.strip());
                }
            }
        }
        return out;
    }

    /** Headers of the handshake itself, hop-by-hop ones, and those websocket-core sets for the upstream hop. */
    private static final Set<String> NOT_COPIED = Set.of("host", "connection", "upgrade", "keep-alive", "te", "trailer",
            "transfer-encoding", "proxy-connection", "proxy-authorization", "proxy-authenticate", "content-length",
            "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol", "sec-websocket-accept");

    /**
     * What {@link UpstreamProxy} sends for an HTTP request, for the upgrade request: the client's headers
     * less hop-by-hop, {@code Connection}-named, handshake and {@code X-Gatehouse-*} ones (and the
     * forwarding headers of a peer that is not a trusted proxy), then {@code Host}, {@code Via},
     * {@code Forwarded}, {@code X-Forwarded-*}, {@code X-Real-IP} and the verdict headers.
     */
    static void upstreamHeaders(Request clientToProxyRequest, Upstreams.Upstream target, boolean preserveHost, HttpFields.Mutable headers) {
        HttpFields clientHeaders = clientToProxyRequest.getHeaders();
        Forwarding forwarding = UpstreamProxy.forwarding(clientToProxyRequest);
        Set<String> connectionNamed = new HashSet<>();
        for (String value : clientHeaders.getValuesList(HttpHeader.CONNECTION)) {
            for (String name : value.split(",")) {
                connectionNamed.add(name.strip().toLowerCase(Locale.ROOT));
            }
        }
        for (HttpField field : clientHeaders) {
            String name = field.getLowerCaseName();
            if (NOT_COPIED.contains(name) || connectionNamed.contains(name) || GatehouseHeaders.isReserved(field.getName())
                    || ForwardingHeaders.isSetByGatehouse(field.getName())
                    || (!forwarding.peerTrusted() && ForwardingHeaders.isForwarding(field.getName()))) {
                continue;
            }
            headers.add(field);
        }
        String clientHost = ForwardingHeaders.clientHost(clientToProxyRequest);
        headers.put(HttpHeader.HOST, preserveHost && clientHost != null ? clientHost : target.authority);
        String via = clientHeaders.get(HttpHeader.VIA);
        headers.put(HttpHeader.VIA, (via == null || via.isBlank() ? "" : via + ", ") + "1.1 gatehouse");
        String element = ProxyTuning.forwardedElement(clientToProxyRequest);
        String forwarded = forwarding.peerTrusted() ? clientHeaders.get(HttpHeader.FORWARDED) : null;
        headers.put(HttpHeader.FORWARDED, forwarded == null ? element : forwarded + ", " + element);
        ForwardingHeaders.set(clientToProxyRequest, clientHeaders, forwarding, headers);
        if (clientToProxyRequest.getAttribute(Decision.REQUEST_ATTRIBUTE) instanceof Decision decision) {
            GatehouseHeaders.forEach(decision, headers::put);
        }
        if (clientToProxyRequest.getAttribute(RequestId.ATTRIBUTE) instanceof String requestId) {
            headers.put(RequestId.HEADER, requestId); // the id of the upgrade's decision, as for any request
        }
    }

    private void upstreamHeaders(Request clientToProxyRequest, Upstreams.Upstream target, HttpFields.Mutable headers) {
        upstreamHeaders(clientToProxyRequest, target, upstreams.settings().preserveHost(), headers);
    }
}
