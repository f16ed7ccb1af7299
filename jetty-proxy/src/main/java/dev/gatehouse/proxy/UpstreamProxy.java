package dev.gatehouse.proxy;

import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.jetty.client.HttpClient;
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
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The reverse-proxy hop: rewrites the client's URI onto the upstream's and relays the exchange.
 * An upstream that cannot be reached or answers badly becomes {@code 502 Bad Gateway}; one that does not
 * answer within the timeout becomes {@code 504 Gateway Timeout}.
 */
final class UpstreamProxy extends ProxyHandler.Reverse {

    private static final Logger log = LoggerFactory.getLogger(UpstreamProxy.class);

    private final Duration timeout;
    private final MeterRegistry registry;

    UpstreamProxy(URI upstream, Duration timeout, MeterRegistry registry) {
        super(clientToProxyRequest -> rewrite(upstream, clientToProxyRequest.getHttpURI()));
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.registry = registry;
        // The default asks the OS for the local host name: a DNS lookup we neither need nor want at start.
        setViaHost("gatehouse");
    }

    /** {@code http://upstream:3000/base} + {@code /path?query} → {@code http://upstream:3000/base/path?query}. */
    static HttpURI rewrite(URI upstream, HttpURI clientToProxyUri) {
        String base = upstream.getRawPath() == null ? "" : upstream.getRawPath();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        String path = clientToProxyUri.getPath() == null ? "/" : clientToProxyUri.getPath();
        return HttpURI.build()
                .scheme(upstream.getScheme())
                .host(upstream.getHost())
                .port(upstream.getPort())
                .path(base + path)
                .query(clientToProxyUri.getQuery())
                .asImmutable();
    }

    @Override
    protected void configureHttpClient(HttpClient httpClient) {
        super.configureHttpClient(httpClient);
        // Many clients behind one proxy: the default of 64 connections per upstream is a bottleneck under load.
        httpClient.setMaxConnectionsPerDestination(1024);
        // Otherwise the client adds its own "User-Agent: Jetty/12…" beside the client's: the upstream must see only the client's.
        httpClient.setUserAgentField(null);
    }

    @Override
    protected org.eclipse.jetty.client.Request newProxyToServerRequest(Request clientToProxyRequest, HttpURI proxyToServerUri) {
        return super.newProxyToServerRequest(clientToProxyRequest, proxyToServerUri)
                .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void onServerToProxyResponseFailure(Request clientToProxyRequest, org.eclipse.jetty.client.Request proxyToServerRequest,
                                                  org.eclipse.jetty.client.Response serverToProxyResponse, Response proxyToClientResponse,
                                                  Callback proxyToClientCallback, Throwable failure) {
        int status = statusFor(failure);
        if (registry != null) {
            registry.counter("gatehouse.proxy.upstream.errors", "status", String.valueOf(status)).increment();
        }
        log.warn("upstream {} failed for {}: {} -> {}", proxyToServerRequest.getURI(), clientToProxyRequest.getHttpURI().getPath(),
                failure.toString(), status);
        // The base class maps exactly as statusFor does, and also aborts the upstream exchange if the client write fails.
        super.onServerToProxyResponseFailure(clientToProxyRequest, proxyToServerRequest, serverToProxyResponse,
                proxyToClientResponse, proxyToClientCallback, failure);
    }

    /** 504 for an upstream that did not answer in time, 502 for any other upstream failure. */
    static int statusFor(Throwable failure) {
        return failure instanceof TimeoutException ? HttpStatus.GATEWAY_TIMEOUT_504 : HttpStatus.BAD_GATEWAY_502;
    }
}
