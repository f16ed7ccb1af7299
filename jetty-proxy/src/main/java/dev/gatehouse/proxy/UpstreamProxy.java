package dev.gatehouse.proxy;

import dev.gatehouse.api.Decision;
import dev.gatehouse.enforcement.Enforcement;
import dev.gatehouse.enforcement.GatehouseHeaders;
import dev.gatehouse.enforcement.RequestId;
import dev.gatehouse.net.LogSafe;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpConversation;
import org.eclipse.jetty.client.transport.HttpRequest;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The reverse-proxy hop: sends the client's request target, byte for byte, to the upstream and relays
 * the exchange.
 * <ul>
 *   <li>The target is forwarded as received (a query with {@code |}, {@code {}}, {@code ^}, {@code "} or a
 *       malformed escape such as {@code %zz} is the application's to judge), under the upstream's base path.</li>
 *   <li>Headers: Jetty drops the hop-by-hop ones and those named in {@code Connection}; then
 *       {@link #addProxyHeaders} sets Gatehouse's own ({@code X-Gatehouse-*}, {@code X-Forwarded-For},
 *       {@code X-Real-IP}, {@code X-Forwarded-Host}, {@code X-Forwarded-Proto}, {@code Forwarded}, {@code Via}),
 *       so no {@code Connection} token can remove them (see {@code docs/proxy.md} for the values).</li>
 *   <li>{@code CONNECT} and {@code TRACE} are answered {@code 405} here and never forwarded.</li>
 *   <li>Several upstreams ({@link Upstreams}): each request goes to the next healthy one, round-robin. A
 *       request the upstream never saw (the connection could not be made, nothing of it was written, no
 *       byte of its body read) is tried on the next one; any other failure is answered, never retried.
 *       No healthy upstream left → {@code 503}.</li>
 *   <li>{@code Host}: the client's ({@code preserve-host: true}, the default) or the upstream's own authority.</li>
 *   <li>Timeouts: a connect timeout, and an idle timeout (no bytes either way); a slow but flowing
 *       download is never cut. No answer in time → {@code 504}; an unreachable or broken upstream →
 *       {@code 502}; a client whose request body is malformed (bad chunking) → {@code 400}, not counted as
 *       an upstream error.</li>
 * </ul>
 */
final class UpstreamProxy extends ProxyHandler.Reverse {

    private static final Logger log = LoggerFactory.getLogger(UpstreamProxy.class);
    /** The methods a reverse proxy has no business forwarding: tunnels and request echoes. */
    static final String ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

    /** The request attribute holding the {@link Upstreams.Upstream} this attempt goes to. */
    static final String TARGET_ATTRIBUTE = UpstreamProxy.class.getName() + ".target";
    /** The request attribute holding the upstreams already tried for this request. */
    private static final String TRIED_ATTRIBUTE = UpstreamProxy.class.getName() + ".tried";

    private final Upstreams upstreams;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final MeterRegistry registry;
    private InvocationType invocationType = ProxyTuning.INVOCATION_TYPE;

    UpstreamProxy(URI upstream, Duration connectTimeout, Duration idleTimeout, MeterRegistry registry) {
        this(new Upstreams(UpstreamSettings.of(upstream), java.time.Clock.systemUTC()), connectTimeout, idleTimeout, registry);
    }

    UpstreamProxy(Upstreams upstreams, Duration connectTimeout, Duration idleTimeout, MeterRegistry registry) {
        // newProxyToServerRequest builds the target from the chosen upstream; this rewrite is only for Jetty's debug log
        super(clientToProxyRequest -> rewrite(target(clientToProxyRequest).uri, clientToProxyRequest.getHttpURI()));
        this.upstreams = Objects.requireNonNull(upstreams, "upstreams");
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
        this.registry = registry;
        // The default asks the OS for the local host name: a DNS lookup we neither need nor want at start.
        setViaHost("gatehouse");
    }

    private static String basePath(URI upstream) {
        String base = upstream.getRawPath() == null ? "" : upstream.getRawPath();
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /** {@code http://upstream:3000/base} + {@code /path?query} → {@code http://upstream:3000/base/path?query}. */
    static HttpURI rewrite(URI upstream, HttpURI clientToProxyUri) {
        String path = clientToProxyUri.getPath() == null ? "/" : clientToProxyUri.getPath();
        return HttpURI.build()
                .scheme(upstream.getScheme())
                .host(upstream.getHost())
                .port(upstream.getPort())
                .path(basePath(upstream) + path)
                .query(clientToProxyUri.getQuery())
                .asImmutable();
    }

    /** Whether the proxy refuses {@code method} outright ({@code CONNECT}, {@code TRACE}). */
    static boolean isRefusedMethod(String method) {
        return "CONNECT".equalsIgnoreCase(method) || "TRACE".equalsIgnoreCase(method);
    }

    /** {@code 405} with {@code Allow}, for {@link #isRefusedMethod}. */
    static void refuseMethod(Request clientToProxyRequest, Response proxyToClientResponse, Callback proxyToClientCallback) {
        proxyToClientResponse.getHeaders().put(HttpHeader.ALLOW, ALLOWED_METHODS);
        Response.writeError(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, HttpStatus.METHOD_NOT_ALLOWED_405);
    }

    @Override
    public boolean handle(Request clientToProxyRequest, Response proxyToClientResponse, Callback proxyToClientCallback) {
        if (isRefusedMethod(clientToProxyRequest.getMethod())) {
            refuseMethod(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback);
            return true;
        }
        Upstreams.Upstream target = upstreams.pick(tried(clientToProxyRequest));
        if (target == null) {
            noHealthyUpstream(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback);
            return true;
        }
        clientToProxyRequest.setAttribute(TARGET_ATTRIBUTE, target);
        return super.handle(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback);
    }

    /** {@code 503}, with {@code Retry-After} when an upstream's backoff ends on its own. */
    private void noHealthyUpstream(Request clientToProxyRequest, Response proxyToClientResponse, Callback proxyToClientCallback) {
        if (registry != null) {
            registry.counter("gatehouse.proxy.upstream.errors", "status", "503").increment();
        }
        log.warn("no healthy upstream for {}: {}", LogSafe.text(clientToProxyRequest.getHttpURI().getPathQuery()), upstreams.readiness());
        Duration revival = upstreams.nextRevival();
        if (revival != null) {
            proxyToClientResponse.getHeaders().put(HttpHeader.RETRY_AFTER, String.valueOf(Math.max(1, (revival.toMillis() + 999) / 1000)));
        }
        Response.writeError(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, HttpStatus.SERVICE_UNAVAILABLE_503);
    }

    /** The upstream {@link #handle} chose for this attempt. */
    static Upstreams.Upstream target(Request clientToProxyRequest) {
        return (Upstreams.Upstream) clientToProxyRequest.getAttribute(TARGET_ATTRIBUTE);
    }

    @SuppressWarnings("unchecked")
    private static Set<Upstreams.Upstream> tried(Request clientToProxyRequest) {
        Object tried = clientToProxyRequest.getAttribute(TRIED_ATTRIBUTE);
        return tried == null ? Set.of() : (Set<Upstreams.Upstream>) tried;
    }

    private static void addTried(Request clientToProxyRequest, Upstreams.Upstream upstream) {
        Set<Upstreams.Upstream> tried = new HashSet<>(tried(clientToProxyRequest));
        tried.add(upstream);
        clientToProxyRequest.setAttribute(TRIED_ATTRIBUTE, tried);
    }

    /** The upstream client on the server's thread pool, with non-blocking response events ({@link ProxyTuning}). */
    @Override
    protected HttpClient newHttpClient() {
        return ProxyTuning.upstreamClient(getServer() == null ? null : getServer().getThreadPool());
    }

    /** Forwarding never blocks a thread: Jetty may run it on the selector thread ({@link ProxyTuning}). */
    @Override
    public InvocationType getInvocationType() {
        return invocationType;
    }

    /** Jetty hands each request to a pool thread: for decisions that wait on I/O ({@link ProxyTuning#mustDispatch}). */
    void dispatchToPool() {
        this.invocationType = InvocationType.BLOCKING;
    }

    @Override
    protected void configureHttpClient(HttpClient httpClient) {
        super.configureHttpClient(httpClient);
        // Many clients behind one proxy: the default of 64 connections per upstream is a bottleneck under load.
        httpClient.setMaxConnectionsPerDestination(1024);
        // Otherwise the client adds its own "User-Agent: Jetty/12…" beside the client's: the upstream must see only the client's.
        httpClient.setUserAgentField(null);
        httpClient.setConnectTimeout(connectTimeout.toMillis());
        httpClient.setIdleTimeout(idleTimeout.toMillis());
    }

    /**
     * The request to the upstream, built from the raw request target rather than a {@link URI}: a
     * target {@code java.net.URI} refuses (a {@code |} or {@code %zz} in the query) is still forwarded as
     * the client sent it. Only an idle timeout applies to the exchange, never one on its total length.
     */
    @Override
    protected org.eclipse.jetty.client.Request newProxyToServerRequest(Request clientToProxyRequest, HttpURI proxyToServerUri) {
        HttpURI clientToProxyUri = clientToProxyRequest.getHttpURI();
        String path = clientToProxyUri.getPath() == null || clientToProxyUri.getPath().isEmpty() ? "/" : clientToProxyUri.getPath();
        String query = clientToProxyUri.getQuery();
        Upstreams.Upstream target = target(clientToProxyRequest);
        org.eclipse.jetty.client.Request proxyToServerRequest = new RawTargetRequest(getHttpClient(), target.origin, target.basePath + path, query)
                .method(clientToProxyRequest.getMethod())
                .idleTimeout(idleTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (retryable()) {
            // Committed = the upstream may have seen the request: from then on a failure is never retried elsewhere.
            proxyToServerRequest.onRequestCommit(r -> r.attribute(COMMITTED_ATTRIBUTE, Boolean.TRUE));
        }
        return proxyToServerRequest;
    }

    private static final String COMMITTED_ATTRIBUTE = UpstreamProxy.class.getName() + ".committed";

    /** The client's body, watched: once a byte of it was read, the request can no longer be retried on another upstream. */
    @Override
    protected org.eclipse.jetty.client.Request.Content newProxyToServerRequestContent(Request clientToProxyRequest, Response proxyToClientResponse,
                                                                                      org.eclipse.jetty.client.Request proxyToServerRequest) {
        org.eclipse.jetty.client.Request.Content content = super.newProxyToServerRequestContent(clientToProxyRequest, proxyToClientResponse,
                proxyToServerRequest);
        return retryable() ? new WatchedContent(content) : content;
    }

    /** With a single upstream there is nowhere to retry: the hot path then skips the bookkeeping. */
    private boolean retryable() {
        return upstreams.all().size() > 1;
    }

    /**
     * A client request whose path and query are the client's bytes, never parsed: Jetty's own
     * {@code path(String)} goes through {@code java.net.URI} and would either reject the target or fold
     * the query into the path, where its {@code %} escapes are then decoded.
     */
    static final class RawTargetRequest extends HttpRequest {
        private final String rawPath;
        private final String rawQuery;

        RawTargetRequest(HttpClient client, URI origin, String rawPath, String rawQuery) {
            super(client, new HttpConversation(), origin);
            this.rawPath = rawPath;
            this.rawQuery = rawQuery;
        }

        @Override
        public String getPath() {
            return rawPath;
        }

        @Override
        public String getQuery() {
            return rawQuery;
        }
    }

    /**
     * Jetty's copy (without hop-by-hop headers and those named in {@code Connection}), less every
     * {@code X-Gatehouse-*} spelling, and less the forwarding headers Gatehouse is in charge of: all of
     * them from a peer that is not a trusted proxy, only {@code X-Forwarded-For} and {@code X-Real-IP}
     * (set again in {@link #addProxyHeaders}) from one that is.
     */
    @Override
    protected void copyRequestHeaders(Request clientToProxyRequest, org.eclipse.jetty.client.Request proxyToServerRequest) {
        super.copyRequestHeaders(clientToProxyRequest, proxyToServerRequest);
        boolean trusted = forwarding(clientToProxyRequest).peerTrusted();
        boolean preserveHost = upstreams.settings().preserveHost();
        proxyToServerRequest.headers(headers -> {
            if (!preserveHost) {
                headers.put(HttpHeader.HOST, target(clientToProxyRequest).authority);
            } else if (!headers.contains(HttpHeader.HOST)) {
                // HTTP/2 clients send :authority, no Host header: without this the upstream would get its own name
                String clientHost = ForwardingHeaders.clientHost(clientToProxyRequest);
                if (clientHost != null) {
                    headers.put(HttpHeader.HOST, clientHost);
                }
            }
            List<String> drop = new ArrayList<>();
            for (HttpField field : headers) {
                String name = field.getName();
                if (GatehouseHeaders.isReserved(name) || ForwardingHeaders.isSetByGatehouse(name)
                        || (!trusted && ForwardingHeaders.isForwarding(name))) {
                    drop.add(name);
                }
            }
            drop.forEach(headers::remove);
        });
    }

    /** Jetty's {@code Forwarded} logic, with the HTTP/2 authority as {@code host=} (Jetty reads only a {@code Host} header). */
    @Override
    protected void addForwardedHeader(Request clientToProxyRequest, org.eclipse.jetty.client.Request proxyToServerRequest) {
        String element = ProxyTuning.forwardedElement(clientToProxyRequest);
        // only a trusted proxy's Forwarded survives copyRequestHeaders; ours is appended to its elements
        proxyToServerRequest.headers(headers -> ProxyTuning.appendForwarded(headers, element));
    }

    /**
     * Jetty's {@code Via} and {@code Forwarded}, then Gatehouse's headers. This runs after the client's
     * headers were copied and the {@code Connection}-named ones dropped, so none of these can be named away.
     */
    @Override
    protected void addProxyHeaders(Request clientToProxyRequest, org.eclipse.jetty.client.Request proxyToServerRequest) {
        super.addProxyHeaders(clientToProxyRequest, proxyToServerRequest);
        Forwarding forwarding = forwarding(clientToProxyRequest);
        Decision decision = (Decision) clientToProxyRequest.getAttribute(Decision.REQUEST_ATTRIBUTE);
        HttpFields clientHeaders = clientToProxyRequest.getHeaders();
        proxyToServerRequest.headers(headers -> {
            ForwardingHeaders.set(clientToProxyRequest, clientHeaders, forwarding, headers);
            if (decision != null) {
                GatehouseHeaders.forEach(decision, headers::put);
            }
            if (clientToProxyRequest.getAttribute(RequestId.ATTRIBUTE) instanceof String requestId) {
                headers.put(RequestId.HEADER, requestId); // replaces the client's: GatehouseHandler decided which one stands
            }
        });
    }

    /**
     * The upstream's {@code Server} banner is dropped (as nginx does), and so is its own {@code X-Request-Id}:
     * the client gets the one Gatehouse set, which the log and the upstream share.
     */
    @Override
    protected HttpField filterServerToProxyResponseField(HttpField serverToProxyResponseField) {
        HttpHeader known = serverToProxyResponseField.getHeader();
        if (known == HttpHeader.SERVER
                || (known == null && RequestId.HEADER.equalsIgnoreCase(serverToProxyResponseField.getName()))) {
            return null;
        }
        return super.filterServerToProxyResponseField(serverToProxyResponseField);
    }


    /** Jetty's {@code Via} value, without splitting the protocol string on every request ({@link ProxyTuning#via}). */
    @Override
    protected void addViaHeader(Request clientToProxyRequest, org.eclipse.jetty.client.Request proxyToServerRequest) {
        String via = ProxyTuning.via(clientToProxyRequest.getConnectionMetaData().getProtocol(), getViaHost());
        proxyToServerRequest.headers(headers -> ProxyTuning.appendVia(headers, via));
    }

    static Forwarding forwarding(Request clientToProxyRequest) {
        if (clientToProxyRequest.getAttribute(Forwarding.ATTRIBUTE) instanceof Forwarding f) {
            return f;
        }
        // Without Gatehouse in front (the bare proxy): nobody is trusted.
        return Forwarding.untrusted(Enforcement.peer(clientToProxyRequest.getConnectionMetaData().getRemoteSocketAddress()));
    }

    @Override
    protected void onServerToProxyResponseFailure(Request clientToProxyRequest, org.eclipse.jetty.client.Request proxyToServerRequest,
                                                  org.eclipse.jetty.client.Response serverToProxyResponse, Response proxyToClientResponse,
                                                  Callback proxyToClientCallback, Throwable failure) {
        Upstreams.Upstream target = target(clientToProxyRequest);
        if (retryable() && neverReachedUpstream(proxyToServerRequest, serverToProxyResponse)) {
            if (isConnectFailure(failure)) {
                upstreams.connectFailed(target, failure);
            }
            if (!proxyToClientResponse.isCommitted() && !WatchedContent.started(proxyToServerRequest)) {
                addTried(clientToProxyRequest, target);
                if (upstreams.pick(tried(clientToProxyRequest)) != null) {
                    log.info("upstream {} unreachable for {} ({}); trying the next one", target,
                            LogSafe.text(clientToProxyRequest.getHttpURI().getPathQuery()), LogSafe.text(failure));
                    handle(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback);
                    return;
                }
            }
        }
        int clientFault = clientFault(failure);
        if (clientFault > 0) {
            // The client's request could not be read (e.g. bad chunking): its fault, not the upstream's.
            log.debug("bad request body for {}: {} -> {}", LogSafe.text(clientToProxyRequest.getHttpURI().getPathQuery()),
                    LogSafe.text(failure), clientFault);
            proxyToServerRequest.abort(failure);
            Response.writeError(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, clientFault);
            return;
        }
        int status = statusFor(failure);
        if (registry != null) {
            registry.counter("gatehouse.proxy.upstream.errors", "status", String.valueOf(status)).increment();
        }
        log.warn("upstream {} failed for {}: {} -> {}", target, LogSafe.text(clientToProxyRequest.getHttpURI().getPathQuery()),
                LogSafe.text(failure), status);
        // The base class maps exactly as statusFor does, and also aborts the upstream exchange if the client write fails.
        super.onServerToProxyResponseFailure(clientToProxyRequest, proxyToServerRequest, serverToProxyResponse,
                proxyToClientResponse, proxyToClientCallback, failure);
    }

    /** Nothing of the request was written to the upstream: no commit, no response. */
    private static boolean neverReachedUpstream(org.eclipse.jetty.client.Request proxyToServerRequest,
                                                org.eclipse.jetty.client.Response serverToProxyResponse) {
        // Jetty hands over a response object even when nothing came back: status 0 then
        return (serverToProxyResponse == null || serverToProxyResponse.getStatus() <= 0)
                && proxyToServerRequest.getAttributes().get(COMMITTED_ATTRIBUTE) == null;
    }

    /** The connection could not be made: refused, unreachable, unknown host, or no answer to the connect in time. */
    static boolean isConnectFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.NoRouteToHostException
                    || t instanceof java.net.UnknownHostException || t instanceof java.nio.channels.UnresolvedAddressException) {
                return true;
            }
            String message = t.getMessage();
            if ((t instanceof TimeoutException || t instanceof java.net.SocketTimeoutException)
                    && message != null && message.toLowerCase(java.util.Locale.ROOT).contains("connect")) {
                return true;
            }
        }
        return false;
    }

    /** 504 for an upstream that did not answer in time, 502 for any other upstream failure. */
    static int statusFor(Throwable failure) {
        return failure instanceof TimeoutException ? HttpStatus.GATEWAY_TIMEOUT_504 : HttpStatus.BAD_GATEWAY_502;
    }

    /** The 4xx status when {@code failure} (or a cause) is the server's verdict on a malformed client request; 0 otherwise. */
    static int clientFault(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpException http && http.getCode() >= 400 && http.getCode() < 500) {
                return http.getCode();
            }
        }
        return 0;
    }
}
