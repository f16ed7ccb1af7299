package dev.gatehouse.proxy.cli;

import dev.gatehouse.Decision;
import dev.gatehouse.Verdict;
import dev.gatehouse.policy.Policy;

import java.util.List;

/** The stand-in policy for load tests while the default policy cannot load: everything is allowed. */
final class AllowAll {

    static final Policy POLICY = new Policy() {
        @Override
        public Decision evaluate(dev.gatehouse.RequestFacts request, dev.gatehouse.engine.Signals signals) {
            return new Decision(Verdict.ALLOW, "default/allow", Decision.Response.PASS, null, signals, List.of(), Decision.Timings.NONE);
        }

        @Override
        public String name() {
            return "<allow-all>";
        }

        @Override
        public String version() {
            return "allow-all";
        }
    };

    private AllowAll() {
    }
}
