package dev.gatehouse.spring;

import dev.gatehouse.net.HostPort;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.net.TrustedProxies;
import dev.gatehouse.policy.Policy;
import dev.gatehouse.policy.PolicyException;
import dev.gatehouse.policy.PolicyLoader;
import dev.gatehouse.policy.ReloadablePolicy;
import dev.gatehouse.servlet.FilterOptions;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns {@link GatehouseProperties} into core objects, one property at a time. Every bad value becomes
 * an {@link InvalidConfigurationPropertyValueException} naming the property, the value and the core's
 * reason; Spring Boot's failure analyzer prints it, with the value's origin, when start-up fails.
 */
final class Settings {

    private static final String CLASSPATH = "classpath:";
    private static final String FILE = "file:";
    private static final int DNS_PORT = 53;

    private Settings() {
    }

    static ClientIpResolver clientIpResolver(GatehouseProperties p) {
        TrustedProxies trusted;
        try {
            trusted = TrustedProxies.parse(p.getTrustedProxies());
        } catch (IllegalArgumentException e) {
            throw invalid("trusted-proxies", String.join(", ", p.getTrustedProxies()), e.getMessage());
        }
        if (p.getForwardedHeaders() == null) {
            throw invalid("forwarded-headers", null, "must be one of X_FORWARDED_FOR, FORWARDED, BOTH");
        }
        return ClientIpResolver.builder().trustedProxies(trusted).headers(p.getForwardedHeaders()).build();
    }

    static FilterOptions filterOptions(GatehouseProperties p) {
        return FilterOptions.builder().explainHeader(p.isExplainHeader()).upstreamHeaders(p.isUpstreamHeaders()).build();
    }

    /** Sets the budget and fail mode on {@code builder}. */
    static Gatehouse.Builder decisionSettings(Gatehouse.Builder builder, GatehouseProperties p) {
        return builder.budget(budget(p)).failOpen(p.isFailOpen());
    }

    /** {@code gatehouse.budget}, checked: a positive duration. */
    static Duration budget(GatehouseProperties p) {
        Duration budget = p.getBudget();
        if (budget == null) {
            throw invalid("budget", null, "a budget is required, e.g. 50ms");
        }
        if (budget.isNegative() || budget.isZero()) {
            throw invalid("budget", budget, "budget must be positive, was " + budget);
        }
        return budget;
    }

    /**
     * The servlet URL patterns: {@code /exact}, {@code /prefix/*}, {@code *.ext} or {@code /}.
     * Checked here because the container would only reject them later, with less context.
     */
    static List<String> urlPatterns(GatehouseProperties p) {
        List<String> patterns = p.getUrlPatterns() == null ? List.of() : p.getUrlPatterns();
        if (patterns.isEmpty()) {
            throw invalid("url-patterns", "", "at least one pattern is required (/* for every request)");
        }
        for (String pattern : patterns) {
            String why = urlPatternProblem(pattern);
            if (why != null) {
                throw invalid("url-patterns", String.join(", ", patterns), "'" + pattern + "' " + why);
            }
        }
        return List.copyOf(patterns);
    }

    private static String urlPatternProblem(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            return "is empty";
        }
        if (pattern.startsWith("*.")) {
            return pattern.indexOf('/') >= 0 || pattern.length() == 2 ? "is not an extension pattern like *.html" : null;
        }
        if (!pattern.startsWith("/")) {
            return "must start with / or *.";
        }
        int star = pattern.indexOf('*');
        return star >= 0 && !(star == pattern.length() - 1 && pattern.endsWith("/*")) ? "may contain * only as a final /*" : null;
    }

    /**
     * DNS servers as socket addresses built from IP literals, so reading the configuration never
     * depends on DNS itself.
     */
    static List<InetSocketAddress> dnsServers(GatehouseProperties p) {
        List<String> entries = p.getDnsServers() == null ? List.of() : p.getDnsServers();
        List<InetSocketAddress> servers = new ArrayList<>();
        for (String entry : entries) {
            if (entry == null || entry.isBlank()) {
                continue;
            }
            try {
                servers.add(hostPort(entry.strip()));
            } catch (IllegalArgumentException e) {
                throw invalid("dns-servers", String.join(", ", entries), e.getMessage());
            }
        }
        return List.copyOf(servers);
    }

    private static InetSocketAddress hostPort(String text) {
        HostPort server = HostPort.parse(text, DNS_PORT);
        if (server.port() == 0) {
            throw new IllegalArgumentException("'" + text + "': the port must be 1-65535, was 0");
        }
        return server.toSocketAddress(); // an IP literal or localhost: no lookup
    }

    /**
     * The policy at {@code gatehouse.policy}: a {@code classpath:} resource is compiled once; a file is
     * watched by a {@link ReloadablePolicy} (the caller closes it).
     */
    static Policy policy(GatehouseProperties p, PolicyLoader loader, ClassLoader classLoader) {
        String location = p.getPolicy() == null || p.getPolicy().isBlank() ? GatehouseProperties.DEFAULT_POLICY : p.getPolicy().strip();
        try {
            if (location.startsWith(CLASSPATH)) {
                String resource = location.substring(CLASSPATH.length()).replaceFirst("^/+", "");
                return loader.parse(readResource(resource, location, classLoader), location);
            }
            Path file = toPath(location);
            if (!Files.isRegularFile(file)) {
                throw invalid("policy", location, "no such file (" + file.toAbsolutePath() + ")");
            }
            return ReloadablePolicy.watch(file, loader);
        } catch (PolicyException e) {
            throw invalid("policy", location, "the policy does not load:\n" + e.getMessage());
        }
    }

    private static Path toPath(String location) {
        String path = location.startsWith(FILE) ? location.substring(FILE.length()) : location;
        try {
            return Path.of(path);
        } catch (InvalidPathException e) {
            throw invalid("policy", location, "not a file path: " + e.getMessage());
        }
    }

    private static String readResource(String resource, String location, ClassLoader classLoader) {
        try (InputStream in = classLoader.getResourceAsStream(resource)) {
            if (in == null) {
                throw invalid("policy", location, "no such resource on the class path" + (location.equals(GatehouseProperties.DEFAULT_POLICY)
                        ? " (this is the default policy, shipped in gatehouse-policies: add that jar, or set gatehouse.policy to your own file)" : ""));
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw invalid("policy", location, "cannot read it: " + e);
        }
    }

    static InvalidConfigurationPropertyValueException invalid(String property, Object value, String reason) {
        return new InvalidConfigurationPropertyValueException(GatehouseProperties.PREFIX + "." + property, value, reason);
    }
}
