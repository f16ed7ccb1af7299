package dev.gatehouse.proxy;

import dev.gatehouse.enforcement.GatehouseHeaders;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Request;

import java.util.List;

/**
 * The forwarding headers the upstream receives, and which a client cannot write for us. Names are
 * compared as {@link GatehouseHeaders#nameStartsWith} does (case, {@code -}/{@code _}).
 * <ul>
 *   <li>{@code X-Forwarded-For}: the socket peer; appended to the list a trusted proxy sent.</li>
 *   <li>{@code X-Real-IP}: the client address Gatehouse decided on, always set by us.</li>
 *   <li>{@code X-Forwarded-Proto} / {@code X-Forwarded-Host}: a trusted proxy's values are kept, otherwise
 *       ours ({@code http}/{@code https} of the connection, the request's {@code Host} or HTTP/2 authority).</li>
 *   <li>{@code Forwarded} and every other {@code X-Forwarded-*} from a peer that is not a trusted proxy
 *       are dropped; Jetty adds its own {@code Forwarded} element.</li>
 * </ul>
 */
final class ForwardingHeaders {

    private ForwardingHeaders() {
    }

    /** Always dropped from the client's copy and set again by us. */
    static boolean isSetByGatehouse(String name) {
        return GatehouseHeaders.sameName(name, "x-forwarded-for") || GatehouseHeaders.sameName(name, "x-real-ip");
    }

    /** A forwarding header: believed only from a trusted proxy. */
    static boolean isForwarding(String name) {
        return GatehouseHeaders.nameStartsWith(name, "x-forwarded-") || GatehouseHeaders.sameName(name, "forwarded")
                || GatehouseHeaders.sameName(name, "x-real-ip");
    }

    /**
     * The host the client asked for: its {@code Host} header (HTTP/1.1) or, when there is none, the request
     * target's authority (HTTP/2 and HTTP/3 carry it in {@code :authority}, never in a {@code Host} header);
     * {@code null} when the client named none (HTTP/1.0).
     */
    static String clientHost(Request clientToProxyRequest) {
        String host = clientToProxyRequest.getHeaders().get(HttpHeader.HOST);
        if (host != null) {
            return host;
        }
        HttpURI uri = clientToProxyRequest.getHttpURI();
        return uri.hasAuthority() && uri.getHost() != null && !uri.getHost().isEmpty() ? uri.getAuthority() : null;
    }

    /** Sets ours on the upstream request's {@code headers}, after the client's were copied (and filtered). */
    static void set(Request clientToProxyRequest, HttpFields clientHeaders, Forwarding forwarding, HttpFields.Mutable headers) {
        if (forwarding.peer() != null) {
            String peer = forwarding.peer().toString();
            List<String> sent = forwarding.peerTrusted() ? clientHeaders.getValuesList(HttpHeader.X_FORWARDED_FOR) : List.of();
            headers.put(HttpHeader.X_FORWARDED_FOR, sent.isEmpty() ? peer : String.join(", ", sent) + ", " + peer);
        }
        if (forwarding.client() != null) {
            headers.put("X-Real-IP", forwarding.client().toString());
        }
        if (!forwarding.peerTrusted() || !headers.contains(HttpHeader.X_FORWARDED_PROTO)) {
            headers.put(HttpHeader.X_FORWARDED_PROTO, clientToProxyRequest.isSecure() ? "https" : "http");
        }
        String host = clientHost(clientToProxyRequest);
        if (host != null && (!forwarding.peerTrusted() || !headers.contains(HttpHeader.X_FORWARDED_HOST))) {
            headers.put(HttpHeader.X_FORWARDED_HOST, host);
        }
    }
}
