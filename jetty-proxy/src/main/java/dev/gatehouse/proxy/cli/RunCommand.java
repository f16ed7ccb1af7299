package dev.gatehouse.proxy.cli;

import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.Cidr;
import dev.gatehouse.policy.PolicyException;
import dev.gatehouse.proxy.GatehouseProxy;
import dev.gatehouse.proxy.ProxyConfig;
import dev.gatehouse.proxy.ProxyConfigLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code run}: the production proxy, from {@code gatehouse.yaml} and/or flags (flags win). */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the proxy in front of your application. Flags override the config file.")
final class RunCommand implements Callable<Integer> {

    private final CliEnvironment env;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "gatehouse.yaml (see docs/proxy.md)")
    Path config;

    @Option(names = "--listen", paramLabel = "HOST:PORT", converter = Converters.Address.class,
            description = "where clients connect (default: 127.0.0.1:8080)")
    HostPort listen;

    @Option(names = "--upstream", paramLabel = "URL", description = "your application, e.g. http://127.0.0.1:3000")
    URI upstream;

    @Option(names = "--policy", paramLabel = "FILE", description = "the policy file (watched); default: the bundled default.yaml")
    Path policy;

    @Option(names = "--admin", paramLabel = "HOST:PORT|off", converter = Converters.OptionalAddress.class,
            description = "the admin listener (default: 127.0.0.1:9090)")
    HostPort admin;

    @Option(names = "--trusted-proxy", paramLabel = "CIDR", converter = Converters.Prefix.class,
            description = "a proxy in front of Gatehouse whose X-Forwarded-For is believed (repeatable)")
    List<Cidr> trustedProxies;

    @Option(names = "--budget-ms", paramLabel = "MS", description = "how long a request may wait for signals (default: 50)")
    Long budgetMs;

    @Option(names = "--fail-closed", description = "refuse (503) when the engine or policy fails, instead of allowing")
    Boolean failClosed;

    RunCommand(CliEnvironment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        ProxyConfig resolved = config();
        GatehouseProxy proxy;
        try {
            proxy = env.proxyStarter().start(resolved);
        } catch (PolicyException e) {
            env.err().println("error: the policy did not load:");
            e.problems().forEach(p -> env.err().println("  " + p));
            return 1;
        }
        if (proxy == null) {
            return 0;
        }
        try (proxy) {
            env.out().println("Gatehouse proxy on " + resolved.listen() + " -> " + resolved.upstream()
                    + (proxy.adminPort() > 0 ? "; admin on " + resolved.admin() : ""));
            env.proxyWaiter().await(proxy);
        }
        return 0;
    }

    /** The config file (if any) with the flags applied on top. */
    ProxyConfig config() {
        ProxyConfig.Builder b;
        try {
            b = config == null ? ProxyConfig.builder() : ProxyConfigLoader.load(config);
            if (listen != null) {
                b.listen(listen);
            }
            if (upstream != null) {
                b.upstream(upstream);
            }
            if (policy != null) {
                b.policy(policy);
            }
            if (admin != null) {
                b.admin(admin);
            }
            if (spec.commandLine().getParseResult().hasMatchedOption("--admin") && admin == null) {
                b.admin(null);
            }
            if (trustedProxies != null) {
                b.trustedProxies(trustedProxies);
            }
            if (budgetMs != null) {
                b.budget(Duration.ofMillis(budgetMs));
            }
            if (failClosed != null) {
                b.failClosed(failClosed);
            }
            return b.build();
        } catch (ProxyConfigLoader.ConfigException | IllegalArgumentException | IllegalStateException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
