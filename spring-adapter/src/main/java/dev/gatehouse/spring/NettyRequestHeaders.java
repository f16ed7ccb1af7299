package dev.gatehouse.spring;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.enforcement.GatehouseHeaders;
import dev.gatehouse.enforcement.RequestId;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.util.ClassUtils;

import java.util.Iterator;
import java.util.Map;

/**
 * The Reactor Netty request headers behind Spring's {@code ServerHttpRequest}, for
 * {@link ReactiveGatehouse}'s copy-free path. Spring's {@code ReactorServerHttpRequest} exposes the Netty
 * headers through a read-only view ({@code HttpHeaders} over {@code NettyHeadersAdapter}), so a header
 * written to the Netty object is what the application, Spring's argument resolvers and Spring Cloud
 * Gateway's routing filter read; writing it there replaces a {@code mutate()} that copies every header
 * into a new map and wraps the request and the exchange in decorators, per request.
 *
 * <p>Only the server's own request qualifies (its exact class, so a request another filter replaced or
 * decorated, whose headers may be a copy, takes the portable path). The Netty types appear in this class
 * only, and it is used only when Reactor Netty is on the class path: the starter runs on other reactive
 * servers and without Netty at all.
 */
final class NettyRequestHeaders {

    private static final Class<?> REACTOR_REQUEST = reactorRequestClass();

    private NettyRequestHeaders() {
    }

    private static Class<?> reactorRequestClass() {
        ClassLoader loader = NettyRequestHeaders.class.getClassLoader();
        if (!ClassUtils.isPresent("reactor.netty.http.server.HttpServerRequest", loader)) {
            return null;
        }
        try {
            return ClassUtils.forName("org.springframework.http.server.reactive.ReactorServerHttpRequest", loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    /**
     * The Netty headers of {@code request} (an {@code io.netty.handler.codec.http.HttpHeaders}, typed
     * {@code Object} so that callers link without Netty), or {@code null} when {@code request} is not
     * Reactor Netty's own.
     */
    static Object of(ServerHttpRequest request) {
        if (REACTOR_REQUEST == null || request.getClass() != REACTOR_REQUEST) {
            return null;
        }
        return Netty.headers((AbstractServerHttpRequest) request);
    }

    /** Every header of {@code nettyHeaders} but client-sent {@code X-Gatehouse-*} ones into {@code facts}, without a list per name. */
    static void copyTo(Object nettyHeaders, RequestFacts.Builder facts) {
        Netty.copyTo(nettyHeaders, facts);
    }

    /** Removes client-sent {@code X-Gatehouse-*} headers, then sets {@code decision}'s (none when {@code null}). */
    static void setUpstream(Object nettyHeaders, Decision decision, String requestId) {
        Netty.setUpstream(nettyHeaders, decision, requestId);
    }

    /** The code that names Netty's types, loaded on first use only. */
    private static final class Netty {

        static Object headers(AbstractServerHttpRequest request) {
            Object in = request.getNativeRequest();
            return in instanceof reactor.netty.http.server.HttpServerRequest netty ? netty.requestHeaders() : null;
        }

        static void copyTo(Object nettyHeaders, RequestFacts.Builder facts) {
            Iterator<Map.Entry<String, String>> entries = ((io.netty.handler.codec.http.HttpHeaders) nettyHeaders).iteratorAsString();
            while (entries.hasNext()) {
                Map.Entry<String, String> header = entries.next();
                if (!GatehouseHeaders.isReserved(header.getKey())) {
                    facts.header(header.getKey(), header.getValue());
                }
            }
        }

        static void setUpstream(Object nettyHeaders, Decision decision, String requestId) {
            io.netty.handler.codec.http.HttpHeaders headers = (io.netty.handler.codec.http.HttpHeaders) nettyHeaders;
            if (hasReserved(headers)) {
                headers.names().stream().filter(GatehouseHeaders::isReserved).toList().forEach(headers::remove);
            }
            if (decision != null) {
                GatehouseHeaders.forEach(decision, headers::set);
            }
            if (requestId != null) {
                headers.set(RequestId.HEADER, requestId); // the client's is replaced unless a trusted proxy sent it
            }
        }

        private static boolean hasReserved(io.netty.handler.codec.http.HttpHeaders headers) {
            Iterator<Map.Entry<CharSequence, CharSequence>> entries = headers.iteratorCharSequence();
            while (entries.hasNext()) {
                CharSequence name = entries.next().getKey();
                if (name.length() >= 12 && (name.charAt(0) == 'x' || name.charAt(0) == 'X')
                        && GatehouseHeaders.isReserved(name.toString())) {
                    return true;
                }
            }
            return false;
        }
    }
}
