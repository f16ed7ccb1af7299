package dev.gatehouse.spring;

import dev.gatehouse.net.ForwardedHeaders;
import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code gatehouse.*} settings of a Spring Boot application. A plain holder: values are checked
 * when {@link GatehouseAutoConfiguration} turns them into core objects, and a bad one stops start-up
 * with a message naming the property and its value.
 *
 * <pre>{@code
 * gatehouse:
 *   policy: /etc/gatehouse/policy.yaml
 *   trusted-proxies: [10.0.0.0/8, loopback]
 *   budget: 50ms
 * }</pre>
 */
@ConfigurationProperties(GatehouseProperties.PREFIX)
public class GatehouseProperties {

    /** The prefix of every Gatehouse property. */
    public static final String PREFIX = "gatehouse";

    /** The policy shipped in gatehouse-policies, used when {@code gatehouse.policy} is not set. */
    public static final String DEFAULT_POLICY = "classpath:dev/gatehouse/policies/default.yaml";

    /**
     * Runs before Spring Security (-100), the form-body filter (-9900) and request-context filters, so
     * a refused request costs no authentication or body parsing; after character encoding and the
     * HTTP observation filter (highest precedence), so refusals are still observed.
     */
    public static final int DEFAULT_FILTER_ORDER = -10_000;

    /** Whether to register the Gatehouse filter at all. */
    private boolean enabled = true;

    /**
     * Policy YAML: a file path (watched; a valid change is swapped in, an invalid one keeps the old
     * policy) or a "classpath:" resource (read once). Relative paths are relative to the working
     * directory.
     */
    private String policy = DEFAULT_POLICY;

    /** How long a request may wait for IP intelligence; past it the decision uses what is known. */
    private Duration budget = Duration.ofMillis(50);

    /** On an engine or policy error: allow the request (true) or answer 503 (false). */
    private boolean failOpen = true;

    /**
     * Your own proxies and load balancers, whose forwarding headers are believed: CIDRs
     * (10.0.0.0/8), addresses, or the named sets "loopback", "private" and "none". Empty: the socket
     * peer is always the client.
     */
    private List<String> trustedProxies = new ArrayList<>();

    /** Which forwarding header trusted proxies write: x-forwarded-for, forwarded (RFC 7239) or both (forwarded when present). */
    private ForwardedHeaders forwardedHeaders = ForwardedHeaders.X_FORWARDED_FOR;

    /**
     * Add X-Gatehouse-Explain (verdict, rule, rules tried, timings) to every response. For debugging
     * only: it shows your rules to clients.
     */
    private boolean explainHeader = false;

    /** Give the application the X-Gatehouse-* request headers (client-sent ones are hidden either way). */
    private boolean upstreamHeaders = true;

    /**
     * DNS servers for crawler verification (forward-confirmed reverse DNS), as HOST:PORT with an IP
     * literal or localhost ([::1]:53 for IPv6; the port defaults to 53). Empty: the system resolvers.
     */
    private List<String> dnsServers = new ArrayList<>();

    /** Servlet URL patterns the filter is mapped to. */
    private List<String> urlPatterns = new ArrayList<>(List.of("/*"));

    /** Order of the filter among the application's servlet filters; lower runs first. */
    private int filterOrder = DEFAULT_FILTER_ORDER;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getPolicy() {
        return policy;
    }

    public void setPolicy(String policy) {
        this.policy = policy;
    }

    public Duration getBudget() {
        return budget;
    }

    public void setBudget(Duration budget) {
        this.budget = budget;
    }

    public boolean isFailOpen() {
        return failOpen;
    }

    public void setFailOpen(boolean failOpen) {
        this.failOpen = failOpen;
    }

    public List<String> getTrustedProxies() {
        return trustedProxies;
    }

    public void setTrustedProxies(List<String> trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    public ForwardedHeaders getForwardedHeaders() {
        return forwardedHeaders;
    }

    public void setForwardedHeaders(ForwardedHeaders forwardedHeaders) {
        this.forwardedHeaders = forwardedHeaders;
    }

    public boolean isExplainHeader() {
        return explainHeader;
    }

    public void setExplainHeader(boolean explainHeader) {
        this.explainHeader = explainHeader;
    }

    public boolean isUpstreamHeaders() {
        return upstreamHeaders;
    }

    public void setUpstreamHeaders(boolean upstreamHeaders) {
        this.upstreamHeaders = upstreamHeaders;
    }

    public List<String> getDnsServers() {
        return dnsServers;
    }

    public void setDnsServers(List<String> dnsServers) {
        this.dnsServers = dnsServers;
    }

    public List<String> getUrlPatterns() {
        return urlPatterns;
    }

    public void setUrlPatterns(List<String> urlPatterns) {
        this.urlPatterns = urlPatterns;
    }

    public int getFilterOrder() {
        return filterOrder;
    }

    public void setFilterOrder(int filterOrder) {
        this.filterOrder = filterOrder;
    }
}
