package dev.gatehouse.crawler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.api.BotCategory;
import dev.gatehouse.net.Cidr;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads {@code catalog.yaml} from the classpath and the range files it cites from the classpath or an
 * operator's opener ({@link CrawlerCatalog.RangeFiles}). Package-private: the
 * public faces are {@link CrawlerCatalog} and {@link UserAgentClassifier}.
 */
final class CatalogData {

    static final String CRAWLERS_DIR = "/dev/gatehouse/data/crawlers/";
    static final String USER_AGENTS = "/dev/gatehouse/data/useragents/crawler-user-agents.json.gz";

    /** One crawler as the catalog file describes it. */
    record Definition(CrawlerCatalog.Crawler crawler, List<String> tokens, List<String> rangeLists) {}

    /** One published range list: its prefixes, whether it proves anything, and its default crawler. */
    record RangeList(String id, String file, boolean authoritative, CrawlerCatalog.Crawler crawler, List<Cidr> prefixes) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Definition> definitions; // by name, in file order
    private final List<RangeList> lists;

    private CatalogData(Map<String, Definition> definitions, List<RangeList> lists) {
        this.definitions = definitions;
        this.lists = lists;
    }

    /** The crawler definitions only (no range files): enough for User-Agent classification. */
    static Map<String, Definition> loadDefinitions() {
        return parseDefinitions(readYaml());
    }

    /** Definitions and every range list, from the bundled files; any bad prefix fails the load. */
    static CatalogData load() {
        return load(file -> open(CRAWLERS_DIR + file), true);
    }

    /** The range files catalog.yaml cites (without {@code #service}), in catalog order, each once. */
    static List<String> rangeFiles() {
        return RangeFileNames.ALL;
    }

    /** Read once: the engine asks for the names on every builder call that checks a data set id. */
    private static final class RangeFileNames {
        static final List<String> ALL = readRangeFiles();
    }

    private static List<String> readRangeFiles() {
        List<String> files = new ArrayList<>();
        for (Map<String, Object> raw : listOfMaps(readYaml(), "lists")) {
            String file = string(raw, "file");
            int hash = file.indexOf('#');
            String name = hash > 0 ? file.substring(0, hash) : file;
            if (!files.contains(name)) {
                files.add(name);
            }
        }
        return List.copyOf(files);
    }

    /**
     * Definitions and every range list, with the range files read through {@code files}. {@code strict}:
     * a prefix that does not parse fails the load (bundled data); otherwise it is skipped, since the
     * caller (the embedded engine) validates and reports operator files line by line.
     */
    static CatalogData load(CrawlerCatalog.RangeFiles files, boolean strict) {
        Map<String, Object> yaml = readYaml();
        Map<String, Definition> definitions = parseDefinitions(yaml);
        List<RangeList> lists = new ArrayList<>();
        Map<String, JsonNode> jsonCache = new HashMap<>();
        for (Map<String, Object> raw : listOfMaps(yaml, "lists")) {
            String id = string(raw, "id");
            String file = string(raw, "file");
            String crawlerName = string(raw, "crawler");
            Definition def = definitions.get(crawlerName);
            if (def == null) {
                throw new IllegalStateException("catalog.yaml: list " + id + " names unknown crawler " + crawlerName);
            }
            lists.add(new ListReader(files, strict, jsonCache).read(id, file, def.crawler()));
        }
        for (Definition d : definitions.values()) {
            for (String listId : d.rangeLists()) {
                if (lists.stream().noneMatch(l -> l.id().equals(listId))) {
                    throw new IllegalStateException("catalog.yaml: crawler " + d.crawler().name() + " cites unknown list " + listId);
                }
            }
        }
        return new CatalogData(definitions, List.copyOf(lists));
    }

    Map<String, Definition> definitions() {
        return definitions;
    }

    List<RangeList> lists() {
        return lists;
    }

    private static Map<String, Object> readYaml() {
        try (InputStream in = open(CRAWLERS_DIR + "catalog.yaml")) {
            Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
            return yaml.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read catalog.yaml", e);
        }
    }

    private static Map<String, Definition> parseDefinitions(Map<String, Object> yaml) {
        Map<String, Definition> out = new LinkedHashMap<>();
        for (Map<String, Object> raw : listOfMaps(yaml, "crawlers")) {
            String name = string(raw, "name");
            BotCategory category = BotCategory.byId(string(raw, "category"));
            if (category == null) {
                throw new IllegalStateException("catalog.yaml: crawler " + name + " has unknown category " + string(raw, "category"));
            }
            List<String> rdns = strings(raw, "rdns").stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
            List<String> tokens = raw.containsKey("tokens") ? strings(raw, "tokens") : List.of(name);
            CrawlerCatalog.Crawler crawler = new CrawlerCatalog.Crawler(name, category, string(raw, "vendor"), rdns);
            if (out.put(name, new Definition(crawler, tokens, strings(raw, "ranges"))) != null) {
                throw new IllegalStateException("catalog.yaml: crawler " + name + " is listed twice");
            }
        }
        return out;
    }

    /** Reads range lists through one opener; ipverse files are parsed once for all their services. */
    private record ListReader(CrawlerCatalog.RangeFiles files, boolean strict, Map<String, JsonNode> jsonCache) {

        RangeList read(String id, String file, CrawlerCatalog.Crawler crawler) {
            List<Cidr> prefixes = new ArrayList<>();
            boolean authoritative = true;
            int hash = file.indexOf('#');
            if (hash > 0) { // ipverse schema: {"services": {NAME: {ip_list_authoritative, ipv4[], ipv6[]}}}
                String name = file.substring(0, hash);
                JsonNode root = jsonCache.computeIfAbsent(name, n -> readJson(n, bytes(n)));
                JsonNode service = root.path("services").path(file.substring(hash + 1));
                if (service.isMissingNode()) {
                    throw new IllegalStateException("catalog.yaml: list " + id + ": no service in " + file);
                }
                authoritative = service.path("ip_list_authoritative").asBoolean(true);
                service.path("ipv4").forEach(n -> add(prefixes, n.asText(), file));
                service.path("ipv6").forEach(n -> add(prefixes, n.asText(), file));
            } else {
                byte[] bytes = bytes(file);
                if (isJson(bytes)) { // {"creationTime", "prefixes": [{"ipv4Prefix"} | {"ipv6Prefix"}]}, whatever the file name says
                    for (JsonNode p : readJson(file, bytes).path("prefixes")) {
                        JsonNode v = p.has("ipv4Prefix") ? p.get("ipv4Prefix") : p.get("ipv6Prefix");
                        if (v != null) {
                            add(prefixes, v.asText(), file);
                        }
                    }
                } else {
                    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\\R")) {
                        String t = printableOnly(line);
                        if (!t.isEmpty() && !t.startsWith("#")) {
                            add(prefixes, t, file);
                        }
                    }
                }
            }
            if (prefixes.isEmpty()) {
                throw new IllegalStateException("catalog.yaml: list " + id + " (" + file + ") has no prefixes");
            }
            return new RangeList(id, file, authoritative, crawler, List.copyOf(prefixes));
        }

        private void add(List<Cidr> prefixes, String text, String file) {
            try {
                prefixes.add(Cidr.parseLenient(printableOnly(text)));
            } catch (IllegalArgumentException e) {
                if (strict) {
                    throw new IllegalStateException(file + ": " + e.getMessage(), e);
                }
            }
        }

        private byte[] bytes(String file) {
            try (InputStream in = files.open(file)) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }

        /** Vendors publish some lists as JSON and some as text; the first non-blank byte tells which. */
        private static boolean isJson(byte[] bytes) {
            for (byte b : bytes) {
                if (b == '{') {
                    return true;
                }
                if (b > ' ' && (b & 0x80) == 0) {
                    return false;
                }
            }
            return false;
        }

        private static JsonNode readJson(String file, byte[] bytes) {
            try {
                return JSON.readTree(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
    }

    /** Vendor files have carried stray zero-width spaces (Bing): keep only printable ASCII. */
    private static String printableOnly(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0x20 && c < 0x7F) {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The crawler-user-agents.json array (gzip on the classpath). */
    static JsonNode readUserAgentPatterns() {
        try (InputStream in = new GZIPInputStream(open(USER_AGENTS))) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read crawler-user-agents.json.gz", e);
        }
    }

    static InputStream open(String resource) {
        InputStream in = CatalogData.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("missing resource " + resource);
        }
        return in;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> listOfMaps(Map<String, Object> yaml, String key) {
        Object v = yaml.get(key);
        if (!(v instanceof List<?> list)) {
            throw new IllegalStateException("catalog.yaml: '" + key + "' must be a list");
        }
        return (List<Map<String, Object>>) list;
    }

    private static String string(Map<String, Object> raw, String key) {
        Object v = raw.get(key);
        if (!(v instanceof String s) || s.isBlank()) {
            throw new IllegalStateException("catalog.yaml: entry " + raw + " needs '" + key + "'");
        }
        return s;
    }

    private static List<String> strings(Map<String, Object> raw, String key) {
        Object v = raw.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw new IllegalStateException("catalog.yaml: '" + key + "' of " + raw.get("name") + " must be a list");
        }
        return list.stream().map(String::valueOf).toList();
    }
}
