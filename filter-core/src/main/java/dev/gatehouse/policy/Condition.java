package dev.gatehouse.policy;

import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signals;

import java.util.List;
import java.util.StringJoiner;

/**
 * A compiled predicate over a request and its signals. {@link #test} is the hot path and allocates
 * nothing; {@link #explain} rebuilds the reasoning with values and sources, only when asked.
 */
interface Condition {

    boolean test(RequestFacts request, Signals signals);

    /** Why {@link #test} gives its result here: the deciding condition, with the values seen and their sources. */
    String explain(RequestFacts request, Signals signals);

    /** The condition as written, e.g. {@code tor: true}. */
    String text();

    /** True for a condition that holds for every request (a catch-all rule). */
    default boolean alwaysTrue() {
        return false;
    }

    /** Holds for every request: a rule without {@code when}. */
    Condition ALWAYS = new Condition() {
        @Override
        public boolean test(RequestFacts request, Signals signals) {
            return true;
        }

        @Override
        public String explain(RequestFacts request, Signals signals) {
            return "always (the rule has no conditions)";
        }

        @Override
        public String text() {
            return "always";
        }

        @Override
        public boolean alwaysTrue() {
            return true;
        }
    };

    /** Every child holds; the first that fails decides. */
    record All(Condition[] children) implements Condition {
        @Override
        public boolean test(RequestFacts request, Signals signals) {
            for (Condition c : children) {
                if (!c.test(request, signals)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String explain(RequestFacts request, Signals signals) {
            StringJoiner held = new StringJoiner(" and ");
            for (Condition c : children) {
                if (!c.test(request, signals)) {
                    return c.explain(request, signals);
                }
                held.add(c.explain(request, signals));
            }
            return held.toString();
        }

        @Override
        public String text() {
            return "all of " + texts(List.of(children));
        }

        @Override
        public boolean alwaysTrue() {
            for (Condition c : children) {
                if (!c.alwaysTrue()) {
                    return false;
                }
            }
            return true;
        }
    }

    /** At least one child holds; the first that holds decides. */
    record Any(Condition[] children) implements Condition {
        @Override
        public boolean test(RequestFacts request, Signals signals) {
            for (Condition c : children) {
                if (c.test(request, signals)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String explain(RequestFacts request, Signals signals) {
            StringJoiner failed = new StringJoiner("; ", "none held: ", "");
            for (Condition c : children) {
                if (c.test(request, signals)) {
                    return c.explain(request, signals);
                }
                failed.add(c.explain(request, signals));
            }
            return failed.toString();
        }

        @Override
        public String text() {
            return "any of " + texts(List.of(children));
        }

        @Override
        public boolean alwaysTrue() {
            for (Condition c : children) {
                if (c.alwaysTrue()) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The child does not hold. */
    record Not(Condition child) implements Condition {
        @Override
        public boolean test(RequestFacts request, Signals signals) {
            return !child.test(request, signals);
        }

        @Override
        public String explain(RequestFacts request, Signals signals) {
            return "not (" + child.explain(request, signals) + ")";
        }

        @Override
        public String text() {
            return "not (" + child.text() + ")";
        }
    }

    private static String texts(List<Condition> conditions) {
        StringJoiner j = new StringJoiner(", ", "[", "]");
        conditions.forEach(c -> j.add(c.text()));
        return j.toString();
    }
}
