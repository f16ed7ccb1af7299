package dev.gatehouse.proxy.cli;

import dev.gatehouse.DecisionJson;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.policy.PolicyException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code explain}: the decision for a described request, with its signals, trace and timings. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Decide for a described request and print the decision as JSON: verdict, rule, signals, trace, timings.")
final class ExplainCommand implements Callable<Integer> {

    private final CliEnvironment env;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--ip", required = true, paramLabel = "IP", converter = Converters.Ip.class, description = "the client address")
    IpAddress ip;

    @Option(names = "--user-agent", paramLabel = "UA", description = "the User-Agent")
    String userAgent;

    @Option(names = "--method", paramLabel = "M", defaultValue = "GET", description = "the method (default: ${DEFAULT-VALUE})")
    String method;

    @Option(names = "--path", paramLabel = "P", defaultValue = "/", description = "the path (default: ${DEFAULT-VALUE})")
    String path;

    @Option(names = "--host", paramLabel = "HOST", description = "the Host header")
    String host;

    @Option(names = "--header", paramLabel = "K:V", description = "a request header (repeatable)")
    List<String> headers = new ArrayList<>();

    @Option(names = "--policy", paramLabel = "FILE", description = "the policy; default: the bundled default.yaml")
    Path policy;

    @Option(names = "--dns-server", paramLabel = "HOST:PORT", converter = Converters.DnsServer.class,
            description = "DNS server for crawler verification (repeatable); default: the system's")
    List<HostPort> dnsServers = new ArrayList<>();

    ExplainCommand(CliEnvironment env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        RequestFacts facts = facts();
        Policy loaded;
        try {
            loaded = policy == null ? env.defaultPolicy().get() : env.policyFile().apply(policy);
        } catch (PolicyException e) {
            e.problems().forEach(p -> env.err().println(p));
            return 1;
        }
        try (Gatehouse gatehouse = Gatehouse.builder()
                .engine(env.engines().apply(dnsServers, LookupCommand.TIMEOUT))
                .policy(loaded)
                .budget(LookupCommand.TIMEOUT)
                .meterRegistry(new SimpleMeterRegistry())
                .build()) {
            Decision decision = gatehouse.explain(facts).join();
            env.out().println(DecisionJson.pretty(DecisionJson.decision(decision, env.clock().instant())));
        }
        return 0;
    }

    RequestFacts facts() {
        RequestFacts.Builder facts = RequestFacts.builder(ip).method(method).path(path).host(host).userAgent(userAgent);
        for (String header : headers) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--header must be NAME:VALUE, was '" + header + "'");
            }
            facts.header(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
        }
        return facts.build();
    }
}
