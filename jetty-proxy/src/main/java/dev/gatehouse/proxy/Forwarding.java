package dev.gatehouse.proxy;

import dev.gatehouse.net.IpAddress;

/**
 * What the proxy knows about where a request came from, handed from {@link GatehouseHandler} to
 * {@link UpstreamProxy} (as a request attribute) so that the forwarding headers the upstream receives
 * say exactly that.
 *
 * @param peer        the socket peer; {@code null} when it is not an IP address (a Unix-domain socket)
 * @param client      the client address Gatehouse decided on; {@code null} when there is none
 * @param peerTrusted whether the peer is a trusted proxy whose own forwarding headers are believed
 */
record Forwarding(IpAddress peer, IpAddress client, boolean peerTrusted) {

    static final String ATTRIBUTE = Forwarding.class.getName();

    /** A peer nobody vouches for: it is the client, and its forwarding headers are dropped. */
    static Forwarding untrusted(IpAddress peer) {
        return new Forwarding(peer, peer, false);
    }
}
