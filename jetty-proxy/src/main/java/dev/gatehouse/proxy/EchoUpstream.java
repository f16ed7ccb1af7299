package dev.gatehouse.proxy;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A tiny upstream for the demo and load tests: answers every request with its request line and headers
 * as {@code text/plain}, so the {@code X-Gatehouse-*} headers the proxy adds are visible.
 */
public final class EchoUpstream implements AutoCloseable {

    private final Server server;
    private final ServerConnector connector;

    private EchoUpstream(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /** Starts an echo server on {@code address} (port 0 for an ephemeral port). */
    public static EchoUpstream start(InetSocketAddress address) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(address.getAddress().getHostAddress());
        connector.setPort(address.getPort());
        server.addConnector(connector);
        server.setHandler(new EchoHandler());
        server.start();
        return new EchoUpstream(server, connector);
    }

    /** {@code http://127.0.0.1:<port>} */
    public URI uri() {
        return URI.create("http://" + connector.getHost() + ":" + connector.getLocalPort());
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** Waits until the server stops. */
    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** Echoes the request line and headers. */
    static final class EchoHandler extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            StringBuilder text = new StringBuilder(256);
            String query = request.getHttpURI().getQuery();
            text.append(request.getMethod()).append(' ').append(request.getHttpURI().getPath())
                    .append(query == null ? "" : "?" + query).append(' ')
                    .append(request.getConnectionMetaData().getProtocol()).append('\n');
            for (HttpField field : request.getHeaders()) {
                text.append(field.getName()).append(": ").append(field.getValue()).append('\n');
            }
            byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, String.valueOf(body.length));
            response.write(true, ByteBuffer.wrap(body), callback);
            return true;
        }
    }
}
