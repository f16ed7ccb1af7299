package dev.gatehouse.proxy;

import dev.gatehouse.net.HostPort;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.net.TrustedProxies;
import dev.gatehouse.policy.ReloadablePolicy;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The standalone reverse proxy: a Jetty server whose handler is {@link GatehouseHandler} in front of
 * Jetty's {@code ProxyHandler.Reverse}, plus an optional admin listener on its own server (so that a
 * flood on the public port cannot starve the health checks).
 *
 * <pre>{@code
 * try (GatehouseProxy proxy = GatehouseProxy.builder()
 *         .listen(HostPort.parse("0.0.0.0:8080", -1))
 *         .upstream(URI.create("http://127.0.0.1:3000"))
 *         .gatehouse(gatehouse)
 *         .trustedProxies(TrustedProxies.loopback())
 *         .start()) {
 *     proxy.join();
 * }
 * }</pre>
 */
public final class GatehouseProxy implements AutoCloseable {

    private final Server server;
    private final ServerConnector connector;
    private final Server adminServer;
    private final ServerConnector adminConnector;
    private final Gatehouse gatehouse;
    private final AutoCloseable onClose;

    private GatehouseProxy(Builder b) throws Exception {
        this.gatehouse = b.gatehouse;
        this.onClose = b.onClose;
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("gatehouse");
        this.server = new Server(threads);
        // SIGTERM / Ctrl-C: stop accepting, let requests in flight finish (up to the stop timeout), then exit.
        server.setStopAtShutdown(true);
        server.setStopTimeout(5_000);
        this.connector = connector(server, b.listen);
        UpstreamProxy upstream = new UpstreamProxy(b.upstream, b.upstreamConnectTimeout, b.upstreamIdleTimeout,
                b.gatehouse == null ? null : b.gatehouse.meterRegistry());
        Handler handler = b.gatehouse == null
                ? upstream
                : new GatehouseHandler(b.gatehouse, ClientIpResolver.trusting(b.trustedProxies), upstream);
        server.setHandler(handler);
        if (b.admin != null) {
            if (b.gatehouse == null) {
                throw new IllegalStateException("the admin listener needs a gatehouse (a bare proxy has nothing to report)");
            }
            QueuedThreadPool adminThreads = new QueuedThreadPool(8, 1);
            adminThreads.setName("gatehouse-admin");
            this.adminServer = new Server(adminThreads);
            adminServer.setStopAtShutdown(true);
            this.adminConnector = connector(adminServer, b.admin);
            adminServer.setHandler(new AdminHandler(b.gatehouse, b.registry, b.reload, () -> server.isStarted(),
                    b.adminToken, b.clock));
        } else {
            this.adminServer = null;
            this.adminConnector = null;
        }
        try {
            server.start();
            if (adminServer != null) {
                adminServer.start();
            }
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    private static ServerConnector connector(Server server, HostPort address) {
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(address.host().toString());
        connector.setPort(address.port());
        server.addConnector(connector);
        return connector;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The port clients connect to (useful after listening on port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** The admin port, or -1 when there is no admin listener. */
    public int adminPort() {
        return adminConnector == null ? -1 : adminConnector.getLocalPort();
    }

    /** Waits until the proxy stops. */
    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() throws Exception {
        try {
            if (adminServer != null) {
                adminServer.stop();
            }
        } finally {
            try {
                server.stop();
            } finally {
                if (gatehouse != null) {
                    gatehouse.close();
                }
                if (onClose != null) {
                    onClose.close();
                }
            }
        }
    }

    /** Configures and starts a {@link GatehouseProxy}. */
    public static final class Builder {
        private HostPort listen = ProxyConfig.DEFAULT_LISTEN;
        private URI upstream;
        private Duration upstreamConnectTimeout = ProxyConfig.DEFAULT_UPSTREAM_TIMEOUT;
        private Duration upstreamIdleTimeout = ProxyConfig.DEFAULT_UPSTREAM_TIMEOUT;
        private Gatehouse gatehouse;
        private TrustedProxies trustedProxies = TrustedProxies.none();
        private HostPort admin;
        private String adminToken;
        private PrometheusMeterRegistry registry;
        private Supplier<ReloadablePolicy.ReloadResult> reload;
        private Clock clock = Clock.systemUTC();
        private AutoCloseable onClose;

        private Builder() {
        }

        /** Something to close with the proxy, e.g. the policy file watcher. */
        public Builder closing(AutoCloseable onClose) {
            this.onClose = onClose;
            return this;
        }

        public Builder listen(HostPort listen) {
            this.listen = Objects.requireNonNull(listen, "listen");
            return this;
        }

        public Builder upstream(URI upstream) {
            this.upstream = Objects.requireNonNull(upstream, "upstream");
            return this;
        }

        /**
         * {@code upstream-timeout}: both the connect and the idle timeout. There is no limit on the whole
         * exchange: a download that keeps flowing, however long, is never cut.
         */
        public Builder upstreamTimeout(Duration upstreamTimeout) {
            return upstreamConnectTimeout(upstreamTimeout).upstreamIdleTimeout(upstreamTimeout);
        }

        /** How long connecting to the upstream may take before the client gets 502/504 (default 30 s). */
        public Builder upstreamConnectTimeout(Duration timeout) {
            this.upstreamConnectTimeout = positive("upstream-connect-timeout", timeout);
            return this;
        }

        /**
         * How long the exchange with the upstream may go without a byte either way (default 30 s): before
         * the response starts the client gets 504; after, the response is cut.
         */
        public Builder upstreamIdleTimeout(Duration timeout) {
            this.upstreamIdleTimeout = positive("upstream-idle-timeout", timeout);
            return this;
        }

        private static Duration positive(String key, Duration value) {
            Objects.requireNonNull(value, key);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(key + " must be positive, was " + value.toMillis() + "ms");
            }
            return value;
        }

        /** The decision pipeline; without one the proxy forwards everything (the load-test baseline). */
        public Builder gatehouse(Gatehouse gatehouse) {
            this.gatehouse = gatehouse;
            return this;
        }

        public Builder trustedProxies(TrustedProxies trustedProxies) {
            this.trustedProxies = Objects.requireNonNull(trustedProxies, "trustedProxies");
            return this;
        }

        /** Starts the admin listener on {@code admin}; {@code null} for none. */
        public Builder admin(HostPort admin) {
            this.admin = admin;
            return this;
        }

        public Builder adminToken(String adminToken) {
            this.adminToken = adminToken;
            return this;
        }

        /** The registry {@code GET /metrics} scrapes (the one given to the Gatehouse). */
        public Builder prometheus(PrometheusMeterRegistry registry) {
            this.registry = registry;
            return this;
        }

        /** What {@code POST /v1/reload} runs, e.g. {@code reloadablePolicy::reload}. */
        public Builder reload(Supplier<ReloadablePolicy.ReloadResult> reload) {
            this.reload = reload;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Binds the ports and starts serving. */
        public GatehouseProxy start() throws Exception {
            if (upstream == null) {
                throw new IllegalStateException("upstream is required");
            }
            return new GatehouseProxy(this);
        }
    }
}
