package dev.gatehouse.proxy;

import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;

import java.time.Duration;

/**
 * Two websocket-core sessions joined back to back: every frame read on one side is written to the other.
 * <ul>
 *   <li>Data frames (text, binary, continuation) are copied one by one, fragmentation kept; the next
 *       frame is read only once the previous one was written on the other side, so a slow reader slows
 *       the writer down instead of filling the proxy's memory.</li>
 *   <li>A ping is answered by the proxy with a pong carrying its payload, and also travels on (so both
 *       hops see the activity); pongs are not copied: the sender would otherwise get two.</li>
 *   <li>A close travels on with its code and reason; the side that closed first gets the same status back
 *       as the answer to its close. When one side ends without a close (its connection dropped), the
 *       other is closed with 1011 (upstream gone) or 1001 (client gone).</li>
 *   <li>The upstream side reads nothing until the client side is open: what the upstream sends at once
 *       waits in its socket.</li>
 * </ul>
 */
final class WebSocketBridge {

    private final Side client = new Side("client", CloseStatus.SHUTDOWN);
    private final Side upstream = new Side("upstream", CloseStatus.SERVER_ERROR);
    private final Duration idleTimeout;
    private final java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();

    private final Runnable onClosed;

    /** @param onClosed run once when the client side has closed (the relay forgets the bridge) */
    WebSocketBridge(Duration idleTimeout, Runnable onClosed) {
        this.idleTimeout = idleTimeout;
        this.onClosed = onClosed;
        client.peer = upstream;
        upstream.peer = client;
    }

    /** Closes both sides with {@code code} (the proxy is stopping: 1001 going away). */
    void close(int code, String reason) {
        for (Side side : new Side[] {client, upstream}) {
            CoreSession session = side.session;
            if (session != null && session.isOutputOpen()) {
                session.close(code, reason, Callback.NOOP);
            }
        }
    }

    /** The frame handler of the proxy-to-upstream connection. */
    FrameHandler upstreamSide() {
        return upstream;
    }

    /** The frame handler of the client-to-proxy connection. */
    FrameHandler clientSide() {
        return client;
    }

    private final class Side implements FrameHandler {
        private final String name;
        /** What the other side is closed with when this one vanishes without a close frame. */
        private final int goneCode;
        private volatile CoreSession session;
        private Side peer;

        Side(String name, int goneCode) {
            this.name = name;
            this.goneCode = goneCode;
        }

        @Override
        public void onOpen(CoreSession coreSession, Callback callback) {
            coreSession.setIdleTimeout(idleTimeout);
            this.session = coreSession;
            callback.succeeded();
            if (opened.incrementAndGet() == 2) {
                // both open (normally the upstream first: the client is upgraded only after it): now both may read
                client.session.demand();
                upstream.session.demand();
            }
        }

        @Override
        public void onFrame(Frame frame, Callback callback) {
            CoreSession other = peer.session;
            switch (frame.getOpCode()) {
                case OpCode.PONG -> {
                    callback.succeeded();
                    session.demand();
                }
                case OpCode.PING -> {
                    // answered here (websocket-core leaves pings to the handler), and passed on so the other hop sees the activity
                    java.nio.ByteBuffer payload = org.eclipse.jetty.util.BufferUtil.copy(frame.getPayload());
                    session.sendFrame(new Frame(OpCode.PONG, payload.slice()), Callback.NOOP, false);
                    if (other != null && other.isOutputOpen()) {
                        other.sendFrame(new Frame(OpCode.PING, payload.slice()), Callback.NOOP, false);
                    }
                    callback.succeeded();
                    session.demand();
                }
                case OpCode.CLOSE -> {
                    CloseStatus status = new CloseStatus(frame.getPayload());
                    if (other != null && other.isOutputOpen()) {
                        // once the other side has our close on its way, completing the callback answers ours with the same status
                        other.close(status.getCode(), status.getReason(), Callback.from(callback::succeeded, x -> callback.succeeded()));
                    } else {
                        callback.succeeded();
                    }
                }
                default -> {
                    if (other == null || !other.isOutputOpen()) {
                        callback.succeeded();
                        return;
                    }
                    Frame copy = new Frame(frame.getOpCode(), frame.isFin(), frame.getPayload());
                    other.sendFrame(copy, Callback.from(() -> {
                        callback.succeeded();
                        session.demand();
                    }, callback::failed), false);
                }
            }
        }

        @Override
        public void onError(Throwable cause, Callback callback) {
            callback.succeeded();
        }

        @Override
        public void onClosed(CloseStatus closeStatus, Callback callback) {
            CoreSession other = peer.session;
            if (other != null && other.isOutputOpen()) {
                boolean sendable = CloseStatus.isTransmittableStatusCode(closeStatus.getCode());
                other.close(sendable ? closeStatus.getCode() : goneCode,
                        sendable ? closeStatus.getReason() : name + " connection lost", Callback.NOOP);
            }
            if (this == client) {
                onClosed.run();
            }
            callback.succeeded();
        }

        @Override
        public String toString() {
            return "WebSocketBridge." + name;
        }
    }
}
