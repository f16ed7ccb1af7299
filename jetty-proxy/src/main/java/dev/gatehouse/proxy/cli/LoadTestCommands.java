package dev.gatehouse.proxy.cli;

import dev.gatehouse.net.HostPort;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.net.TrustedProxies;
import dev.gatehouse.policy.Policy;
import dev.gatehouse.policy.PolicyException;
import dev.gatehouse.proxy.EchoUpstream;
import dev.gatehouse.proxy.GatehouseFactory;
import dev.gatehouse.proxy.GatehouseProxy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;

/** Hidden commands for {@code benchmarks/load/run.sh}: the shared upstream and the proxies under test. */
final class LoadTestCommands {

    private LoadTestCommands() {
    }

    /** {@code echo --listen HOST:PORT}: the echo upstream alone. */
    @Command(name = "echo", hidden = true, description = "Run the echo upstream (for load tests).")
    static final class Echo implements Callable<Integer> {
        private final CliEnvironment env;

        @Option(names = "--listen", required = true, converter = Converters.Address.class)
        HostPort listen;

        Echo(CliEnvironment env) {
            this.env = env;
        }

        @Override
        public Integer call() throws Exception {
            try (EchoUpstream upstream = EchoUpstream.start(listen.toSocketAddress())) {
                env.out().println("echo upstream on " + upstream.uri());
                upstream.join();
            }
            return 0;
        }
    }

    /**
     * {@code bench-proxy --mode bare|gatehouse --listen HOST:PORT --upstream URL}: a bare Jetty reverse
     * proxy (the baseline), or the same proxy with Gatehouse (embedded engine, default policy; while the
     * default policy cannot load, an allow-all policy, announced on stderr).
     */
    @Command(name = "bench-proxy", hidden = true, description = "Run a proxy for load tests.")
    static final class BenchProxy implements Callable<Integer> {
        private final CliEnvironment env;

        @Option(names = "--mode", required = true, description = "bare or gatehouse")
        String mode;

        @Option(names = "--listen", required = true, converter = Converters.Address.class)
        HostPort listen;

        @Option(names = "--upstream", required = true)
        URI upstream;

        BenchProxy(CliEnvironment env) {
            this.env = env;
        }

        @Override
        public Integer call() throws Exception {
            GatehouseProxy.Builder b = GatehouseProxy.builder().listen(listen).upstream(upstream);
            if (mode.equals("gatehouse")) {
                b.gatehouse(Gatehouse.builder()
                                .engine(env.engines().apply(List.of(), dev.gatehouse.proxy.ProxyConfig.DEFAULT_BUDGET))
                                .policy(policy())
                                .meterRegistry(GatehouseFactory.prometheus())
                                .build())
                        .trustedProxies(TrustedProxies.loopback());
            } else if (!mode.equals("bare")) {
                env.err().println("error: --mode must be bare or gatehouse, was '" + mode + "'");
                return 2;
            }
            try (GatehouseProxy proxy = b.start()) {
                env.out().println(mode + " proxy on " + listen + " -> " + upstream);
                env.proxyWaiter().await(proxy);
            }
            return 0;
        }

        private Policy policy() {
            try {
                return env.defaultPolicy().get();
            } catch (PolicyException | IllegalStateException e) {
                env.err().println("warning: the default policy did not load (" + e.getMessage().lines().findFirst().orElse("")
                        + "); measuring with an allow-all policy");
                return AllowAll.POLICY;
            }
        }
    }
}
