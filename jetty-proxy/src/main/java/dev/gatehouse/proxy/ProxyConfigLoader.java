package dev.gatehouse.proxy;

import dev.gatehouse.DidYouMean;
import dev.gatehouse.engine.embedded.EmbeddedEngine;
import dev.gatehouse.net.Cidr;
import dev.gatehouse.net.HostPort;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads {@code gatehouse.yaml} (documented in {@code docs/proxy.md}). SnakeYAML with safe loading, no
 * duplicate keys, few aliases and a size limit; every mistake is reported as
 * {@code FILE:LINE:COLUMN: key: what is wrong}.
 *
 * <pre>{@code
 * listen: 0.0.0.0:8080
 * upstream: http://127.0.0.1:3000
 * policy: policies/default.yaml      # relative to this file; left out = the bundled default
 * budget_ms: 50
 * fail_closed: false
 * upstream_timeout_ms: 30000
 * trusted_proxies: [10.0.0.0/8]
 * dns_servers: [127.0.0.1:53]
 * admin:
 *   listen: 127.0.0.1:9090           # or off
 *   token: change-me
 * }</pre>
 */
public final class ProxyConfigLoader {

    static final Set<String> TOP_KEYS = Set.of("listen", "upstream", "policy", "budget_ms", "fail_closed",
            "upstream_timeout_ms", "trusted_proxies", "dns_servers", "admin", "data");
    static final Set<String> ADMIN_KEYS = Set.of("listen", "token");
    static final Set<String> DATA_KEYS = Set.of("directory", "refresh_interval_s", "urls");
    private static final int MAX_SIZE = 1 << 20;

    private ProxyConfigLoader() {
    }

    /** A problem with a config file; the message names the file, line, column and key. */
    public static final class ConfigException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ConfigException(String message) {
            super(message);
        }
    }

    /** Reads {@code file} into a builder, so flags can override it before {@code build()}. */
    public static ProxyConfig.Builder load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the config file: " + e.getMessage());
        }
        Path base = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), base);
    }

    /** Parses config text; a relative {@code policy} is resolved against {@code baseDir}. */
    public static ProxyConfig.Builder parse(String text, String fileName, Path baseDir) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(10);
        options.setCodePointLimit(MAX_SIZE);
        Node root;
        try {
            root = new Yaml(new SafeConstructor(options)).compose(new StringReader(text));
        } catch (YAMLException e) {
            throw new ConfigException(fileName + ": not valid YAML: " + e.getMessage());
        }
        ProxyConfig.Builder b = ProxyConfig.builder();
        if (root == null) {
            return b;
        }
        if (!(root instanceof MappingNode mapping)) {
            throw problem(fileName, root, "", "the config file must be a mapping of keys (listen:, upstream:, …)");
        }
        Set<String> seen = new HashSet<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String key = scalar(fileName, tuple.getKeyNode(), "key");
            Node value = tuple.getValueNode();
            if (!TOP_KEYS.contains(key)) {
                throw problem(fileName, tuple.getKeyNode(), key, "unknown key" + didYouMean(key, TOP_KEYS));
            }
            if (!seen.add(key)) {
                throw problem(fileName, tuple.getKeyNode(), key, "duplicate key");
            }
            try {
                switch (key) {
                    case "listen" -> b.listen(HostPort.parse(scalar(fileName, value, key), -1));
                    case "upstream" -> b.upstream(uri(scalar(fileName, value, key)));
                    case "policy" -> {
                        Path policy = Path.of(scalar(fileName, value, key));
                        b.policy(policy.isAbsolute() || baseDir == null ? policy : baseDir.resolve(policy).normalize());
                    }
                    case "budget_ms" -> b.budget(Duration.ofMillis(integer(fileName, value, key)));
                    case "upstream_timeout_ms" -> b.upstreamTimeout(Duration.ofMillis(integer(fileName, value, key)));
                    case "fail_closed" -> b.failClosed(bool(fileName, value, key));
                    case "trusted_proxies" -> {
                        List<Cidr> cidrs = new ArrayList<>();
                        for (Node item : list(fileName, value, key)) {
                            cidrs.add(cidr(scalar(fileName, item, key)));
                        }
                        b.trustedProxies(cidrs);
                    }
                    case "dns_servers" -> {
                        List<HostPort> servers = new ArrayList<>();
                        for (Node item : list(fileName, value, key)) {
                            servers.add(HostPort.parse(scalar(fileName, item, key), 53));
                        }
                        b.dnsServers(servers);
                    }
                    case "admin" -> admin(fileName, value, b);
                    case "data" -> b.data(data(fileName, value, baseDir));
                    default -> throw new IllegalStateException("unhandled key " + key);
                }
            } catch (IllegalArgumentException e) {
                throw problem(fileName, value, key, e.getMessage());
            }
        }
        return b;
    }

    private static void admin(String fileName, Node value, ProxyConfig.Builder b) {
        if (value instanceof ScalarNode s && s.getValue().equalsIgnoreCase("off")) {
            b.admin(null);
            return;
        }
        if (!(value instanceof MappingNode mapping)) {
            throw problem(fileName, value, "admin", "expected a mapping with listen: and token:, or 'off'");
        }
        Set<String> seen = new HashSet<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String key = scalar(fileName, tuple.getKeyNode(), "admin");
            String path = "admin." + key;
            if (!ADMIN_KEYS.contains(key)) {
                throw problem(fileName, tuple.getKeyNode(), path, "unknown key" + didYouMean(key, ADMIN_KEYS));
            }
            if (!seen.add(key)) {
                throw problem(fileName, tuple.getKeyNode(), path, "duplicate key");
            }
            String text = scalar(fileName, tuple.getValueNode(), path);
            try {
                if (key.equals("listen")) {
                    b.admin(text.equalsIgnoreCase("off") ? null : HostPort.parse(text, -1));
                } else {
                    b.adminToken(text);
                }
            } catch (IllegalArgumentException e) {
                throw problem(fileName, tuple.getValueNode(), path, e.getMessage());
            }
        }
    }

    private static ProxyConfig.DataSettings data(String fileName, Node value, Path baseDir) {
        if (!(value instanceof MappingNode mapping)) {
            throw problem(fileName, value, "data", "expected a mapping with directory:, refresh_interval_s: and urls:");
        }
        Path directory = null;
        Duration refresh = null;
        java.util.Map<String, URI> urls = new java.util.LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String key = scalar(fileName, tuple.getKeyNode(), "data");
            String path = "data." + key;
            if (!DATA_KEYS.contains(key)) {
                throw problem(fileName, tuple.getKeyNode(), path, "unknown key" + didYouMean(key, DATA_KEYS));
            }
            if (!seen.add(key)) {
                throw problem(fileName, tuple.getKeyNode(), path, "duplicate key");
            }
            Node node = tuple.getValueNode();
            try {
                switch (key) {
                    case "directory" -> {
                        Path dir = Path.of(scalar(fileName, node, path));
                        directory = dir.isAbsolute() || baseDir == null ? dir : baseDir.resolve(dir).normalize();
                    }
                    case "refresh_interval_s" -> {
                        long seconds = Long.parseLong(scalar(fileName, node, path).trim());
                        if (seconds <= 0) {
                            throw new IllegalArgumentException("expected a positive number of seconds, was " + seconds);
                        }
                        refresh = Duration.ofSeconds(seconds);
                    }
                    default -> {
                        if (!(node instanceof MappingNode urlMap)) {
                            throw problem(fileName, node, path, "expected a mapping of data-set key to URL");
                        }
                        for (NodeTuple entry : urlMap.getValue()) {
                            String dataSet = scalar(fileName, entry.getKeyNode(), path);
                            if (!EmbeddedEngine.feedKeys().contains(dataSet)) {
                                throw problem(fileName, entry.getKeyNode(), path + "." + dataSet, "unknown data set"
                                        + DidYouMean.suggest(dataSet, EmbeddedEngine.feedKeys()) + "; see docs/data.md for the keys");
                            }
                            URI url = uri(scalar(fileName, entry.getValueNode(), path + "." + dataSet));
                            if (!"https".equalsIgnoreCase(url.getScheme()) && !"http".equalsIgnoreCase(url.getScheme())) {
                                throw problem(fileName, entry.getValueNode(), path + "." + dataSet, "expected an http(s) URL, was '" + url + "'");
                            }
                            urls.put(dataSet, url);
                        }
                    }
                }
            } catch (NumberFormatException e) {
                throw problem(fileName, node, path, "expected a whole number of seconds, was '" + scalar(fileName, node, path) + "'");
            } catch (IllegalArgumentException e) {
                throw problem(fileName, node, path, e.getMessage());
            }
        }
        return new ProxyConfig.DataSettings(directory, refresh, urls);
    }

    private static String scalar(String fileName, Node node, String key) {
        if (node instanceof ScalarNode s) {
            return s.getValue();
        }
        throw problem(fileName, node, key, "expected a single value, not a " + kind(node));
    }

    private static List<Node> list(String fileName, Node node, String key) {
        if (node instanceof SequenceNode s) {
            return s.getValue();
        }
        throw problem(fileName, node, key, "expected a list, not a " + kind(node));
    }

    private static long integer(String fileName, Node node, String key) {
        String text = scalar(fileName, node, key);
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw problem(fileName, node, key, "expected a whole number of milliseconds, was '" + text + "'");
        }
    }

    private static boolean bool(String fileName, Node node, String key) {
        String text = scalar(fileName, node, key).trim();
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        throw problem(fileName, node, key, "expected true or false, was '" + text + "'");
    }

    private static URI uri(String text) {
        try {
            return new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: '" + text + "'");
        }
    }

    private static Cidr cidr(String text) {
        String t = text.trim();
        // A bare address means just that address.
        return t.contains("/") ? Cidr.parse(t) : Cidr.parse(t + (t.contains(":") ? "/128" : "/32"));
    }

    private static String kind(Node node) {
        return node instanceof MappingNode ? "mapping" : node instanceof SequenceNode ? "list" : "value";
    }

    private static ConfigException problem(String fileName, Node node, String key, String message) {
        int line = node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
        int column = node.getStartMark() == null ? 0 : node.getStartMark().getColumn() + 1;
        return new ConfigException(fileName + ":" + line + ":" + column + ": " + (key.isEmpty() ? "" : key + ": ") + message);
    }

    static String didYouMean(String key, Set<String> known) {
        String suggestion = DidYouMean.suggest(key, known);
        return !suggestion.isEmpty() ? suggestion : " (known keys: " + String.join(", ", known.stream().sorted().toList()) + ")";
    }
}
