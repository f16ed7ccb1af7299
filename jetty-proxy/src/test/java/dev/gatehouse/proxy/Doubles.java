package dev.gatehouse.proxy;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.IpAddress;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Test doubles shared by the proxy and CLI tests, standing in for the embedded engine and the YAML
 * policy: one Tor exit, and a policy that blocks Tor, blocks {@code /blocked}, rate-limits {@code /limited}.
 */
public final class Doubles {

    /** The address the fake engine calls a Tor exit. */
    public static final String TOR_IP = "5.2.67.226";
    public static final Instant DATA_AS_OF = Instant.parse("2026-11-25T00:00:00Z");

    private Doubles() {
    }

    /** Says {@code tor=true} (source {@code embedded:tor}, score 80) for {@link #TOR_IP}, nothing else for others. */
    public static IntelligenceEngine engine() {
        return facts -> CompletableFuture.completedFuture(signals(facts.clientIp()));
    }

    public static Signals signals(IpAddress ip) {
        Signals.Builder b = Signals.builder(ip)
                .source(new Signals.SourceStatus("embedded:tor", DATA_AS_OF, null));
        if (ip.equals(IpAddress.parse(TOR_IP))) {
            b.put(Signal.TOR, true, "embedded:tor")
                    .put(Signal.THREAT_SCORE, 80, "scoring")
                    .contribution(new Signals.ScoreContribution("tor exit", 80, "embedded:tor"));
        }
        return b.build();
    }

    /** Blocks Tor ({@code rule/block-tor}) and {@code /blocked}; rate-limits {@code /limited}; allows the rest. */
    public static Policy policy() {
        return new Policy() {
            @Override
            public Decision evaluate(RequestFacts request, Signals signals) {
                if (signals.isTrue(Signal.TOR)) {
                    return block("rule/block-tor", signals, "tor == true (was true, embedded:tor)");
                }
                if (request.path().equals("/blocked")) {
                    return block("rule/block-path", signals, "request.path == /blocked");
                }
                if (request.path().equals("/limited")) {
                    return new Decision(Verdict.RATE_LIMIT, "rule/limit-demo",
                            new Decision.Response(429, Map.of("Retry-After", "7", "RateLimit-Policy", "\"demo\";q=1;w=60",
                                    "RateLimit", "\"demo\";r=0;t=7"), "Too many requests"),
                            null, signals, List.of(new Decision.TraceStep("limit-demo", true, "request.path == /limited")),
                            Decision.Timings.NONE);
                }
                return new Decision(Verdict.ALLOW, "default/allow", Decision.Response.PASS, null, signals,
                        List.of(new Decision.TraceStep("block-tor", false, "tor == true (was absent)")), Decision.Timings.NONE);
            }

            @Override
            public String name() {
                return "doubles.yaml";
            }

            @Override
            public String version() {
                return "test-1";
            }
        };
    }

    private static Decision block(String rule, Signals signals, String why) {
        return new Decision(Verdict.BLOCK, rule, new Decision.Response(403, Map.of(), "Access denied"), null, signals,
                List.of(new Decision.TraceStep(rule.substring(5), true, why)), Decision.Timings.NONE);
    }
}
