package dev.gatehouse.spring;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code gatehouse.*} settings of a Spring Boot application: the same keys as {@code gatehouse.yaml}
 * ({@code docs/configuration.md}), so a block copied from one pastes under {@code gatehouse:} in the
 * other. A thin holder: it exists for the IDE metadata (from the field javadoc) and for the three keys
 * only the starter has ({@code enabled}, {@code url-patterns}, {@code filter-order}). The core settings
 * are read from the environment and checked by the core binder ({@link SpringSettingsSource}), so every
 * value is held as text here and nothing is converted or checked twice.
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
     * Policy YAML: a file path (watched when policy-reload is on; a valid change is swapped in, an
     * invalid one keeps the old policy) or a "classpath:" resource (read once). Relative paths are
     * relative to the working directory. Unset: the default policy of gatehouse-policies.
     */
    private String policy;

    /** Whether a policy file is watched and reloaded when it changes (true or false). */
    private String policyReload = "true";

    /** How long a request may wait for IP intelligence, e.g. 50ms; past it the decision uses what is known. */
    private String budget = "50ms";

    /** What an engine or policy failure means: open (allow the request) or closed (answer 503). */
    private String failMode = "open";

    /**
     * Your own proxies and load balancers, whose forwarding headers are believed: CIDRs
     * (10.0.0.0/8), addresses, or the named sets "loopback", "private" and "none". Empty: the socket
     * peer is always the client.
     */
    private List<String> trustedProxies = new ArrayList<>();

    /** Which forwarding header trusted proxies write: x-forwarded-for, forwarded (RFC 7239) or both (forwarded when present). */
    private String forwardedHeaders = "x-forwarded-for";

    /**
     * DNS servers for crawler verification (forward-confirmed reverse DNS), as HOST:PORT with an IP
     * literal or localhost ([::1]:53 for IPv6; the port defaults to 53). Empty: the system resolvers.
     */
    private List<String> dnsServers = new ArrayList<>();

    /** Where the embedded engine's data comes from and how often it is refreshed. */
    private final Data data = new Data();

    /** Where rate-limit buckets live. */
    private final RateLimit rateLimit = new RateLimit();

    /**
     * Remote IP-intelligence providers, by name (iptrust, ipbot, ipinsights, ipgeolocation, ipintel):
     * enabled, api-key-env, base-url, when, timeout, cache-ttl, … (see docs/configuration.md).
     */
    private Map<String, Map<String, String>> providers = new LinkedHashMap<>();

    /**
     * Add X-Gatehouse-Explain (verdict, rule, rules tried, timings) to every response. For debugging
     * only: it shows your rules to clients.
     */
    private String explainHeader = "false";

    /** Give the application the X-Gatehouse-* request headers (client-sent ones are hidden either way). */
    private String upstreamHeaders = "true";

    /** Servlet URL patterns the filter is mapped to. */
    private List<String> urlPatterns = new ArrayList<>(List.of("/*"));

    /** Order of the filter among the application's servlet filters; lower runs first. */
    private int filterOrder = DEFAULT_FILTER_ORDER;

    /** {@code gatehouse.data.*}. */
    public static class Data {
        /** Operator data directory (same file names and formats as the vendors publish). Unset: the bundled data. */
        private String directory;

        /** How often to reload the data, e.g. 6h. Unset or off: never after start-up. */
        private String refresh;

        /**
         * Data-set key to URL, e.g. tor, or crawlers/google/common-crawlers.json (write such a key in
         * brackets in a .properties file: gatehouse.data.urls[crawlers/google/common-crawlers.json]).
         */
        private Map<String, String> urls = new LinkedHashMap<>();

        public String getDirectory() {
            return directory;
        }

        public void setDirectory(String directory) {
            this.directory = directory;
        }

        public String getRefresh() {
            return refresh;
        }

        public void setRefresh(String refresh) {
            this.refresh = refresh;
        }

        public Map<String, String> getUrls() {
            return urls;
        }

        public void setUrls(Map<String, String> urls) {
            this.urls = urls;
        }
    }

    /** {@code gatehouse.rate-limit.*}. */
    public static class RateLimit {
        /** Where buckets live: local (this process) or redis (shared by a fleet). */
        private String store = "local";

        /** The bound on tracked buckets of the local store. */
        private String maxKeys = "100000";

        /** The Redis store: url, password-env, key-prefix, timeout, fallback (see docs/configuration.md). */
        private Map<String, String> redis = new LinkedHashMap<>();

        public String getStore() {
            return store;
        }

        public void setStore(String store) {
            this.store = store;
        }

        public String getMaxKeys() {
            return maxKeys;
        }

        public void setMaxKeys(String maxKeys) {
            this.maxKeys = maxKeys;
        }

        public Map<String, String> getRedis() {
            return redis;
        }

        public void setRedis(Map<String, String> redis) {
            this.redis = redis;
        }
    }

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

    public String getPolicyReload() {
        return policyReload;
    }

    public void setPolicyReload(String policyReload) {
        this.policyReload = policyReload;
    }

    public String getBudget() {
        return budget;
    }

    public void setBudget(String budget) {
        this.budget = budget;
    }

    public String getFailMode() {
        return failMode;
    }

    public void setFailMode(String failMode) {
        this.failMode = failMode;
    }

    public List<String> getTrustedProxies() {
        return trustedProxies;
    }

    public void setTrustedProxies(List<String> trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    public String getForwardedHeaders() {
        return forwardedHeaders;
    }

    public void setForwardedHeaders(String forwardedHeaders) {
        this.forwardedHeaders = forwardedHeaders;
    }

    public List<String> getDnsServers() {
        return dnsServers;
    }

    public void setDnsServers(List<String> dnsServers) {
        this.dnsServers = dnsServers;
    }

    public Data getData() {
        return data;
    }

    public RateLimit getRateLimit() {
        return rateLimit;
    }

    public Map<String, Map<String, String>> getProviders() {
        return providers;
    }

    public void setProviders(Map<String, Map<String, String>> providers) {
        this.providers = providers;
    }

    public String getExplainHeader() {
        return explainHeader;
    }

    public void setExplainHeader(String explainHeader) {
        this.explainHeader = explainHeader;
    }

    public String getUpstreamHeaders() {
        return upstreamHeaders;
    }

    public void setUpstreamHeaders(String upstreamHeaders) {
        this.upstreamHeaders = upstreamHeaders;
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
