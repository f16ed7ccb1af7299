package dev.gatehouse.proxy;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A real Jetty WebSocket echo server on an ephemeral port, for the relay's tests: data frames come back
 * as sent; the text {@code close:CODE:REASON} makes it close with that status; it records every upgrade
 * request's headers, the pings and the close statuses it received. Sub-protocol {@code chat} is accepted.
 */
final class WebSocketUpstream implements AutoCloseable {

    final BlockingQueue<HttpFields> upgrades = new LinkedBlockingQueue<>();
    final BlockingQueue<String> pings = new LinkedBlockingQueue<>();
    final BlockingQueue<CloseStatus> closesReceived = new LinkedBlockingQueue<>();
    private final Server server;
    private final ServerConnector connector;

    private WebSocketUpstream(int port) throws Exception {
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        WebSocketUpgradeHandler upgrade = new WebSocketUpgradeHandler();
        upgrade.addMapping("/*", (request, response, callback) -> {
            upgrades.add(HttpFields.build(request.getHeaders()).asImmutable());
            if (request.hasSubProtocol("chat")) {
                response.setAcceptedSubProtocol("chat");
            }
            return new Echo();
        });
        server.setHandler(upgrade);
        server.start();
    }

    static WebSocketUpstream start() throws Exception {
        return new WebSocketUpstream(0);
    }

    /** On a given port again (the "revived" upstream). */
    static WebSocketUpstream start(int port) throws Exception {
        return new WebSocketUpstream(port);
    }

    int port() {
        return connector.getLocalPort();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    private final class Echo implements FrameHandler {
        private CoreSession session;

        @Override
        public void onOpen(CoreSession coreSession, Callback callback) {
            session = coreSession;
            callback.succeeded();
            session.demand();
        }

        @Override
        public void onFrame(Frame frame, Callback callback) {
            byte op = frame.getOpCode();
            if (op == OpCode.TEXT && frame.getPayloadAsUTF8().startsWith("close:")) {
                String[] parts = frame.getPayloadAsUTF8().split(":", 3);
                callback.succeeded();
                session.close(Integer.parseInt(parts[1]), parts[2], Callback.NOOP);
                session.demand();
            } else if (OpCode.isDataFrame(op)) {
                session.sendFrame(new Frame(op, frame.isFin(), frame.getPayload()), Callback.from(() -> {
                    callback.succeeded();
                    session.demand();
                }, callback::failed), false);
            } else if (op == OpCode.CLOSE) {
                closesReceived.add(new CloseStatus(frame.getPayload()));
                callback.succeeded();
            } else {
                if (op == OpCode.PING) {
                    pings.add(StandardCharsets.UTF_8.decode(frame.getPayload().slice()).toString());
                    session.sendFrame(new Frame(OpCode.PONG, org.eclipse.jetty.util.BufferUtil.copy(frame.getPayload())), Callback.NOOP, false);
                }
                callback.succeeded();
                session.demand();
            }
        }

        @Override
        public void onError(Throwable cause, Callback callback) {
            callback.succeeded();
        }

        @Override
        public void onClosed(CloseStatus closeStatus, Callback callback) {
            callback.succeeded();
        }
    }
}
