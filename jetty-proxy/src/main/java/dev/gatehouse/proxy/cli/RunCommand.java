package dev.gatehouse.proxy.cli;

import dev.gatehouse.proxy.ListenerSettings;

import dev.gatehouse.policy.PolicyException;
import dev.gatehouse.proxy.GatehouseProxy;
import dev.gatehouse.proxy.ProxyConfig;
import dev.gatehouse.proxy.ProxyConfigLoader;
import dev.gatehouse.settings.SettingsException;
import dev.gatehouse.settings.SettingsNode;
import dev.gatehouse.settings.SettingsSources;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code run}: the production proxy, from {@code gatehouse.yaml} and/or flags (flags win). Each flag is
 * the config key of the same name laid over the file, so the one binder checks both and a message
 * names the flag that was wrong.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the proxy in front of your application. Flags override the config file (keys: docs/configuration.md).")
final class RunCommand implements Callable<Integer> {

    private static final String LISTEN_HINT = "--listen HOST:PORT (or listen: in gatehouse.yaml)";
    private static final String ADMIN_HINT = "--admin HOST:PORT or --admin off (or admin: in gatehouse.yaml)";

    private final CliEnvironment env;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "gatehouse.yaml (see docs/configuration.md)")
    Path config;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "where clients connect (default: 127.0.0.1:8080)")
    String listen;

    @Option(names = "--upstream", paramLabel = "URL", description = "your application, e.g. http://127.0.0.1:3000")
    String upstream;

    @Option(names = "--policy", paramLabel = "FILE", description = "the policy file (watched); default: the bundled default.yaml")
    String policy;

    @Option(names = "--admin", paramLabel = "HOST:PORT|off", description = "the admin listener (default: 127.0.0.1:9090)")
    String admin;

    @Option(names = "--trusted-proxy", paramLabel = "CIDR|ADDRESS|loopback|private",
            description = "a proxy in front of Gatehouse whose X-Forwarded-For is believed (repeatable; replaces the file's list)")
    List<String> trustedProxies;

    @Option(names = "--budget", paramLabel = "DURATION", description = "how long a request may wait for signals, e.g. 50ms (default: 50ms)")
    String budget;

    @Option(names = "--budget-ms", paramLabel = "MS", hidden = true, description = "deprecated: use --budget 50ms")
    Long budgetMs;

    @Option(names = "--fail-closed", description = "refuse (503) when the engine or policy fails, instead of allowing (fail-mode: closed)")
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
        } catch (IllegalArgumentException | IllegalStateException e) {
            env.err().println("error: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            String inUse = PortInUse.describe(e, resolved.listen(), LISTEN_HINT, resolved.admin(), ADMIN_HINT);
            if (inUse == null) {
                throw e;
            }
            env.err().println("error: " + inUse);
            return 1;
        }
        if (proxy == null) {
            return 0;
        }
        try (proxy) {
            ListenerSettings.Tls tls = resolved.listeners().tls();
            env.out().println("Gatehouse proxy on " + resolved.listen()
                    + (tls == null ? "" : " and https://" + tls.listen() + (resolved.listeners().http2() ? " (HTTP/2)" : ""))
                    + " -> " + String.join(", ", resolved.upstreams().targets().stream().map(Object::toString).toList())
                    + (proxy.adminPort() > 0 ? "; admin on " + resolved.admin() : ""));
            env.proxyWaiter().await(proxy);
        }
        return 0;
    }

    /** The config file (if any) with the flags laid on top. */
    ProxyConfig config() {
        Map<String, Object> flags = new LinkedHashMap<>();
        Map<String, String> flagNames = new LinkedHashMap<>();
        flag(flags, flagNames, "listen", "--listen", listen);
        flag(flags, flagNames, "upstream", "--upstream", upstream);
        flag(flags, flagNames, "policy", "--policy", policy);
        flag(flags, flagNames, "trusted-proxies", "--trusted-proxy", trustedProxies);
        if (budgetMs != null) {
            env.err().println("warning: --budget-ms is deprecated; use --budget " + budgetMs + "ms");
            flag(flags, flagNames, "budget", "--budget-ms", budgetMs + "ms");
        }
        flag(flags, flagNames, "budget", "--budget", budget);
        if (failClosed != null) {
            flag(flags, flagNames, "fail-mode", "--fail-closed", failClosed ? "closed" : "open");
        }
        if (admin != null) {
            flag(flags, flagNames, admin.equalsIgnoreCase("off") ? "admin" : "admin.listen", "--admin", admin);
        }
        SettingsNode.Mapping overrides = SettingsSources.flat(flags, name -> "option " + flagNames.get(name), "options");
        try {
            // The production proxy keeps its data fresh: the public feeds are on unless data.public-feeds: false or data.refresh: off.
            return ProxyConfigLoader.load(config, overrides, w -> env.err().println("warning: " + w), System::getenv)
                    .withPublicFeedsDefault(true);
        } catch (SettingsException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private static void flag(Map<String, Object> flags, Map<String, String> names, String key, String flag, Object value) {
        if (value != null) {
            flags.put(key, value);
            names.put(key, flag);
        }
    }
}
