package dev.gatehouse.proxy;

import dev.gatehouse.net.IpAddress;
import dev.gatehouse.net.TrustedProxies;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ProxyConnectionFactory;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Jetty's {@link ProxyConnectionFactory} (PROXY protocol v1 and v2, detected) for connections from a
 * trusted load balancer only. From any other peer the connection goes straight to the next protocol,
 * so a PROXY header there is just malformed HTTP (400) or a failed TLS handshake: a client cannot claim
 * another address by writing the header itself.
 *
 * <p>After the header, Jetty's endpoint reports the address it carries as the remote address, so
 * everything downstream (the trusted-proxy rules for {@code X-Forwarded-For}, the decision, the
 * {@code X-Forwarded-For} sent upstream) sees the client as if it had connected directly.
 */
final class TrustedProxyProtocol extends ProxyConnectionFactory {

    private final String next;
    private final TrustedProxies trusted;

    /**
     * @param next    the protocol after the header ({@code ssl}, {@code http/1.1})
     * @param trusted the load balancers that may send the header
     */
    TrustedProxyProtocol(String next, TrustedProxies trusted) {
        super(next);
        this.next = Objects.requireNonNull(next, "next");
        this.trusted = Objects.requireNonNull(trusted, "trusted");
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        if (endPoint.getRemoteSocketAddress() instanceof InetSocketAddress peer && peer.getAddress() != null
                && trusted.isTrusted(IpAddress.of(peer.getAddress()))) {
            return super.newConnection(connector, endPoint);
        }
        return connector.getConnectionFactory(next).newConnection(connector, endPoint);
    }
}
