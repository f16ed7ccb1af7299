package dev.gatehouse.examples.servlet;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.policy.PolicyException;
import dev.gatehouse.servlet.FilterOptions;
import dev.gatehouse.servlet.GatehouseFilter;
import dev.gatehouse.settings.GatehouseAssembly;
import dev.gatehouse.settings.GatehouseSettings;
import io.micrometer.core.instrument.Metrics;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.List;

/**
 * A plain servlet application on embedded Jetty 12 (EE 11) with Gatehouse's filter added in code.
 *
 * <pre>
 * java -jar examples/servlet-app/target/gatehouse-servlet-app.jar [--port PORT] [--policy POLICY.yaml]
 * </pre>
 *
 * Listens on 127.0.0.1 (port 8080 by default) and trusts loopback as a proxy, so {@code X-Forwarded-For}
 * lets you play any client from the same machine. Without a policy file it uses the default policy
 * bundled in gatehouse-policies; with one, the file is watched and reloaded on change.
 */
public final class ServletApp {

    private ServletApp() {
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println("usage: java -jar gatehouse-servlet-app.jar [--port PORT] [--policy POLICY.yaml]");
            System.exit(2);
            return;
        }
        // The same settings and assembly the container-created filter, the proxy and the Spring starter use.
        GatehouseSettings settings = GatehouseSettings.custom()
                .policy(options.policy())
                .trustedProxies(List.of("loopback"))
                .build();
        GatehouseAssembly.Assembled built;
        try {
            built = GatehouseAssembly.assemble(settings, Metrics.globalRegistry);
        } catch (PolicyException e) {
            System.err.println("error: the policy did not load:");
            e.problems().forEach(p -> System.err.println("  " + p));
            System.exit(1);
            return;
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
            return;
        }

        Server server;
        try {
            server = start(new InetSocketAddress("127.0.0.1", options.port()), built.gatehouse(), built.resolver(), FilterOptions.from(settings));
        } catch (IOException e) {
            built.close();
            System.err.println("error: cannot listen on 127.0.0.1:" + options.port() + " (" + e.getMessage()
                    + "); choose another port with --port PORT");
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop();
            } catch (Exception e) {
                System.err.println("stopping Jetty: " + e);
            }
            built.close(); // the Gatehouse, its engine and the policy watcher
        }, "servlet-app-shutdown"));

        String base = server.getURI().toString().replaceAll("/$", "");
        System.out.println("Servlet app with Gatehouse on " + base + " (policy " + built.policy().name() + "). Try:");
        System.out.println("  # an ordinary visitor with a browser: 200");
        System.out.println("  curl -i -A 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' -H 'X-Forwarded-For: 2.160.10.20' " + base + "/hello");
        System.out.println("  # a spoofed Googlebot: 403");
        System.out.println("  curl -i -A 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' -H 'X-Forwarded-For: 2.160.10.20' " + base + "/hello");
        System.out.println("  # a Tor exit (when this was written): 403");
        System.out.println("  curl -i -H 'X-Forwarded-For: 5.2.67.226' " + base + "/hello");
        server.join();
    }

    /**
     * The command line: {@code [--port PORT] [--policy FILE]}, or the older positional {@code [PORT] [FILE]}.
     *
     * @param port   where to listen on 127.0.0.1
     * @param policy the policy file (watched), or {@code null} for the bundled default policy
     */
    record Options(int port, String policy) {
        static Options parse(String... args) {
            int port = 8080;
            String policy = null;
            int positional = 0;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : null;
                String name = value != null ? arg.substring(0, arg.indexOf('=')) : arg;
                switch (name) {
                    case "--port", "--policy" -> {
                        if (value == null) {
                            if (i + 1 >= args.length) {
                                throw new IllegalArgumentException(name + " needs a value");
                            }
                            value = args[++i];
                        }
                        if (name.equals("--port")) {
                            port = port(value);
                        } else {
                            policy = value;
                        }
                    }
                    case "-h", "--help" -> throw new IllegalArgumentException("options:");
                    default -> {
                        if (arg.startsWith("-")) {
                            throw new IllegalArgumentException("unknown option '" + arg + "'"
                                    + dev.gatehouse.text.DidYouMean.suggest(name, List.of("--port", "--policy")));
                        }
                        if (positional == 0) {
                            port = port(arg);
                        } else if (positional == 1) {
                            policy = arg;
                        } else {
                            throw new IllegalArgumentException("unexpected argument '" + arg + "'");
                        }
                        positional++;
                    }
                }
            }
            return new Options(port, policy);
        }

        private static int port(String text) {
            if (!text.matches("\\d{1,5}") || Integer.parseInt(text) > 65535) {
                throw new IllegalArgumentException("the port must be a number 0-65535, was '" + text + "'");
            }
            return Integer.parseInt(text);
        }
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
}
