package dev.gatehouse.benchmarks.load;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.TrustedProxies;
import dev.gatehouse.policy.PolicyException;
import dev.gatehouse.proxy.EchoUpstream;
import dev.gatehouse.proxy.GatehouseFactory;
import dev.gatehouse.proxy.GatehouseProxy;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The servers {@code benchmarks/load/run.sh} measures, kept out of the production jar: the shared echo
 * upstream, and the proxy under test with or without Gatehouse. Run on the proxy jar's classpath:
 *
 * <pre>
 * CP=jetty-proxy/target/gatehouse-proxy.jar:benchmarks/target/classes
 * java -cp $CP dev.gatehouse.benchmarks.load.LoadTestServers echo --listen 127.0.0.1:18080
 * java -cp $CP dev.gatehouse.benchmarks.load.LoadTestServers bench-proxy --mode gatehouse|bare|stock \
 *      --listen 127.0.0.1:18081 --upstream http://127.0.0.1:18080
 * </pre>
 *
 * In {@code gatehouse} mode the proxy runs the standard engine and the bundled default policy (while that
 * cannot load, an allow-all policy, announced on stderr) and trusts loopback, so {@code X-Forwarded-For}
 * picks the client address. {@code bare} is the same proxy (Gatehouse's tuned {@code ProxyHandler}) without
 * Gatehouse; {@code stock} is Jetty's {@code ProxyHandler.Reverse} with Jetty's defaults.
 */
public final class LoadTestServers {

    /** The proxy's default budget. */
    private static final Duration BUDGET = Duration.ofMillis(50);

    private LoadTestServers() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage("a command is required");
        }
        Map<String, String> options = options(args);
        switch (args[0]) {
            case "echo" -> echo(HostPort.parse(required(options, "--listen"), -1));
            case "bench-proxy" -> benchProxy(required(options, "--mode"), HostPort.parse(required(options, "--listen"), -1),
                    URI.create(required(options, "--upstream")));
            default -> usage("unknown command '" + args[0] + "'");
        }
    }

    private static void echo(HostPort listen) throws Exception {
        try (EchoUpstream upstream = EchoUpstream.start(listen.toSocketAddress())) {
            System.out.println("echo upstream on " + upstream.uri());
            upstream.join();
        }
    }

    private static void benchProxy(String mode, HostPort listen, URI upstream) throws Exception {
        if (mode.equals("stock")) {
            stockProxy(listen, upstream);
            return;
        }
        GatehouseProxy.Builder b = GatehouseProxy.builder().listen(listen).upstream(upstream);
        if (mode.equals("gatehouse")) {
            MeterRegistry registry = GatehouseFactory.prometheus();
            b.gatehouse(Gatehouse.builder()
                            .engine(GatehouseFactory.engine(List.of(), BUDGET, registry))
                            .policy(policy())
                            .budget(BUDGET)
                            .meterRegistry(registry)
                            .build())
                    .trustedProxies(TrustedProxies.loopback());
        } else if (!mode.equals("bare")) {
            usage("--mode must be gatehouse, bare or stock, was '" + mode + "'");
        }
        try (GatehouseProxy proxy = b.start()) {
            System.out.println(mode + " proxy on " + listen + " -> " + upstream);
            proxy.join();
        }
    }

    /**
     * Jetty's {@code ProxyHandler.Reverse} exactly as Jetty configures it (its own client thread pool, blocking
     * invocation), on a default {@code Server}: what the tuning in {@code ProxyTuning} is measured against.
     */
    private static void stockProxy(HostPort listen, URI upstream) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(listen.host().toString());
        connector.setPort(listen.port());
        server.addConnector(connector);
        ProxyHandler.Reverse proxy = new ProxyHandler.Reverse(request -> HttpURI.build(request.getHttpURI())
                .scheme(upstream.getScheme()).host(upstream.getHost()).port(upstream.getPort()).asImmutable());
        proxy.setViaHost("gatehouse");
        server.setHandler(proxy);
        server.start();
        System.out.println("stock proxy on " + listen + " -> " + upstream);
        server.join();
    }

    private static Policy policy() {
        try {
            return GatehouseFactory.bundledDefaultPolicy();
        } catch (PolicyException | IllegalStateException e) {
            System.err.println("warning: the default policy did not load (" + e.getMessage().lines().findFirst().orElse("")
                    + "); measuring with an allow-all policy");
            return ALLOW_ALL;
        }
    }

    private static final Policy ALLOW_ALL = new Policy() {
        @Override
        public Decision evaluate(RequestFacts request, Signals signals) {
            return new Decision(Verdict.ALLOW, "default/allow", Decision.Response.PASS, null, signals, List.of(), Decision.Timings.NONE);
        }

        @Override
        public String name() {
            return "<allow-all>";
        }

        @Override
        public String version() {
            return "allow-all";
        }
    };

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                usage("expected --option value pairs, got '" + args[i] + "'");
            }
            options.put(args[i], args[i + 1]);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            usage(name + " is required");
        }
        return value;
    }

    private static void usage(String problem) {
        System.err.println("error: " + problem);
        System.err.println("usage: LoadTestServers echo --listen HOST:PORT");
        System.err.println("       LoadTestServers bench-proxy --mode gatehouse|bare|stock --listen HOST:PORT --upstream URL");
        System.exit(2);
    }
}
