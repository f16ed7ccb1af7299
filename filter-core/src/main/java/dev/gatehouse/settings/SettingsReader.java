package dev.gatehouse.settings;

import dev.gatehouse.net.HostPort;
import dev.gatehouse.text.DidYouMean;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reading of one mapping of a settings tree, for {@link SettingsBinder} and for adapters that
 * read keys of their own (the proxy's {@code listen}, {@code upstream}, {@code admin}) the same way.
 * Problems are collected, not thrown one by one, each as {@code ORIGIN: key: message}; deprecated
 * spellings are renamed with a warning that names the new key.
 */
public final class SettingsReader {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(ns|us|ms|s|m|h|d)");
    private static final Pattern NUMBER = Pattern.compile("-?\\d{1,18}");

    private final String origin;
    private final String path;
    private final Map<String, SettingsNode> entries;
    private final Map<String, String> keyOrigins = new LinkedHashMap<>();
    private final List<SettingsException.Problem> problems;
    private final Consumer<String> warnings;

    private SettingsReader(SettingsNode.Mapping mapping, String path, List<SettingsException.Problem> problems, Consumer<String> warnings) {
        this.origin = mapping.origin();
        this.path = path;
        this.entries = new LinkedHashMap<>(mapping.entries());
        mapping.entries().keySet().forEach(k -> keyOrigins.put(k, mapping.keyOrigin(k)));
        this.problems = problems;
        this.warnings = warnings;
    }

    /** A reader of the top-level mapping; warnings (deprecated spellings) go to {@code warnings}. */
    public static SettingsReader of(SettingsNode.Mapping root, Consumer<String> warnings) {
        return new SettingsReader(root, "", new ArrayList<>(), warnings);
    }

    /** The dotted path of {@code key} under this mapping, e.g. {@code data.refresh}. */
    public String pathOf(String key) {
        return key.isEmpty() ? path : path.isEmpty() ? key : path + "." + key;
    }

    /**
     * Accepts {@code oldKey} for one release: its value (converted by {@code convert}, e.g. {@code 50} →
     * {@code 50ms}) is read as {@code newKey}, with a warning that names the new key.
     */
    public SettingsReader deprecated(String oldKey, String newKey, UnaryOperator<String> convert) {
        SettingsNode old = entries.remove(oldKey);
        if (old == null) {
            return this;
        }
        String where = keyOrigins.remove(oldKey);
        if (entries.containsKey(newKey)) {
            problems.add(new SettingsException.Problem(where, pathOf(oldKey), "the deprecated spelling of " + pathOf(newKey) + ", which is also set; remove it"));
            return this;
        }
        SettingsNode renamed = old;
        String shown = old.toString();
        if (old instanceof SettingsNode.Scalar s && convert != null) {
            String converted = convert.apply(s.value().strip());
            renamed = new SettingsNode.Scalar(converted, s.origin(), s.baseDir());
            shown = converted;
        }
        warnings.accept(where + ": " + pathOf(oldKey) + " is deprecated and will be removed; write " + pathOf(newKey)
                + (old instanceof SettingsNode.Scalar ? ": " + shown : "") + " (see docs/configuration.md)");
        entries.put(newKey, renamed);
        keyOrigins.put(newKey, where);
        return this;
    }

    /** Reports every key not in {@code known} (adapter keys in {@code ignored} pass), with a did-you-mean. */
    public void checkKeys(Collection<String> known, Collection<String> ignored) {
        List<String> all = new ArrayList<>(known);
        all.addAll(ignored);
        for (String key : entries.keySet()) {
            if (!all.contains(key)) {
                String suggestion = DidYouMean.closest(key, all);
                problems.add(new SettingsException.Problem(keyOrigins.getOrDefault(key, origin), pathOf(key), "unknown key"
                        + (suggestion != null ? " (did you mean '" + pathOf(suggestion) + "'?)"
                        : "; known keys: " + String.join(", ", known.stream().sorted().toList()))));
            }
        }
    }

    public boolean has(String key) {
        return entries.containsKey(key);
    }

    /** The raw node, or {@code null}. */
    public SettingsNode node(String key) {
        return entries.get(key);
    }

    /** A text value; {@code null} when absent or empty. */
    public String string(String key) {
        SettingsNode node = entries.get(key);
        if (node == null) {
            return null;
        }
        if (node instanceof SettingsNode.Scalar s) {
            return s.value().isBlank() ? null : s.value().strip();
        }
        return wrongType(key, node, "a single value");
    }

    public Boolean bool(String key) {
        String text = string(key);
        if (text == null) {
            return null;
        }
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> {
                problem(key, "expected true or false, was '" + text + "'");
                yield null;
            }
        };
    }

    public Long integer(String key) {
        String text = string(key);
        if (text == null) {
            return null;
        }
        String t = text.replace("_", "");
        if (!NUMBER.matcher(t).matches()) {
            problem(key, "expected a whole number, was '" + text + "'");
            return null;
        }
        return Long.parseLong(t);
    }

    /**
     * A duration: {@code 50ms}, {@code 2s}, {@code 10m}, {@code 6h}, {@code 1d} (or ISO-8601
     * {@code PT2S}, as Spring accepts). A plain number is read as milliseconds with a deprecation warning.
     */
    public Duration duration(String key) {
        String text = string(key);
        if (text == null) {
            return null;
        }
        Duration d = parseDuration(text);
        if (d == null && NUMBER.matcher(text).matches()) {
            d = Duration.ofMillis(Long.parseLong(text));
            warnings.accept(origin(key) + ": " + pathOf(key) + ": a plain number is read as milliseconds; write " + format(d)
                    + " (plain numbers are deprecated)");
        }
        if (d == null) {
            problem(key, "expected a duration such as 50ms, 2s, 10m, 6h or 1d, was '" + text + "'");
        }
        return d;
    }

    /** A duration, or {@code off} / {@code never} for none ({@link Duration#ZERO} is returned for "off"). */
    public Duration durationOrOff(String key) {
        String text = string(key);
        if (text != null && (text.equalsIgnoreCase("off") || text.equalsIgnoreCase("never") || text.equalsIgnoreCase("false"))) {
            return Duration.ZERO;
        }
        return duration(key);
    }

    /** One of {@code choices} (case-insensitive), naming them all when it is none. */
    public <T> T choice(String key, Map<String, T> choices) {
        String text = string(key);
        if (text == null) {
            return null;
        }
        T value = choices.get(text.toLowerCase(Locale.ROOT));
        if (value == null) {
            problem(key, "expected one of " + String.join(", ", choices.keySet()) + ", was '" + text + "'"
                    + DidYouMean.suggest(text, choices.keySet()));
        }
        return value;
    }

    /**
     * A list of text values: a YAML list, or one value whose items are separated by commas or white space
     * (init-params, Spring properties, {@code trusted-proxies: 10.0.0.0/8, loopback}). Empty items are dropped.
     */
    public List<String> list(String key) {
        SettingsNode node = entries.get(key);
        if (node == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        if (node instanceof SettingsNode.Scalar s) {
            for (String part : s.value().split("[,\\s]+")) {
                if (!part.isBlank()) {
                    out.add(part.strip());
                }
            }
            return out;
        }
        if (node instanceof SettingsNode.Sequence seq) {
            for (SettingsNode item : seq.items()) {
                if (item instanceof SettingsNode.Scalar s) {
                    if (!s.value().isBlank()) {
                        out.add(s.value().strip());
                    }
                } else {
                    problems.add(new SettingsException.Problem(item.origin(), pathOf(key), "expected a list of values, found a "
                            + (item instanceof SettingsNode.Mapping ? "mapping" : "list") + " in it"));
                }
            }
            return out;
        }
        return wrongType(key, node, "a list");
    }

    /** {@code HOST:PORT} values; {@code defaultPort} when left out ({@code -1}: required). */
    public List<HostPort> hostPorts(String key, int defaultPort) {
        List<String> items = list(key);
        if (items == null) {
            return null;
        }
        List<HostPort> out = new ArrayList<>();
        for (String item : items) {
            try {
                out.add(HostPort.parse(item, defaultPort));
            } catch (IllegalArgumentException e) {
                problem(key, e.getMessage());
            }
        }
        return out;
    }

    public HostPort hostPort(String key, int defaultPort) {
        String text = string(key);
        if (text == null) {
            return null;
        }
        try {
            return HostPort.parse(text, defaultPort);
        } catch (IllegalArgumentException e) {
            problem(key, e.getMessage());
            return null;
        }
    }

    /** A path; relative to the YAML file's folder when read from one, else to the working directory. */
    public Path path(String key) {
        String text = string(key);
        if (text == null) {
            return null;
        }
        return resolve(key, text);
    }

    /** As {@link #path}, but a {@code classpath:} value is kept as written. */
    public String location(String key) {
        String text = string(key);
        if (text == null || text.startsWith(GatehouseSettings.CLASSPATH)) {
            return text;
        }
        Path p = resolve(key, text.startsWith("file:") ? text.substring("file:".length()) : text);
        return p == null ? null : p.toString();
    }

    private Path resolve(String key, String text) {
        try {
            Path p = Path.of(text);
            Path base = entries.get(key) instanceof SettingsNode.Scalar s ? s.baseDir() : null;
            return p.isAbsolute() || base == null ? p : base.resolve(p).normalize();
        } catch (InvalidPathException e) {
            problem(key, "not a file path: '" + text + "'");
            return null;
        }
    }

    public URI url(String key) {
        String text = string(key);
        if (text == null) {
            return null;
        }
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            problem(key, "not a URL: '" + text + "'");
            return null;
        }
    }

    /** The text values of a mapping whose keys are data ({@code data.urls}). */
    public Map<String, String> strings(String key) {
        SettingsReader child = child(key);
        if (child == null) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : child.entries.keySet()) {
            String v = child.string(k);
            if (v != null) {
                out.put(k, v);
            }
        }
        return out;
    }

    /** A reader of the mapping under {@code key}; {@code null} when absent or empty, a problem when not a mapping. */
    public SettingsReader child(String key) {
        SettingsNode node = entries.get(key);
        if (node == null || node instanceof SettingsNode.Scalar s && s.value().isBlank()) {
            return null;
        }
        if (node instanceof SettingsNode.Mapping m) {
            return new SettingsReader(m, pathOf(key), problems, warnings);
        }
        return wrongType(key, node, "a mapping");
    }

    /** The keys of this mapping, in order. */
    public List<String> keys() {
        return List.copyOf(entries.keySet());
    }

    /**
     * Runs {@code step} (typically a builder call); an {@link IllegalArgumentException} or
     * {@link IllegalStateException} becomes a problem at {@code key}.
     */
    public void apply(String key, Runnable step) {
        try {
            step.run();
        } catch (IllegalArgumentException | IllegalStateException e) {
            problem(key, e.getMessage());
        }
    }

    /** Records a problem at {@code key}: {@code ORIGIN: path.key: message} (a message starting with the key is not repeated). */
    public void problem(String key, String message) {
        String full = pathOf(key);
        String m = message == null ? "invalid" : message;
        for (String prefix : List.of(full + ": ", full + " ", key + ": ", key + " ")) {
            if (m.startsWith(prefix)) {
                m = m.substring(prefix.length());
                break;
            }
        }
        problems.add(new SettingsException.Problem(origin(key), full, m));
    }

    /** Sends a warning about {@code key} ({@code ORIGIN: path.key message}) to the warnings consumer. */
    public void warn(String key, String message) {
        warnings.accept(origin(key) + ": " + pathOf(key) + " " + message);
    }

    /** Where {@code key}'s value was written (its key's place when it has none). */
    public String origin(String key) {
        SettingsNode node = entries.get(key);
        return node != null ? node.origin() : keyOrigins.getOrDefault(key, origin);
    }

    /** Every problem found so far by this reader and its children. */
    public List<SettingsException.Problem> problems() {
        return List.copyOf(problems);
    }

    /** @throws SettingsException listing every problem, when there is any */
    public void throwIfAny() {
        if (!problems.isEmpty()) {
            throw new SettingsException(problems);
        }
    }

    private <T> T wrongType(String key, SettingsNode node, String expected) {
        String found = node instanceof SettingsNode.Mapping ? "a mapping" : node instanceof SettingsNode.Sequence ? "a list" : "a single value";
        problem(key, "expected " + expected + ", found " + found);
        return null;
    }

    /** {@code 50ms}, {@code 2s}, … or {@code null} when {@code text} is not a duration. */
    static Duration parseDuration(String text) {
        String t = text.strip();
        Matcher m = DURATION.matcher(t.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ns" -> Duration.ofNanos(n);
                case "us" -> Duration.ofNanos(n * 1000);
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        if (t.startsWith("P") || t.startsWith("p") || t.startsWith("-P")) {
            try {
                return Duration.parse(t);
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        return null;
    }

    /** A duration in the settings' own spelling: {@code 50ms}, {@code 2s}, {@code 6h}. */
    public static String format(Duration d) {
        if (d.isNegative() || d.isZero()) {
            return d.toMillis() + "ms";
        }
        long ms = d.toMillis();
        if (d.toNanos() % 1_000_000 != 0) {
            return d.toNanos() + "ns";
        }
        if (ms % 86_400_000 == 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
