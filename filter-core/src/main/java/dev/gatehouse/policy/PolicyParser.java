package dev.gatehouse.policy;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.policy.PolicyProblem.Kind;
import dev.gatehouse.policy.YamlNodes.Field;
import dev.gatehouse.ratelimit.RateLimit;
import dev.gatehouse.ratelimit.RateLimitStore;
import dev.gatehouse.text.DidYouMean;
import io.micrometer.core.instrument.MeterRegistry;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a composed policy document: checks every key and value, reporting all problems with their
 * line, column and path, and builds the compiled rules. Nothing is compiled when anything is wrong.
 */
final class PolicyParser {

    static final List<String> TOP_KEYS = List.of("description", "mode", "default", "limits", "rules");
    static final List<String> RULE_KEYS = List.of("name", "description", "when", "action", "limit", "status", "message", "headers", "shadow",
            "difficulty", "fallback");
    static final List<String> DEFAULT_KEYS = List.of("action", "limit", "status", "message", "headers", "difficulty", "fallback");
    static final List<String> LIMIT_KEYS = List.of("capacity", "refill", "period", "key", "ip_prefix", "ipv4_prefix", "ipv6_prefix", "on_exceed");
    static final List<String> IP_PREFIX_KEYS = List.of("v4", "v6");
    static final List<String> VERDICTS = List.of("allow", "block", "rate_limit", "challenge");
    static final List<String> CHALLENGE_FALLBACKS = List.of("block", "rate_limit");
    /** The most leading zero bits a policy may ask for: 2^32 hashes is minutes of a phone's time already. */
    static final int MAX_DIFFICULTY = 32;

    private static final Pattern RULE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private final Problems problems;
    private final ConditionParser conditions;

    PolicyParser(Problems problems, Path baseDir) {
        this.problems = problems;
        this.conditions = new ConditionParser(problems, baseDir);
    }

    /** Reads and compiles, or throws {@link PolicyException} listing every problem. */
    CompiledPolicy parse(Node root, String name, String text, RateLimitStore store, MeterRegistry registry) {
        Map<String, Field> top = YamlNodes.mapping(root, "", problems);
        problems.throwIfAny();
        YamlNodes.checkKeys(top, TOP_KEYS, "", problems);
        if (top.containsKey("description")) {
            YamlNodes.string(top.get("description").value(), "description", problems);
        }
        boolean shadowMode = false;
        Field mode = top.get("mode");
        if (mode != null) {
            String m = YamlNodes.string(mode.value(), "mode", problems);
            if (m != null && !m.equals("enforce") && !m.equals("shadow")) {
                problems.add(mode.value(), "mode", Kind.BAD_VALUE, "mode is enforce or shadow, not '" + m + "'"
                        + DidYouMean.suggest(m, List.of("enforce", "shadow")));
            }
            shadowMode = "shadow".equals(m);
        }
        Map<String, LimitSpec> limits = limits(top.get("limits"));

        Rule defaultRule = null;
        Field def = top.get("default");
        if (def == null) {
            problems.add(root, "", Kind.MISSING_KEY, "missing required key 'default' (the verdict when no rule matches, e.g. default: allow)");
        } else {
            defaultRule = defaultRule(def.value(), limits);
        }

        List<Rule> rules = new ArrayList<>();
        Field rulesField = top.get("rules");
        if (rulesField != null && !YamlNodes.isNull(rulesField.value())) {
            List<Node> items = YamlNodes.list(rulesField.value(), "rules", problems);
            if (items != null) {
                Map<String, Node> names = new LinkedHashMap<>();
                Rule catchAll = null;
                for (int i = 0; i < items.size(); i++) {
                    String path = "rules[" + i + "]";
                    Rule rule = rule(items.get(i), path, limits, names);
                    if (rule == null) {
                        continue;
                    }
                    if (catchAll != null) {
                        problems.add(items.get(i), path, Kind.UNREACHABLE_RULE, "rule '" + rule.name + "' can never match: rule '"
                                + catchAll.name + "' (line " + catchAll.line + ") matches every request before it");
                    } else if (rule.condition.alwaysTrue()) {
                        catchAll = rule;
                    }
                    rules.add(rule);
                }
            }
        }
        problems.throwIfAny();
        String version = PolicyLoader.version(text + conditions.listTexts());
        return new CompiledPolicy(name, version, shadowMode, rules, defaultRule, store, registry, conditions.listFiles());
    }

    private Map<String, LimitSpec> limits(Field field) {
        Map<String, LimitSpec> limits = new LinkedHashMap<>();
        if (field == null || YamlNodes.isNull(field.value())) {
            return limits;
        }
        Map<String, Field> entries = YamlNodes.mapping(field.value(), "limits", problems);
        if (entries == null) {
            return limits;
        }
        for (Field entry : entries.values()) {
            String path = "limits." + entry.key();
            LimitSpec spec = limit(entry, path);
            limits.put(entry.key(), spec); // null marks a limit that exists but is broken: no second "undefined" problem
        }
        return limits;
    }

    private LimitSpec limit(Field entry, String path) {
        Map<String, Field> f = YamlNodes.mapping(entry.value(), path, problems);
        if (f == null) {
            return null;
        }
        int before = problems.size();
        YamlNodes.checkKeys(f, LIMIT_KEYS, path, problems);
        YamlNodes.require(f, "capacity", entry.value(), path, problems);
        YamlNodes.require(f, "period", entry.value(), path, problems);
        Long capacity = f.containsKey("capacity") ? positive(f.get("capacity").value(), path + ".capacity") : null;
        Long refill = f.containsKey("refill") ? positive(f.get("refill").value(), path + ".refill") : capacity;
        Duration period = f.containsKey("period") ? YamlNodes.duration(f.get("period").value(), path + ".period", problems) : null;
        int[] prefixes = prefixLengths(f, path);
        List<LimitSpec.KeyPart> key = new ArrayList<>();
        if (f.containsKey("key")) {
            for (Node n : YamlNodes.scalarOrList(f.get("key").value())) {
                String k = YamlNodes.string(n, path + ".key", problems);
                if (k == null) {
                    continue;
                }
                switch (k) {
                    case "ip" -> key.add(new LimitSpec.KeyPart(LimitSpec.KeyPart.Kind.IP, null));
                    case "ip_prefix" -> key.add(new LimitSpec.KeyPart(LimitSpec.KeyPart.Kind.IP_PREFIX, null));
                    case "asn" -> key.add(new LimitSpec.KeyPart(LimitSpec.KeyPart.Kind.ASN, null));
                    default -> {
                        String header = k.startsWith("header:") ? k.substring(7).trim() : null;
                        if (header == null || !HEADER_NAME.matcher(header).matches()) {
                            problems.add(n, path + ".key", Kind.BAD_VALUE, "key part '" + k + "' is not one of ip, ip_prefix, asn, header:<Name>"
                                    + DidYouMean.suggest(k, List.of("ip", "ip_prefix", "asn")));
                        } else {
                            key.add(new LimitSpec.KeyPart(LimitSpec.KeyPart.Kind.HEADER, header.toLowerCase(java.util.Locale.ROOT)));
                        }
                    }
                }
            }
        } else {
            key.add(new LimitSpec.KeyPart(LimitSpec.KeyPart.Kind.IP, null));
        }
        Field lengths = f.containsKey("ip_prefix") ? f.get("ip_prefix") : f.containsKey("ipv4_prefix") ? f.get("ipv4_prefix") : f.get("ipv6_prefix");
        if (lengths != null && key.stream().noneMatch(k -> k.kind() == LimitSpec.KeyPart.Kind.IP_PREFIX)) {
            problems.add(lengths.keyNode(), path + "." + lengths.key(), Kind.BAD_VALUE, "prefix lengths apply only to the key part ip_prefix,"
                    + " which this limit's key does not have (e.g. key: ip_prefix with ip_prefix: {v4: 32, v6: 64})");
        }
        Verdict onExceed = Verdict.RATE_LIMIT;
        if (f.containsKey("on_exceed")) {
            String v = YamlNodes.string(f.get("on_exceed").value(), path + ".on_exceed", problems);
            if ("block".equals(v)) {
                onExceed = Verdict.BLOCK;
            } else if (v != null && !v.equals("rate_limit")) {
                problems.add(f.get("on_exceed").value(), path + ".on_exceed", Kind.BAD_VALUE, "on_exceed is rate_limit (429) or block, not '" + v + "'");
            }
        }
        if (problems.size() > before || capacity == null || refill == null || period == null) {
            return null;
        }
        try {
            return new LimitSpec(new RateLimit(entry.key(), capacity, refill, period), List.copyOf(key), prefixes[0], prefixes[1], onExceed);
        } catch (IllegalArgumentException e) {
            problems.add(entry.keyNode(), path, Kind.BAD_VALUE, e.getMessage());
            return null;
        }
    }

    private Long positive(Node node, String path) {
        Long v = YamlNodes.integer(node, path, problems);
        if (v != null && (v < 1 || v > 1_000_000_000L)) {
            problems.add(node, path, Kind.BAD_VALUE, "must be between 1 and 1000000000, was " + v);
            return null;
        }
        return v;
    }

    /**
     * The IPv4 and IPv6 prefix lengths of {@code ip_prefix}: {@code ip_prefix: {v4: 32, v6: 64}}, or the
     * older spelling {@code ipv4_prefix} / {@code ipv6_prefix}; /24 and /64 unless given.
     */
    private int[] prefixLengths(Map<String, Field> f, String path) {
        Field lengths = f.get("ip_prefix");
        if (lengths == null) {
            return new int[] {prefix(f.get("ipv4_prefix"), path + ".ipv4_prefix", LimitSpec.DEFAULT_IPV4_PREFIX, 32),
                    prefix(f.get("ipv6_prefix"), path + ".ipv6_prefix", LimitSpec.DEFAULT_IPV6_PREFIX, 128)};
        }
        for (String old : List.of("ipv4_prefix", "ipv6_prefix")) {
            if (f.containsKey(old)) {
                problems.add(f.get(old).keyNode(), path + "." + old, Kind.BAD_VALUE, "'" + old + "' is the older spelling of ip_prefix: {"
                        + old.substring(2, 4) + ": …}; write the lengths once, in ip_prefix");
            }
        }
        String at = path + ".ip_prefix";
        Map<String, Field> m = YamlNodes.mapping(lengths.value(), at, problems);
        if (m == null) {
            return new int[] {LimitSpec.DEFAULT_IPV4_PREFIX, LimitSpec.DEFAULT_IPV6_PREFIX};
        }
        YamlNodes.checkKeys(m, IP_PREFIX_KEYS, at, problems);
        if (m.isEmpty()) {
            problems.add(lengths.value(), at, Kind.BAD_VALUE, "ip_prefix needs a length for v4, v6 or both, e.g. {v4: 32, v6: 64}");
        }
        return new int[] {prefix(m.get("v4"), at + ".v4", LimitSpec.DEFAULT_IPV4_PREFIX, 32),
                prefix(m.get("v6"), at + ".v6", LimitSpec.DEFAULT_IPV6_PREFIX, 128)};
    }

    private int prefix(Field field, String path, int fallback, int max) {
        if (field == null) {
            return fallback;
        }
        Long v = YamlNodes.integer(field.value(), path, problems);
        if (v != null && (v < 0 || v > max)) {
            problems.add(field.value(), path, Kind.BAD_VALUE, "a prefix length is 0.." + max + ", was " + v);
            return fallback;
        }
        return v == null ? fallback : v.intValue();
    }

    private Rule defaultRule(Node node, Map<String, LimitSpec> limits) {
        Map<String, Field> f;
        if (node instanceof ScalarNode) {
            f = new LinkedHashMap<>();
            f.put("action", new Field("action", node, node));
        } else {
            f = YamlNodes.mapping(node, "default", problems);
            if (f == null) {
                return null;
            }
            YamlNodes.checkKeys(f, DEFAULT_KEYS, "default", problems);
        }
        Verdict verdict = verdict(f, node, "default");
        return verdict == null ? null : action(f, "default", verdict.id(), "default/" + verdict.id(), null, Condition.ALWAYS, verdict,
                false, limits, node);
    }

    private Rule rule(Node node, String path, Map<String, LimitSpec> limits, Map<String, Node> names) {
        Map<String, Field> f = YamlNodes.mapping(node, path, problems);
        if (f == null) {
            return null;
        }
        YamlNodes.checkKeys(f, RULE_KEYS, path, problems);
        YamlNodes.require(f, "name", node, path, problems);
        String name = f.containsKey("name") ? YamlNodes.string(f.get("name").value(), path + ".name", problems) : null;
        if (name != null) {
            Node nameNode = f.get("name").value();
            if (!RULE_NAME.matcher(name).matches()) {
                problems.add(nameNode, path + ".name", Kind.BAD_VALUE, "rule name '" + name
                        + "' must be letters, digits, '.', '_' or '-' (at most 64), starting with a letter or digit");
            } else if (names.containsKey(name)) {
                problems.add(nameNode, path + ".name", Kind.DUPLICATE_NAME, "rule name '" + name + "' is already used at line "
                        + (names.get(name).getStartMark().getLine() + 1));
            } else {
                names.put(name, nameNode);
            }
            path = path + "(" + name + ")";
        }
        String description = f.containsKey("description") ? YamlNodes.string(f.get("description").value(), path + ".description", problems) : null;
        Condition condition = Condition.ALWAYS;
        if (f.containsKey("when")) {
            condition = conditions.parse(f.get("when").value(), path + ".when");
        }
        boolean shadow = false;
        if (f.containsKey("shadow")) {
            Boolean b = YamlNodes.bool(f.get("shadow").value(), path + ".shadow", problems);
            shadow = Boolean.TRUE.equals(b);
        }
        Verdict verdict = verdict(f, node, path);
        if (verdict == null) {
            return null;
        }
        // the action's keys are checked even when the name or condition is broken, so every problem shows at once
        Rule rule = action(f, path, name == null ? "?" : name, "rule/" + name, description,
                condition == null ? Condition.ALWAYS : condition, verdict, shadow, limits, node);
        return name == null || condition == null ? null : rule;
    }

    private Verdict verdict(Map<String, Field> f, Node owner, String path) {
        Field action = f.get("action");
        if (action == null) {
            problems.add(owner, path, Kind.MISSING_KEY, "missing required key 'action' (allow, block, rate_limit or challenge)");
            return null;
        }
        String v = YamlNodes.string(action.value(), path + ".action", problems);
        Verdict verdict = v == null ? null : Verdict.byId(v);
        if (v != null && verdict == null) {
            problems.add(action.value(), path + ".action", Kind.BAD_VALUE, "action '" + v + "' is not one of allow, block, rate_limit, challenge"
                    + DidYouMean.suggest(v, VERDICTS));
        }
        return verdict;
    }

    /** Checks the keys that go with the verdict and builds the rule. */
    private Rule action(Map<String, Field> f, String path, String name, String id, String description, Condition condition,
                        Verdict verdict, boolean shadow, Map<String, LimitSpec> limits, Node node) {
        int before = problems.size();
        LimitSpec limit = null;
        if (verdict == Verdict.ALLOW) {
            for (String key : List.of("limit", "status", "message", "headers")) {
                if (f.containsKey(key)) {
                    problems.add(f.get(key).keyNode(), path + "." + key, Kind.BAD_VALUE, "'" + key + "' applies only to block, rate_limit or challenge");
                }
            }
        }
        if ((verdict == Verdict.BLOCK || verdict == Verdict.CHALLENGE) && f.containsKey("limit")) {
            problems.add(f.get("limit").keyNode(), path + ".limit", Kind.BAD_VALUE, "'limit' applies only to action rate_limit");
        }
        Decision.Challenge challenge = challenge(f, path, verdict);
        if (verdict == Verdict.RATE_LIMIT) {
            Field l = f.get("limit");
            if (l == null) {
                problems.add(node, path, Kind.MISSING_KEY, "action rate_limit needs 'limit: <name>' naming one of the policy's limits");
            } else {
                String limitName = YamlNodes.string(l.value(), path + ".limit", problems);
                if (limitName != null && !limits.containsKey(limitName)) {
                    problems.add(l.value(), path + ".limit", Kind.UNDEFINED_LIMIT, "limit '" + limitName + "' is not defined under limits"
                            + DidYouMean.suggest(limitName, limits.keySet())
                            + (limits.isEmpty() ? "" : "; defined: " + String.join(", ", limits.keySet())));
                }
                limit = limitName == null ? null : limits.get(limitName);
            }
        }
        int status = 0;
        if (f.containsKey("status")) {
            Long s = YamlNodes.integer(f.get("status").value(), path + ".status", problems);
            if (s != null && (s < 400 || s > 599)) {
                problems.add(f.get("status").value(), path + ".status", Kind.BAD_VALUE, "status must be an HTTP error status 400..599, was " + s);
            } else if (s != null) {
                status = s.intValue();
            }
        }
        String message = Rule.defaultMessage(verdict);
        if (verdict == Verdict.CHALLENGE && challenge == null) {
            return null; // its problems are reported
        }
        if (f.containsKey("message")) {
            Node m = f.get("message").value();
            String text = YamlNodes.string(m, path + ".message", problems);
            if (text != null) {
                for (String unknown : MessageTemplate.unknownPlaceholders(text)) {
                    problems.add(m, path + ".message", Kind.BAD_VALUE, "unknown placeholder {" + unknown + "}"
                            + DidYouMean.suggest(unknown, MessageTemplate.placeholderNames()) + "; use {rule}, {status}, {verdict}, {ip} or a signal name");
                }
                message = text;
            }
        }
        Map<String, String> headers = headers(f.get("headers"), path + ".headers");
        if (problems.size() > before || (verdict == Verdict.RATE_LIMIT && limit == null)) {
            return null;
        }
        int line = node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
        Verdict refusal = verdict == Verdict.RATE_LIMIT ? limit.onExceed() : verdict == Verdict.CHALLENGE ? challenge.fallback() : verdict;
        int shownStatus = status != 0 ? status : refusal == Verdict.RATE_LIMIT ? 429 : 403;
        MessageTemplate template = MessageTemplate.compile(message, name, shownStatus, refusal.id());
        return new Rule(name, id, description, condition, verdict, limit, shadow, status, template, headers, line, challenge);
    }

    /**
     * {@code difficulty} (leading zero bits, 1..32; absent = the configured {@code challenge.difficulty})
     * and {@code fallback} ({@code block} by default, or {@code rate_limit}) of a challenge; both only
     * with {@code action: challenge}. {@code null} for another verdict or when a value is wrong (reported).
     */
    private Decision.Challenge challenge(Map<String, Field> f, String path, Verdict verdict) {
        if (verdict != Verdict.CHALLENGE) {
            for (String key : List.of("difficulty", "fallback")) {
                if (f.containsKey(key)) {
                    problems.add(f.get(key).keyNode(), path + "." + key, Kind.BAD_VALUE, "'" + key + "' applies only to action challenge");
                }
            }
            return null;
        }
        int before = problems.size();
        int difficulty = 0;
        if (f.containsKey("difficulty")) {
            Node d = f.get("difficulty").value();
            Long v = YamlNodes.integer(d, path + ".difficulty", problems);
            if (v != null && (v < 1 || v > MAX_DIFFICULTY)) {
                problems.add(d, path + ".difficulty", Kind.BAD_VALUE, "difficulty is the number of leading zero bits, 1.."
                        + MAX_DIFFICULTY + ", was " + v + " (16 takes a browser about a second, each bit doubles it)");
            } else if (v != null) {
                difficulty = v.intValue();
            }
        }
        Verdict fallback = Verdict.BLOCK;
        if (f.containsKey("fallback")) {
            Node n = f.get("fallback").value();
            String v = YamlNodes.string(n, path + ".fallback", problems);
            if ("rate_limit".equals(v)) {
                fallback = Verdict.RATE_LIMIT;
            } else if (v != null && !v.equals("block")) {
                problems.add(n, path + ".fallback", Kind.BAD_VALUE, "fallback is block (403) or rate_limit (429), not '" + v + "'"
                        + DidYouMean.suggest(v, CHALLENGE_FALLBACKS));
            }
        }
        return problems.size() > before ? null : new Decision.Challenge(difficulty, fallback);
    }

    private Map<String, String> headers(Field field, String path) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (field == null) {
            return headers;
        }
        Map<String, Field> f = YamlNodes.mapping(field.value(), path, problems);
        if (f == null) {
            return headers;
        }
        for (Field h : f.values()) {
            if (!HEADER_NAME.matcher(h.key()).matches()) {
                problems.add(h.keyNode(), path, Kind.BAD_VALUE, "'" + h.key() + "' is not a valid header name");
                continue;
            }
            String v = YamlNodes.string(h.value(), path + "." + h.key(), problems);
            if (v == null) {
                continue;
            }
            if (v.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                problems.add(h.value(), path + "." + h.key(), Kind.BAD_VALUE, "header values must not contain control characters");
                continue;
            }
            headers.put(h.key(), v);
        }
        return headers;
    }
}
