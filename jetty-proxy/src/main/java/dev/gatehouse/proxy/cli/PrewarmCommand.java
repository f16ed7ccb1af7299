package dev.gatehouse.proxy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.gatehouse.engine.provider.ProviderSettings;
import dev.gatehouse.engine.provider.Providers;
import dev.gatehouse.net.IpAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

/**
 * {@code prewarm --ips FILE --provider NAME}: asks a provider's bulk endpoint about the addresses of a
 * file (one per line, {@code #} comments) and fills its cache: ipinsights 100 per call, IPGeolocation
 * up to 50,000 per call at 2 credits per valid address ({@code --dry-run} prints the cost first).
 * Prints one JSON line per provider: {@code asked}, {@code cached}, {@code calls}, {@code credits}.
 */
@Command(name = "prewarm", mixinStandardHelpOptions = true,
        description = "Fill a provider's cache through its bulk endpoint (ipinsights, ipgeolocation) from a file of IP addresses.")
final class PrewarmCommand implements Callable<Integer> {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final CliEnvironment env;

    @Option(names = "--ips", required = true, paramLabel = "FILE", description = "IP addresses, one per line; # starts a comment")
    Path ips;

    @Option(names = "--provider", required = true, paramLabel = "NAME", description = "ipinsights or ipgeolocation (the providers with a bulk endpoint)")
    String provider;

    @Option(names = "--base-url", paramLabel = "URL", description = "the provider's API base URL")
    String baseUrl;

    @Option(names = "--api-key", paramLabel = "KEY", description = "the provider's API key (default: NAME_API_KEY from the environment)")
    String apiKey;

    @Option(names = "--dry-run", description = "print how many addresses would be asked and what it would cost, and stop")
    boolean dryRun;

    PrewarmCommand(CliEnvironment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        List<IpAddress> addresses = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(ips);
        } catch (IOException e) {
            env.err().println("error: cannot read " + ips + ": " + e.getMessage());
            return 2;
        }
        int lineNo = 0;
        for (String line : lines) {
            lineNo++;
            String text = line.replaceFirst("#.*", "").strip();
            if (text.isEmpty()) {
                continue;
            }
            IpAddress ip = IpAddress.tryParse(text);
            if (ip == null) {
                env.err().println("error: " + ips + ":" + lineNo + ": not an IP address: " + text);
                return 2;
            }
            addresses.add(ip);
        }
        if (!provider.equals("ipinsights") && !provider.equals("ipgeolocation")) {
            env.err().println("error: " + provider + " has no bulk endpoint (prewarm works with ipinsights and ipgeolocation)");
            return 2;
        }
        int unique = new LinkedHashSet<>(addresses).size();
        if (dryRun) {
            ObjectNode plan = MAPPER.createObjectNode().put("provider", provider).put("addresses", unique)
                    .put("calls", (unique + (provider.equals("ipinsights") ? 99 : 49_999)) / (provider.equals("ipinsights") ? 100 : 50_000))
                    .put("max_credits", provider.equals("ipgeolocation") ? 2L * unique : unique);
            env.out().println(MAPPER.writeValueAsString(plan));
            return 0;
        }
        ProviderSettings settings;
        try {
            settings = ProviderCommands.settings(provider, baseUrl, apiKey, Duration.ofSeconds(10));
        } catch (IllegalArgumentException | IllegalStateException e) {
            env.err().println("error: " + e.getMessage());
            return 2;
        }
        try (Providers providers = Providers.create(List.of(settings), Providers.httpClient(), env.clock(), Ticker.systemTicker(),
                new SimpleMeterRegistry())) {
            int failed = 0;
            for (Providers.PrewarmResult r : providers.prewarm(addresses).get()) {
                ObjectNode line = MAPPER.createObjectNode().put("provider", r.provider()).put("asked", r.asked())
                        .put("cached", r.cached()).put("calls", r.calls()).put("credits", r.credits());
                if (r.problem() != null) {
                    line.put("problem", r.problem());
                    failed++;
                }
                env.out().println(MAPPER.writeValueAsString(line));
            }
            return failed == 0 ? 0 : 1;
        } catch (ExecutionException e) {
            env.err().println("error: " + (e.getCause() == null ? e : e.getCause().getMessage()));
            return 1;
        }
    }
}
