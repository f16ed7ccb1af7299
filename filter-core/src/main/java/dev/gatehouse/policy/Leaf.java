package dev.gatehouse.policy;

import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.net.PrefixMap;

/** The conditions that test one value: a signal or a request attribute. */
final class Leaf {

    private Leaf() {
    }

    /** {@code tor: true}: an absent boolean is false. */
    record Flag(Signal signal, boolean expected) implements Condition {
        @Override
        public boolean test(RequestFacts request, Signals signals) {
            return signals.isTrue(signal) == expected;
        }

        @Override
        public String explain(RequestFacts request, Signals signals) {
            return text() + " → " + seen(signals, signal, "absent, so false");
        }

        @Override
        public String text() {
            return signal.id() + ": " + expected;
        }
    }

    /** {@code threat_score: ">= 80"}: an absent number matches no comparison. */
    record Compare(Signal signal, Op op, long bound) implements Condition {
        enum Op {
            GT(">"), GTE(">="), LT("<"), LTE("<="), EQ("=="), NE("!=");

            final String symbol;

            Op(String symbol) {
                this.symbol = symbol;
            }
        }

        @Override
        public boolean test(RequestFacts request, Signals signals) {
            if (!(signals.value(signal) instanceof Integer value)) {
                return false;
            }
            long v = value;
            return switch (op) {
                case GT -> v > bound;
                case GTE -> v >= bound;
                case LT -> v < bound;
                case LTE -> v <= bound;
                case EQ -> v == bound;
                case NE -> v != bound;
            };
        }

        @Override
        public String explain(RequestFacts request, Signals signals) {
            return text() + " → " + seen(signals, signal, "absent, so no comparison holds");
        }

        @Override
        public String text() {
            return signal.id() + " " + op.symbol + " " + bound;
        }
    }

    /** {@code asn: [13335, 16509]}. */
    record NumberIn(Signal signal, long[] values) implements Condition {
        @Override
        public boolean test(RequestFacts request, Signals signals) {
            if (!(signals.value(signal) instanceof Integer value)) {
                return false;
            }
            for (long v : values) {
                if (v == value) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String explain(RequestFacts request, Signals signals) {
            return text() + " → " + seen(signals, signal, "absent");
        }

        @Override
        public String text() {
            return signal.id() + " in " + java.util.Arrays.toString(values);
        }
    }

    /**
     * {@code country: [CN, RU]}, {@code bot_name: {regex: …}}. {@code absentAs} stands in for an absent
     * value ({@code none} for {@code bot_verified}), or {@code null}.
     */
    record Text(Signal signal, StringMatcher matcher, String absentAs) implements Condition {
        @Override
        public boolean test(RequestFacts request, Signals signals) {
            Object v = signals.value(signal);
            return matcher.matches(v == null ? absentAs : v.toString());
        }

        @Override
        public String explain(RequestFacts request, Signals signals) {
            return text() + " → " + seen(signals, signal, absentAs == null ? "absent" : "absent, so " + absentAs);
        }

        @Override
        public String text() {
            return signal.id() + ": " + matcher.text();
        }
    }

    /** {@code bot_name: {present: true}}. */
    record Present(Signal signal, boolean expected) implements Condition {
        @Override
        public boolean test(RequestFacts request, Signals signals) {
            return (signals.value(signal) != null) == expected;
        }

        @Override
        public String explain(RequestFacts request, Signals signals) {
            return text() + " → " + seen(signals, signal, "absent");
        }

        @Override
        public String text() {
            return signal.id() + (expected ? " is present" : " is absent");
        }
    }

    /** {@code ip: [192.0.2.0/24, …]} or from a file. */
    record IpIn(PrefixMap<Boolean> cidrs, String description) implements Condition {
        @Override
        public boolean test(RequestFacts request, Signals signals) {
            return cidrs.containsAddress(signals.ip());
        }

        @Override
        public String explain(RequestFacts request, Signals signals) {
            IpAddress ip = signals.ip();
            return text() + " → " + ip + (cidrs.containsAddress(ip) ? " is in the list" : " is not in the list") + " (request)";
        }

        @Override
        public String text() {
            return "ip in " + description;
        }
    }

    /** {@code request.path: /api/**}, {@code request.header.x-api-key: {present: true}}. */
    record Request(Attribute attribute, String header, StringMatcher matcher, Boolean present) implements Condition {
        enum Attribute { METHOD, HOST, PATH, USER_AGENT, HEADER }

        private String value(RequestFacts request) {
            return switch (attribute) {
                case METHOD -> request.method();
                case HOST -> request.host();
                case PATH -> request.path();
                case USER_AGENT -> request.header("user-agent");
                case HEADER -> request.header(header);
            };
        }

        @Override
        public boolean test(RequestFacts request, Signals signals) {
            String v = value(request);
            if (present != null) {
                return (v != null) == present;
            }
            return matcher.matches(v);
        }

        @Override
        public String explain(RequestFacts request, Signals signals) {
            String v = value(request);
            return text() + " → " + (v == null ? "absent" : "was \"" + clip(v) + "\"") + " (request)";
        }

        @Override
        public String text() {
            String name = attribute == Attribute.HEADER ? "request.header." + header
                    : "request." + attribute.name().toLowerCase(java.util.Locale.ROOT);
            if (present != null) {
                return name + (present ? " is present" : " is absent");
            }
            return name + ": " + matcher.text();
        }
    }

    static String seen(Signals signals, Signal signal, String whenAbsent) {
        Signals.Observation o = signals.observation(signal);
        if (o == null) {
            return whenAbsent;
        }
        return "was " + clip(String.valueOf(o.value())) + " (" + String.join(", ", o.sources()) + ")";
    }

    private static String clip(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "…" : s;
    }
}
