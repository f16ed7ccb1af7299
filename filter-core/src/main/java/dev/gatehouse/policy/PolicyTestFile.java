package dev.gatehouse.policy;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.Cidr;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.policy.PolicyProblem.Kind;
import dev.gatehouse.policy.YamlNodes.Field;
import dev.gatehouse.text.DidYouMean;
import org.yaml.snakeyaml.nodes.Node;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/** A parsed policy test file: which policy, and its cases. */
record PolicyTestFile(Path policy, List<Case> cases) {

    /** One request of a case and what the engine knew about it. */
    record Given(RequestFacts request, Signals signals) {}

    static final List<String> TOP_KEYS = List.of("policy", "tests");
    static final List<String> CASE_KEYS = List.of("name", "given", "repeat", "rotate_ip", "expect");
    static final List<String> EXPECT_KEYS = List.of("verdict", "rule", "status", "shadowed");
    static final String DEFAULT_IP = "192.0.2.1";

    /**
     * One case.
     *
     * @param repeat   how many requests to send (the expectation is about the last)
     * @param rotateIp {@code null}, or the prefix whose addresses the repeated requests come from, one
     *                 address each, spread evenly over it (an IPv6 client rotating through its /64, or
     *                 through the /64s of its /48)
     * @param at       the case's request and signals from another address
     */
    record Case(String name, int line, int column, RequestFacts request, Signals signals, int repeat, Cidr rotateIp,
                Function<IpAddress, Given> at, Verdict verdict, String rule, Integer status, Verdict shadowed) {

        /** The {@code n}th request (from 0) of the case. */
        Given request(int n) {
            return rotateIp == null ? new Given(request, signals) : at.apply(address(rotateIp, n, repeat));
        }

        /** The {@code n}th of {@code count} addresses spread evenly over {@code cidr}. */
        static IpAddress address(Cidr cidr, int n, int count) {
            int hostBits = cidr.network().bitLength() - cidr.prefixLength();
            BigInteger offset = BigInteger.ONE.shiftLeft(hostBits).multiply(BigInteger.valueOf(n)).divide(BigInteger.valueOf(count));
            IpAddress network = cidr.network();
            if (network.isV4()) {
                return IpAddress.ofV4((int) (Integer.toUnsignedLong(network.v4()) + offset.longValue()));
            }
            BigInteger value = new BigInteger(1, network.toBytes()).add(offset);
            return IpAddress.ofV6(value.shiftRight(64).longValue(), value.longValue());
        }

        String expectation() {
            String s = verdict.id() + (rule == null ? "" : " (" + rule + ")");
            if (status != null) {
                s += " status " + status;
            }
            if (shadowed != null) {
                s += ", shadowed " + shadowed.id();
            }
            return s;
        }

        /** What differs, or {@code null} when the decision is as expected. */
        String mismatch(Decision d) {
            List<String> wrong = new ArrayList<>();
            if (d.verdict() != verdict) {
                wrong.add("verdict");
            }
            if (rule != null && !rule.equals(d.rule())) {
                wrong.add("rule");
            }
            if (status != null && status != d.response().status()) {
                wrong.add("status");
            }
            if (shadowed != null && shadowed != d.shadowed()) {
                wrong.add("shadowed");
            }
            return wrong.isEmpty() ? null : "differs in: " + String.join(", ", wrong);
        }
    }

    static PolicyTestFile read(Path file) {
        Problems problems = new Problems(file.toString());
        Node root = YamlNodes.compose(PolicyLoader.read(file), problems);
        problems.throwIfAny();
        Map<String, Field> top = YamlNodes.mapping(root, "", problems);
        problems.throwIfAny();
        YamlNodes.checkKeys(top, TOP_KEYS, "", problems);
        YamlNodes.require(top, "policy", root, "", problems);
        YamlNodes.require(top, "tests", root, "", problems);
        Path policy = null;
        if (top.containsKey("policy")) {
            String name = YamlNodes.string(top.get("policy").value(), "policy", problems);
            policy = name == null ? null : file.toAbsolutePath().getParent().resolve(name).normalize();
        }
        List<Case> cases = new ArrayList<>();
        if (top.containsKey("tests")) {
            List<Node> items = YamlNodes.list(top.get("tests").value(), "tests", problems);
            for (int i = 0; items != null && i < items.size(); i++) {
                Case c = testCase(items.get(i), "tests[" + i + "]", problems);
                if (c != null) {
                    cases.add(c);
                }
            }
        }
        problems.throwIfAny();
        return new PolicyTestFile(policy, List.copyOf(cases));
    }

    private static Case testCase(Node node, String path, Problems problems) {
        Map<String, Field> f = YamlNodes.mapping(node, path, problems);
        if (f == null) {
            return null;
        }
        int before = problems.size();
        YamlNodes.checkKeys(f, CASE_KEYS, path, problems);
        YamlNodes.require(f, "name", node, path, problems);
        YamlNodes.require(f, "expect", node, path, problems);
        String name = f.containsKey("name") ? YamlNodes.string(f.get("name").value(), path + ".name", problems) : null;
        int repeat = 1;
        if (f.containsKey("repeat")) {
            Long r = YamlNodes.integer(f.get("repeat").value(), path + ".repeat", problems);
            if (r != null && (r < 1 || r > 100_000)) {
                problems.add(f.get("repeat").value(), path + ".repeat", Kind.BAD_VALUE, "repeat is 1..100000, was " + r);
            } else if (r != null) {
                repeat = r.intValue();
            }
        }
        IpAddress ip = IpAddress.parse(DEFAULT_IP);
        Map<String, Field> given = f.containsKey("given") ? YamlNodes.mapping(f.get("given").value(), path + ".given", problems) : Map.of();
        if (given != null && given.containsKey("ip")) {
            String text = YamlNodes.string(given.get("ip").value(), path + ".given.ip", problems);
            try {
                ip = text == null ? ip : IpAddress.parse(text);
            } catch (IllegalArgumentException e) {
                problems.add(given.get("ip").value(), path + ".given.ip", Kind.BAD_VALUE, e.getMessage());
            }
        }
        Cidr rotateIp = null;
        if (f.containsKey("rotate_ip")) {
            Node r = f.get("rotate_ip").value();
            String text = YamlNodes.string(r, path + ".rotate_ip", problems);
            try {
                rotateIp = text == null ? null : Cidr.parse(text);
            } catch (IllegalArgumentException e) {
                problems.add(r, path + ".rotate_ip", Kind.BAD_CIDR, e.getMessage());
            }
            if (given != null && given.containsKey("ip")) {
                problems.add(r, path + ".rotate_ip", Kind.BAD_VALUE, "rotate_ip gives every request its address: drop given.ip");
            }
        }
        List<Field> givenFields = given == null ? List.of() : List.copyOf(given.values());
        Given base = given(givenFields, ip, path, problems);
        Problems replay = new Problems(problems.file()); // problems of the given values are reported once, above
        Function<IpAddress, Given> at = address -> given(givenFields, address, path, replay);
        Verdict verdict = null;
        String rule = null;
        Integer status = null;
        Verdict shadowed = null;
        Map<String, Field> expect = f.containsKey("expect") ? YamlNodes.mapping(f.get("expect").value(), path + ".expect", problems) : null;
        if (expect != null) {
            YamlNodes.checkKeys(expect, EXPECT_KEYS, path + ".expect", problems);
            YamlNodes.require(expect, "verdict", f.get("expect").value(), path + ".expect", problems);
            verdict = expect.containsKey("verdict") ? verdict(expect.get("verdict").value(), path + ".expect.verdict", problems) : null;
            shadowed = expect.containsKey("shadowed") ? verdict(expect.get("shadowed").value(), path + ".expect.shadowed", problems) : null;
            if (expect.containsKey("rule")) {
                String r = YamlNodes.string(expect.get("rule").value(), path + ".expect.rule", problems);
                rule = r == null ? null : PolicyTestRunner.ruleId(r);
            }
            if (expect.containsKey("status")) {
                Long s = YamlNodes.integer(expect.get("status").value(), path + ".expect.status", problems);
                status = s == null ? null : s.intValue();
            }
        }
        if (problems.size() > before || verdict == null) {
            return null;
        }
        int line = node.getStartMark().getLine() + 1;
        int column = node.getStartMark().getColumn() + 1;
        return new Case(name, line, column, base.request(), base.signals(), repeat, rotateIp, at, verdict, rule, status, shadowed);
    }

    private static Given given(List<Field> fields, IpAddress ip, String path, Problems problems) {
        RequestFacts.Builder request = RequestFacts.builder(ip);
        Signals.Builder signals = Signals.builder(ip);
        for (Field g : fields) {
            given(g, path + ".given." + g.key(), request, signals, problems);
        }
        return new Given(request.build(), signals.build());
    }

    private static Verdict verdict(Node node, String path, Problems problems) {
        String v = YamlNodes.string(node, path, problems);
        Verdict verdict = v == null ? null : Verdict.byId(v);
        if (v != null && verdict == null) {
            problems.add(node, path, Kind.BAD_VALUE, "'" + v + "' is not one of allow, block, rate_limit, challenge" + DidYouMean.suggest(v, PolicyParser.VERDICTS));
        }
        return verdict;
    }

    private static void given(Field g, String path, RequestFacts.Builder request, Signals.Builder signals, Problems problems) {
        String key = g.key();
        if (key.equals("ip")) {
            return;
        }
        if (key.startsWith("request.")) {
            String value = YamlNodes.string(g.value(), path, problems);
            if (value == null) {
                return;
            }
            switch (key) {
                case "request.method" -> request.method(value);
                case "request.host" -> request.host(value);
                case "request.path" -> request.path(value);
                case "request.user_agent" -> request.userAgent(value);
                default -> {
                    if (key.startsWith("request.header.") && key.length() > "request.header.".length()) {
                        request.header(key.substring("request.header.".length()), value);
                    } else {
                        problems.add(g.keyNode(), path, Kind.UNKNOWN_SIGNAL, "unknown request attribute '" + key + "'"
                                + DidYouMean.suggest(key, ConditionParser.REQUEST_ATTRIBUTES));
                    }
                }
            }
            return;
        }
        Signal signal = Signal.byId(key);
        if (signal == null || !signal.id().equals(key)) {
            TreeSet<String> names = new TreeSet<>(Signal.ids());
            names.addAll(ConditionParser.REQUEST_ATTRIBUTES);
            problems.add(g.keyNode(), path, Kind.UNKNOWN_SIGNAL, "unknown signal '" + key + "'" + DidYouMean.suggest(key, names));
            return;
        }
        Object value = switch (signal.type()) {
            case BOOLEAN -> YamlNodes.bool(g.value(), path, problems);
            case INTEGER -> {
                Long v = YamlNodes.integer(g.value(), path, problems);
                yield v == null ? null : (Object) (int) (long) v;
            }
            case STRING -> YamlNodes.string(g.value(), path, problems);
        };
        if (value != null) {
            signals.put(signal, value, "given");
        }
    }
}
