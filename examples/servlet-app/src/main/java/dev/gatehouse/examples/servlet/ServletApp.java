package dev.gatehouse.examples.servlet;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.StandardEngine;
import dev.gatehouse.engine.IntelligenceEngine;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.net.TrustedProxies;
import dev.gatehouse.policy.Policy;
import dev.gatehouse.policy.PolicyLoader;
import dev.gatehouse.policy.ReloadablePolicy;
import dev.gatehouse.servlet.FilterOptions;
import dev.gatehouse.servlet.GatehouseFilter;
import io.micrometer.core.instrument.Metrics;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Supplier;

/**
 * A plain servlet application on embedded Jetty 12 (EE 11) with Gatehouse's filter added in code.
 *
 * <pre>
 * java -jar examples/servlet-app/target/gatehouse-servlet-app.jar [PORT] [POLICY.yaml]
 * </pre>
 *
 * Listens on 127.0.0.1 (port 8080 by default) and trusts loopback as a proxy, so {@code X-Forwarded-For}
 * lets you play any client from the same machine. Without a policy file it uses the default policy
 * bundled in gatehouse-policies; with one, the file is watched and reloaded on change.
 */
public final class ServletApp {

    static final String DEFAULT_POLICY = "dev/gatehouse/policies/default.yaml";

    private ServletApp() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        Policy policy = args.length > 1 ? ReloadablePolicy.watch(Path.of(args[1]), PolicyLoader.defaults()) : bundledPolicy();
        Duration budget = Duration.ofMillis(50);
        IntelligenceEngine engine = StandardEngine.create(budget, List.of(), Metrics.globalRegistry);
        Supplier<Policy> current = policy instanceof ReloadablePolicy reloadable ? reloadable : () -> policy;
        Gatehouse gatehouse = Gatehouse.builder().engine(engine).policy(current).budget(budget).build();
        ClientIpResolver resolver = ClientIpResolver.trusting(TrustedProxies.loopback());

        Server server = start(new InetSocketAddress("127.0.0.1", port), gatehouse, resolver, FilterOptions.defaults());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop();
            } catch (Exception e) {
                System.err.println("stopping Jetty: " + e);
            }
            gatehouse.close(); // closes the engine
            if (policy instanceof ReloadablePolicy reloadable) {
                reloadable.close();
            }
        }, "servlet-app-shutdown"));

        String base = server.getURI().toString().replaceAll("/$", "");
        System.out.println("Servlet app with Gatehouse on " + base + " (policy " + policy.name() + "). Try:");
        System.out.println("  # an ordinary visitor with a browser: 200");
        System.out.println("  curl -i -A 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' -H 'X-Forwarded-For: 2.160.10.20' " + base + "/hello");
        System.out.println("  # a spoofed Googlebot: 403");
        System.out.println("  curl -i -A 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' -H 'X-Forwarded-For: 2.160.10.20' " + base + "/hello");
        System.out.println("  # a Tor exit (when this was written): 403");
        System.out.println("  curl -i -H 'X-Forwarded-For: 5.2.67.226' " + base + "/hello");
        server.join();
    }

    /**
     * Starts Jetty on {@code address} (port 0 for any free port) with {@link HelloServlet} on every path
     * behind a {@link GatehouseFilter}. The caller stops the server and closes the {@code Gatehouse}.
     */
    public static Server start(InetSocketAddress address, Gatehouse gatehouse, ClientIpResolver resolver, FilterOptions options)
            throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(address.getHostString());
        connector.setPort(address.getPort());
        server.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder("hello", new HelloServlet()), "/*");
        FilterHolder gatehouseFilter = new FilterHolder(new GatehouseFilter(gatehouse, resolver, options));
        gatehouseFilter.setName("gatehouse");
        gatehouseFilter.setAsyncSupported(true);
        // first, and for REQUEST dispatches only: forwards and error pages of a decided request pass through
        context.addFilter(gatehouseFilter, "/*", EnumSet.of(DispatcherType.REQUEST));

        server.setHandler(context);
        server.start();
        return server;
    }

    private static Policy bundledPolicy() {
        try (InputStream in = ServletApp.class.getClassLoader().getResourceAsStream(DEFAULT_POLICY)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULT_POLICY + " is not on the class path (is gatehouse-policies a dependency?)");
            }
            return PolicyLoader.defaults().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "classpath:" + DEFAULT_POLICY);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
