package dev.gatehouse.proxy;

import dev.gatehouse.net.HostPort;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.net.TrustedProxies;
import dev.gatehouse.policy.ReloadablePolicy;
import dev.gatehouse.enforcement.Pages;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.SecuredRedirectHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The standalone reverse proxy: a Jetty server whose handler is {@link GatehouseHandler} in front of
 * Jetty's {@code ProxyHandler.Reverse}, plus an optional admin listener on its own server (so that a
 * flood on the public port cannot starve the health checks).
 *
 * <p>The listeners ({@link ListenerSettings}): plain HTTP/1.1 with h2c, optionally HTTPS with HTTP/2
 * (ALPN) from PEM files or a keystore, reloaded when they change; the PROXY protocol from trusted load
 * balancers; a redirect of plain requests to HTTPS. Stopping drains: the connectors stop accepting,
 * requests in flight get up to {@link ListenerSettings#shutdownTimeout()} to finish.
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

    private static final Logger log = LoggerFactory.getLogger(GatehouseProxy.class);

    private final Server server;
    private final ServerConnector connector;
    private final ServerConnector tlsConnector;
    private final CertificateReloader certificateReloader;
    private final Server adminServer;
    private final ServerConnector adminConnector;
    private final Gatehouse gatehouse;
    private final AutoCloseable onClose;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook = new Thread(this::closeAtShutdown, "gatehouse-shutdown");
    private final Upstreams upstreams;
    private final UpstreamHealthCheck healthCheck;

    private GatehouseProxy(Builder b) throws Exception {
        this.gatehouse = b.gatehouse;
        this.onClose = b.onClose;
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("gatehouse");
        this.server = new Server(threads);
        ListenerSettings listeners = b.listeners;
        // SIGTERM / Ctrl-C: the shutdown hook (registered once started) runs close(): stop accepting, let requests
        // in flight finish (up to the stop timeout), then close the gatehouse, so queued decision-log lines are
        // written. Not Jetty's stopAtShutdown: it stops the servers but closes nothing of ours.
        server.setStopTimeout(listeners.shutdownTimeout().toMillis());
        HttpConfiguration plainConfig = quiet(new HttpConfiguration());
        // Every error Jetty or the upstream hop answers is our page (with the request id), never Jetty's.
        Pages pages = b.gatehouse == null ? Pages.defaults() : b.gatehouse.pages();
        server.setErrorHandler(new PageErrorHandler(pages));
        this.connector = plainConnector(server, listeners, plainConfig);
        if (listeners.tls() != null) {
            SslContextFactory.Server ssl = sslContextFactory(listeners.tls(), b.environment);
            this.tlsConnector = tlsConnector(server, listeners, plainConfig, ssl);
            this.certificateReloader = listeners.tls().reload()
                    ? new CertificateReloader(listeners.tls(), ssl, b.certificateCheckInterval, b.environment) : null;
            if (certificateReloader != null) {
                server.addBean(certificateReloader);
            }
            plainConfig.setSecureScheme("https");
            plainConfig.setSecurePort(listeners.tls().listen().port()); // port 0: set once bound, below
        } else {
            this.tlsConnector = null;
            this.certificateReloader = null;
        }
        this.upstreams = new Upstreams(b.upstreams, b.clock);
        UpstreamProxy proxyHandler = new UpstreamProxy(upstreams, b.upstreamConnectTimeout, b.upstreamIdleTimeout,
                b.gatehouse == null ? null : b.gatehouse.meterRegistry());
        if (b.dispatchToPool) {
            proxyHandler.dispatchToPool();
        }
        // WebSocket upgrades go to the relay, every other request to the proxy handler; both after the verdict
        Handler upstream = new WebSocketRelay(proxyHandler, upstreams, b.upstreamConnectTimeout, b.upstreamIdleTimeout,
                b.gatehouse == null ? null : b.gatehouse.meterRegistry());
        if (b.upstreams.health().active()) {
            this.healthCheck = new UpstreamHealthCheck(upstreams);
            server.addBean(healthCheck);
        } else {
            this.healthCheck = null;
        }
        List<Supplier<String>> readinessDetails = new ArrayList<>(b.readinessDetails);
        readinessDetails.add(upstreams::readinessWhenDegraded);
        Handler handler = b.gatehouse == null
                ? upstream
                : new GatehouseHandler(b.gatehouse, b.resolver != null ? b.resolver : ClientIpResolver.trusting(b.trustedProxies), upstream);
        if (listeners.redirectToHttps()) {
            // Before any decision: a plain request only learns where to go. 308 keeps the method and body.
            handler = new SecuredRedirectHandler(handler, HttpStatus.PERMANENT_REDIRECT_308);
        }
        // Counts requests in flight; on stop, new ones get 503 and the stop waits for these (stop timeout).
        GracefulHandler graceful = new GracefulHandler(handler);
        // Jetty shortens every connection's idle timeout to 1 s when a stop begins, which resets an HTTP/2
        // stream still waiting for a slow upstream; the drain deadline is the limit that counts here.
        graceful.setShutdownIdleTimeout(Math.max(1_000, listeners.shutdownTimeout().toMillis()));
        server.setHandler(graceful);
        if (b.admin != null) {
            if (b.gatehouse == null) {
                throw new IllegalStateException("the admin listener needs a gatehouse (a bare proxy has nothing to report)");
            }
            QueuedThreadPool adminThreads = new QueuedThreadPool(8, 1);
            adminThreads.setName("gatehouse-admin");
            this.adminServer = new Server(adminThreads);
            adminServer.setErrorHandler(new PageErrorHandler(pages));
            this.adminConnector = connector(adminServer, b.admin);
            adminServer.setHandler(new AdminHandler(b.gatehouse, b.registry, b.reload, b.policyFailure, readinessDetails, () -> server.isStarted(),
                    b.adminToken, b.clock));
        } else {
            this.adminServer = null;
            this.adminConnector = null;
        }
        try {
            server.start();
            if (tlsConnector != null && plainConfig.getSecurePort() == 0) {
                plainConfig.setSecurePort(tlsConnector.getLocalPort());
            }
            if (adminServer != null) {
                adminServer.start();
            }
        } catch (Exception e) {
            close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** On SIGTERM / Ctrl-C. */
    private void closeAtShutdown() {
        try {
            close();
        } catch (Exception e) {
            log.warn("stopping at shutdown failed: {}", e.toString());
        }
    }

    /** No {@code Server: Jetty(…)} and no {@code X-Powered-By}: a banner only helps whoever scans for versions. */
    private static HttpConfiguration quiet(HttpConfiguration config) {
        config.setSendServerVersion(false);
        config.setSendXPoweredBy(false);
        return config;
    }

    private static ServerConnector connector(Server server, HostPort address) {
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(quiet(new HttpConfiguration())));
        connector.setHost(address.host().toString());
        connector.setPort(address.port());
        server.addConnector(connector);
        return connector;
    }

    /** HTTP/1.1, plus h2c (prior knowledge or {@code Upgrade: h2c}) when enabled; PROXY protocol first if on. */
    private static ServerConnector plainConnector(Server server, ListenerSettings listeners, HttpConfiguration config) {
        List<ConnectionFactory> factories = new ArrayList<>();
        factories.add(new HttpConnectionFactory(config));
        if (listeners.h2c()) {
            factories.add(new HTTP2CServerConnectionFactory(config));
        }
        return listening(server, listeners.listen(), listeners.proxyProtocol(), factories);
    }

    /** TLS, then ALPN choosing h2 or http/1.1 (HTTP/1.1 only when {@code http2} is off). */
    private static ServerConnector tlsConnector(Server server, ListenerSettings listeners, HttpConfiguration plainConfig,
                                                SslContextFactory.Server ssl) {
        HttpConfiguration config = new HttpConfiguration(plainConfig);
        config.addCustomizer(new SecureRequestCustomizer());
        HttpConnectionFactory http1 = new HttpConnectionFactory(config);
        List<ConnectionFactory> factories = new ArrayList<>();
        if (listeners.http2()) {
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", http1.getProtocol());
            alpn.setDefaultProtocol(http1.getProtocol()); // a client without ALPN speaks HTTP/1.1
            factories.add(new SslConnectionFactory(ssl, alpn.getProtocol()));
            factories.add(alpn);
            factories.add(new HTTP2ServerConnectionFactory(config));
        } else {
            factories.add(new SslConnectionFactory(ssl, http1.getProtocol()));
        }
        factories.add(http1);
        return listening(server, listeners.tls().listen(), listeners.proxyProtocol(), factories);
    }

    private static ServerConnector listening(Server server, HostPort address, ListenerSettings.ProxyProtocol proxyProtocol,
                                             List<ConnectionFactory> factories) {
        if (proxyProtocol.enabled()) {
            factories.add(0, new TrustedProxyProtocol(factories.get(0).getProtocol(), proxyProtocol.trusted()));
        }
        ServerConnector connector = new ServerConnector(server, factories.toArray(ConnectionFactory[]::new));
        connector.setHost(address.host().toString());
        connector.setPort(address.port());
        server.addConnector(connector);
        return connector;
    }

    /**
     * The certificate and key, loaded now so that a mistake stops the start with the file named.
     *
     * @throws IllegalStateException naming the missing or unreadable file
     */
    private static SslContextFactory.Server sslContextFactory(ListenerSettings.Tls tls, Function<String, String> environment) {
        DevCertificate.makeIfMissing(tls);
        TlsKeyMaterial.Loaded loaded;
        try {
            loaded = TlsKeyMaterial.load(tls, environment);
        } catch (NoSuchFileException e) {
            throw new IllegalStateException(e.getReason() + ": " + e.getFile() + ". For a development certificate: "
                    + DEV_CERTIFICATE_COMMAND + ", or set tls.self-signed-if-missing: true (development only; see"
                    + " examples/proxy-app/README.md)", e);
        } catch (Exception e) {
            throw new IllegalStateException("the TLS certificate did not load: " + e.getMessage(), e);
        }
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        loaded.applyTo(ssl);
        // HTTP/2 forbids the TLS 1.2 ciphers on RFC 7540's block list: offer the allowed ones first.
        ssl.setCipherComparator(HTTP2Cipher.COMPARATOR);
        return ssl;
    }

    /** How to make a self-signed development certificate for 127.0.0.1 and localhost (one line, OpenSSL 1.1.1+). */
    static final String DEV_CERTIFICATE_COMMAND = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
            + " -days 30 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1"
            + " -keyout privkey.pem -out fullchain.pem";

    public static Builder builder() {
        return new Builder();
    }

    /** The port clients connect to (useful after listening on port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** The HTTPS port, or -1 when there is no TLS listener. */
    public int tlsPort() {
        return tlsConnector == null ? -1 : tlsConnector.getLocalPort();
    }

    /** The upstreams and their health. */
    Upstreams upstreams() {
        return upstreams;
    }

    /** The active health checks, or {@code null} without {@code upstream-health.path}. */
    UpstreamHealthCheck healthCheck() {
        return healthCheck;
    }

    /** The TLS files' watcher, or {@code null} without TLS or reloading. */
    CertificateReloader certificateReloader() {
        return certificateReloader;
    }

    /** The admin port, or -1 when there is no admin listener. */
    public int adminPort() {
        return adminConnector == null ? -1 : adminConnector.getLocalPort();
    }

    /** Waits until the proxy stops. */
    public void join() throws InterruptedException {
        server.join();
    }

    /** Stops both listeners (draining requests in flight up to the shutdown timeout) and closes the gatehouse; once. */
    @Override
    public void close() throws Exception {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException | IllegalArgumentException shuttingDownOrNeverAdded) {
                // the JVM is already exiting, or start() failed before the hook was added
            }
        }
        try {
            stopDraining(); // the admin listener stays up meanwhile: its /readyz answers 503 while requests drain
        } finally {
            try {
                if (adminServer != null) {
                    adminServer.stop();
                }
            } finally {
                if (gatehouse != null) {
                    gatehouse.close(); // the decision log writes what it has queued
                }
                if (onClose != null) {
                    onClose.close();
                }
            }
        }
    }

    /** Stops the public server; requests still running at the shutdown timeout are cut, which is worth a warning, not a failure. */
    private void stopDraining() throws Exception {
        try {
            server.stop();
        } catch (TimeoutException e) {
            log.warn("requests were still in flight after the shutdown timeout ({} ms); their connections were closed",
                    server.getStopTimeout());
        }
    }

    /** Configures and starts a {@link GatehouseProxy}. */
    public static final class Builder {
        private ListenerSettings listeners = ListenerSettings.DEFAULTS;
        private Duration certificateCheckInterval = Duration.ofSeconds(10);
        private Function<String, String> environment = System::getenv;
        private UpstreamSettings upstreams;
        private Duration upstreamConnectTimeout = ProxyConfig.DEFAULT_UPSTREAM_TIMEOUT;
        private Duration upstreamIdleTimeout = ProxyConfig.DEFAULT_UPSTREAM_TIMEOUT;
        private Gatehouse gatehouse;
        private TrustedProxies trustedProxies = TrustedProxies.none();
        private ClientIpResolver resolver;
        private HostPort admin;
        private String adminToken;
        private PrometheusMeterRegistry registry;
        private Supplier<ReloadablePolicy.ReloadResult> reload;
        private Supplier<Optional<ReloadablePolicy.ReloadFailure>> policyFailure;
        private final List<Supplier<String>> readinessDetails = new ArrayList<>();
        private Clock clock = Clock.systemUTC();
        private AutoCloseable onClose;
        private boolean dispatchToPool;

        private Builder() {
        }

        /** Something to close with the proxy, e.g. the policy file watcher. */
        /**
         * Run every request on a pool thread instead of the selector thread that read it: for decisions that
         * wait on I/O, such as a Redis rate-limit store. Default false ({@link ProxyTuning}).
         */
        public Builder dispatchToPool(boolean dispatchToPool) {
            this.dispatchToPool = dispatchToPool;
            return this;
        }

        public Builder closing(AutoCloseable onClose) {
            this.onClose = onClose;
            return this;
        }

        /** The plain listener's address (shorthand for {@code listeners(listeners.toBuilder().listen(listen).build())}). */
        public Builder listen(HostPort listen) {
            this.listeners = listeners.toBuilder().listen(Objects.requireNonNull(listen, "listen")).build();
            return this;
        }

        /** All listener settings: plain and TLS listeners, HTTP/2, redirect, PROXY protocol, shutdown timeout. */
        public Builder listeners(ListenerSettings listeners) {
            this.listeners = Objects.requireNonNull(listeners, "listeners");
            return this;
        }

        /** Where {@code tls.keystore-password-env} is looked up (tests; default {@code System::getenv}). */
        Builder environment(Function<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /** How often the TLS files are checked for a renewal (default 10 s). */
        Builder certificateCheckInterval(Duration interval) {
            this.certificateCheckInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /** One upstream, the client's {@code Host} kept, passive health only. */
        public Builder upstream(URI upstream) {
            this.upstreams = UpstreamSettings.of(Objects.requireNonNull(upstream, "upstream"));
            return this;
        }

        /** The upstreams: one or several (round-robin), {@code preserve-host}, {@code upstream-health}. */
        public Builder upstreams(UpstreamSettings upstreams) {
            this.upstreams = Objects.requireNonNull(upstreams, "upstreams");
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

        /** How client addresses are found (trusted proxies and the forwarding header); replaces {@link #trustedProxies}. */
        public Builder clientIpResolver(ClientIpResolver resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
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

        /**
         * One more line for {@code GET /readyz} while something runs degraded (the proxy stays ready:
         * it still decides), e.g. the Redis rate-limit store falling back; {@code null} or blank when all is well.
         */
        public Builder readinessDetail(Supplier<String> detail) {
            this.readinessDetails.add(Objects.requireNonNull(detail, "detail"));
            return this;
        }

        /** The policy file's last failed reload, which {@code GET /readyz} reports, e.g. {@code reloadablePolicy::lastFailure}. */
        public Builder policyFailure(Supplier<Optional<ReloadablePolicy.ReloadFailure>> policyFailure) {
            this.policyFailure = policyFailure;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Binds the ports and starts serving. */
        public GatehouseProxy start() throws Exception {
            if (upstreams == null) {
                throw new IllegalStateException("upstream is required");
            }
            return new GatehouseProxy(this);
        }
    }
}
