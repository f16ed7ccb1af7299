package dev.gatehouse.proxy.cli;

import dev.gatehouse.DecisionJson;
import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signals;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.IpAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code lookup IP}: the signals of an address as JSON, keyed by signal name, with sources and data ages. */
@Command(name = "lookup", mixinStandardHelpOptions = true,
        description = "Print the signals of an IP address as JSON (keyed by signal name, with sources and data ages).")
final class LookupCommand implements Callable<Integer> {

    /** Generous: a person is waiting, and rDNS may take a few round trips. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final CliEnvironment env;

    @Parameters(index = "0", paramLabel = "IP", converter = Converters.Ip.class, description = "an IPv4 or IPv6 address")
    IpAddress ip;

    @Option(names = "--provider", paramLabel = "NAME",
            description = "ask a remote provider (iptrust, ipbot, ipinsights, ipgeolocation, ipintel) instead of the embedded engine")
    String provider;

    @Option(names = "--base-url", paramLabel = "URL", description = "the provider's API base URL")
    String baseUrl;

    @Option(names = "--api-key", paramLabel = "KEY", description = "the provider's API key (default: the variable NAME_API_KEY, e.g. IPTRUST_API_KEY)")
    String apiKey;

    @Option(names = "--dns-server", paramLabel = "HOST:PORT", converter = Converters.DnsServer.class,
            description = "DNS server for crawler verification (repeatable); default: the system's")
    List<HostPort> dnsServers = new ArrayList<>();

    LookupCommand(CliEnvironment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        if (provider != null) {
            return ProviderCommands.lookup(env, ip, provider, baseUrl, apiKey, TIMEOUT);
        }
        try (IntelligenceEngine engine = env.engines().apply(dnsServers, TIMEOUT)) {
            Signals signals = engine.lookup(RequestFacts.forIp(ip)).toCompletableFuture()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            env.out().println(DecisionJson.pretty(DecisionJson.signals(signals, env.clock().instant())));
        }
        return 0;
    }
}
