package dev.gatehouse.proxy;

import dev.gatehouse.settings.GatehouseSettings;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.StringUtil;
import org.eclipse.jetty.util.thread.Invocable;

import java.util.concurrent.Executor;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The proxy's performance settings in one place, each with the reason it is not Jetty's default.
 * Found by profiling the proxy under {@code wrk} (docs/benchmarks.md, "Proxy load"): on a small machine
 * the cost of Jetty's stock {@code ProxyHandler} is mostly thread hand-offs, not parsing.
 *
 * <ul>
 *   <li><b>One thread pool.</b> {@code ProxyHandler} gives its {@link HttpClient} a second pool
 *       ({@code proxy-client}); every exchange then crosses between two pools. The upstream client runs on
 *       the server's pool instead.</li>
 *   <li><b>No dispatch for non-blocking work.</b> The whole proxy path is asynchronous (the decision
 *       answers with a future, the upstream exchange and the writes to the client take callbacks), so the
 *       handlers and the upstream transport say {@link Invocable.InvocationType#NON_BLOCKING}: Jetty then
 *       runs them on the selector thread that read the bytes, as nginx runs its event loop, instead of
 *       waking a pool thread for each request and for each upstream response.</li>
 *   <li><b>HTTP/1.1 transport directly</b> (the dynamic transport's protocol negotiation is not needed:
 *       the upstream is plain HTTP/1.1 as before).</li>
 * </ul>
 */
final class ProxyTuning {

    /**
     * The JVM system property that turns the selector-thread model off: {@code -Dgatehouse.proxy.dispatch=true}
     * makes Jetty hand every request and upstream response to a pool thread again, as its stock
     * {@code ProxyHandler} does. For code inside a decision that does block (a custom engine or decision
     * listener waiting on I/O), which would otherwise hold up every connection of its selector.
     */
    static final String DISPATCH_PROPERTY = "gatehouse.proxy.dispatch";

    /** What the handlers and the upstream transport declare: their work never blocks a thread (unless {@link #DISPATCH_PROPERTY}). */
    static final Invocable.InvocationType INVOCATION_TYPE = invocationType(System.getProperty(DISPATCH_PROPERTY));

    private ProxyTuning() {
    }

    /**
     * Whether requests must run on pool threads whatever {@link #DISPATCH_PROPERTY} says: a Redis rate-limit
     * store answers each decision's bucket over the network (bounded by its command timeout), which on a
     * selector thread would hold up every connection of that selector while Redis is slow or gone.
     */
    static boolean mustDispatch(GatehouseSettings settings) {
        return settings.rateLimit().store() == GatehouseSettings.RateLimitStoreKind.REDIS;
    }

    /** {@code NON_BLOCKING}, or {@code BLOCKING} (Jetty dispatches to its pool) when {@code dispatch} is {@code "true"}. */
    static Invocable.InvocationType invocationType(String dispatch) {
        return Boolean.parseBoolean(dispatch) ? Invocable.InvocationType.BLOCKING : Invocable.InvocationType.NON_BLOCKING;
    }

    /**
     * The client that talks to the upstream: on {@code executor} (the server's pool), one selector, an
     * HTTP/1.1 transport whose response events run where they are read.
     */
    static HttpClient upstreamClient(Executor executor) {
        ClientConnector connector = new ClientConnector();
        if (executor != null) { // null: a handler started outside a server (the client then makes its own pool)
            connector.setExecutor(executor);
        }
        connector.setSelectors(1);
        HttpClientTransportOverHTTP transport = new HttpClientTransportOverHTTP(connector);
        transport.setInvocationType(INVOCATION_TYPE);
        return new HttpClient(transport);
    }

    /**
     * Jetty's {@code Via} element ({@code ProxyHandler.addViaHeader}): the protocol version for HTTP
     * ({@code 1.1}), the whole protocol name otherwise, then the host; without a regex split per request.
     */
    static String via(String protocol, String viaHost) {
        String version = protocol.regionMatches(true, 0, "HTTP/", 0, 5) ? protocol.substring(5) : protocol;
        return version + " " + viaHost;
    }

    /**
     * Jetty's {@code Forwarded} element ({@code ProxyHandler.addForwardedHeader}), the same text built by
     * concatenation: Jetty formats it with {@code String.format}, a measurable share of a proxied request.
     */
    static String forwardedElement(Request clientToProxyRequest) {
        String scheme = clientToProxyRequest.getHttpURI().getScheme();
        // as Jetty: the URI's scheme if the client sent an absolute URI, else the connection's
        String proto = scheme == null ? (clientToProxyRequest.isSecure() ? "https" : "http") : scheme;
        return "by=" + quote(Request.getLocalAddr(clientToProxyRequest))
                + ";for=" + quote(Request.getRemoteAddr(clientToProxyRequest))
                + ";host=" + quote(ForwardingHeaders.clientHost(clientToProxyRequest)) // HTTP/2: the :authority
                + ";proto=" + proto;
    }

    private static String quote(String value) {
        return String.valueOf(HttpField.PARAMETER_TOKENIZER.quote(value)); // "null" for null, as Jetty's %s
    }

    /** Adds {@code Via: via}, or appends it to the values already there, as Jetty does (blank values dropped). */
    static void appendVia(HttpFields.Mutable headers, String via) {
        if (!headers.contains(HttpHeader.VIA)) {
            headers.add(HttpHeader.VIA, via); // the usual case: no fields to merge, no stream
            return;
        }
        headers.computeField(HttpHeader.VIA, (header, fields) -> {
            String before = fields.stream().flatMap(field -> Stream.of(field.getValues()))
                    .filter(value -> !StringUtil.isBlank(value)).collect(Collectors.joining(", "));
            return new HttpField(HttpHeader.VIA, before.isEmpty() ? via : before + ", " + via);
        });
    }

    /** Adds {@code Forwarded: element}, or appends it to the elements already there, as Jetty does. */
    static void appendForwarded(HttpFields.Mutable headers, String element) {
        if (!headers.contains(HttpHeader.FORWARDED)) {
            headers.add(HttpHeader.FORWARDED, element);
            return;
        }
        headers.computeField(HttpHeader.FORWARDED, (header, fields) -> new HttpField(HttpHeader.FORWARDED,
                fields.stream().flatMap(field -> field.getValueList().stream()).collect(Collectors.joining(", ")) + ", " + element));
    }
}
