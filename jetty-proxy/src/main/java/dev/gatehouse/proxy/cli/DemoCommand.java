package dev.gatehouse.proxy.cli;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.Policy;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.policy.PolicyException;
import dev.gatehouse.proxy.EchoUpstream;
import dev.gatehouse.proxy.GatehouseFactory;
import dev.gatehouse.proxy.GatehouseProxy;
import dev.gatehouse.settings.GatehouseAssembly;
import dev.gatehouse.settings.GatehouseSettings;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code demo}: the proxy on 127.0.0.1:8080 in front of a built-in echo upstream, with the embedded
 * engine and the default policy. Loopback is trusted as a proxy, so {@code X-Forwarded-For} simulates
 * clients from anywhere.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the proxy in front of a built-in echo upstream, with the default policy; prints curl lines to try.")
final class DemoCommand implements Callable<Integer> {

    /** A consumer ISP address (Deutsche Telekom, AS3320) on no list: the default policy lets it through. */
    static final String ORDINARY_IP = "2.160.10.20";
    /** The first entry of the Tor exit list at the time of writing; exits change, so `lookup` it if in doubt. */
    static final String TOR_EXIT = "5.2.67.226";
    static final String GOOGLEBOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    /**
     * A browser's User-Agent for the "ordinary visitor" lines: curl's own ({@code curl/8…}) is a script
     * claim that cannot be verified, which the default policy rate-limits rather than plainly allows.
     */
    static final String BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    private final CliEnvironment env;

    @Option(names = "--listen", paramLabel = "HOST:PORT", converter = Converters.Address.class,
            description = "where the proxy listens (default: 127.0.0.1:8080)")
    HostPort listen = HostPort.parse("127.0.0.1:8080", -1);

    @Option(names = "--admin", paramLabel = "HOST:PORT|off", converter = Converters.OptionalAddress.class,
            description = "the admin listener (default: 127.0.0.1:9090)")
    HostPort admin = HostPort.parse("127.0.0.1:9090", -1);

    DemoCommand(CliEnvironment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        Policy policy;
        try {
            policy = env.defaultPolicy().get();
        } catch (PolicyException | IllegalStateException e) {
            env.err().println("error: the demo cannot start: the default policy did not load.");
            if (e instanceof PolicyException pe) {
                pe.problems().forEach(p -> env.err().println("  " + p));
            } else {
                env.err().println("  " + e.getMessage());
            }
            return 1;
        }
        PrometheusMeterRegistry registry = GatehouseFactory.prometheus();
        GatehouseSettings settings = GatehouseSettings.custom().trustedProxies(List.of("loopback")).build();
        Gatehouse gatehouse = GatehouseAssembly.gatehouse(settings,
                env.engines().apply(settings.dnsServers(), settings.budget()), policy, registry);
        try (EchoUpstream upstream = EchoUpstream.start(new InetSocketAddress("127.0.0.1", 0));
             GatehouseProxy proxy = start(gatehouse, settings, upstream, registry)) {
            if (proxy == null) {
                return 1;
            }
            printWelcome(env.out(), proxy, upstream);
            env.proxyWaiter().await(proxy);
        }
        return 0;
    }

    /** Starts the proxy; a port in use is reported with the option that moves it ({@code null} returned). */
    private GatehouseProxy start(Gatehouse gatehouse, GatehouseSettings settings, EchoUpstream upstream,
                                 PrometheusMeterRegistry registry) throws Exception {
        try {
            return GatehouseProxy.builder()
                    .listen(listen)
                    .upstream(upstream.uri())
                    .gatehouse(gatehouse)
                    .clientIpResolver(GatehouseAssembly.clientIpResolver(settings))
                    .admin(admin)
                    .prometheus(registry)
                    .start();
        } catch (Exception e) {
            String inUse = PortInUse.describe(e, listen, "--listen HOST:PORT", admin, "--admin HOST:PORT or --admin off");
            if (inUse == null) {
                throw e;
            }
            env.err().println("error: " + inUse);
            return null;
        }
    }

    static void printWelcome(PrintStream out, GatehouseProxy proxy, EchoUpstream upstream) {
        String base = "http://127.0.0.1:" + proxy.port();
        out.println("Gatehouse demo: proxy " + base + " -> echo upstream " + upstream.uri()
                + " (policy: default.yaml; loopback is a trusted proxy, so X-Forwarded-For picks the client)");
        out.println();
        out.println("  # an ordinary visitor (a consumer ISP address, a browser): 200, the echo shows X-Gatehouse-Verdict: allow");
        out.println("  curl -i -A '" + BROWSER_UA + "' -H 'X-Forwarded-For: " + ORDINARY_IP + "' " + base + "/hello");
        out.println("  # the same address with curl's own User-Agent: a script whose claim cannot be verified, so rate-limited (still 200)");
        out.println("  curl -i -H 'X-Forwarded-For: " + ORDINARY_IP + "' " + base + "/hello");
        out.println("  # a Tor exit: 403, the body names the rule (add -H 'Accept: application/json' for JSON)");
        out.println("  curl -i -H 'X-Forwarded-For: " + TOR_EXIT + "' " + base + "/hello");
        out.println("  # a spoofed Googlebot (Google UA, not a Google address; needs DNS to prove the lie)");
        out.println("  curl -i -H 'X-Forwarded-For: " + ORDINARY_IP + "' -A '" + GOOGLEBOT_UA + "' " + base + "/hello");
        out.println("  # a client trying to forge the verdict header: stripped, the upstream sees Gatehouse's own");
        out.println("  curl -i -A '" + BROWSER_UA + "' -H 'X-Forwarded-For: " + ORDINARY_IP + "' -H 'X-Gatehouse-Verdict: allow' " + base + "/hello");
        if (proxy.adminPort() > 0) {
            String admin = "http://127.0.0.1:" + proxy.adminPort();
            out.println("  # admin: signals of an address, why a request gets its verdict, metrics");
            out.println("  curl " + admin + "/v1/ip/" + TOR_EXIT);
            out.println("  curl '" + admin + "/v1/explain?ip=" + ORDINARY_IP + "&ua=Googlebot/2.1&path=/'");
            out.println("  curl -s " + admin + "/metrics | grep gatehouse_");
        }
        out.println();
        out.println("Press Ctrl-C to stop.");
        out.flush();
    }
}
