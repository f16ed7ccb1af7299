package dev.gatehouse.engine.provider;

import dev.gatehouse.api.Enricher;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The last provider layer: fuses the providers' own answers ({@link Signals#answers()}) into the
 * signals, by the rule of docs/scoring.md ("Fusing several sources"):
 * <ul>
 *   <li>a boolean is true when the weights of the providers that said {@code true} are at least those
 *       that said {@code false} (a provider that did not mention it does not vote); a {@code true}
 *       from the embedded data or our own verification is kept;</li>
 *   <li>a value (ASN, country, provider names…) already known from the embedded data is kept;
 *       otherwise the heaviest provider that gave one wins;</li>
 *   <li>{@code threat_score} is the mean of the providers' scores weighted by weight × confidence; each
 *       provider's share is a trace line; {@code confidence} is the weight-averaged confidence, +10
 *       when two or more providers agree within 20 points;</li>
 *   <li>a provider's verified bot becomes {@code bot_verified=verified}, {@code bot_verified_by=provider}
 *       only when our own verification did not decide (absent, {@code none} or {@code unknown}).</li>
 * </ul>
 * The scoring table runs after this ({@code Scoring}), and keeps the providers' score when it is
 * higher than the table's.
 */
final class Fusion implements Enricher {

    static final String NAME = "fusion";
    static final int AGREEMENT_BONUS = 10;
    static final int AGREEMENT_SPREAD = 20;

    private static final Signal[] FLAGS = {Signal.BOGON, Signal.TOR, Signal.VPN, Signal.PROXY, Signal.RELAY, Signal.HOSTING,
            Signal.ATTACKER, Signal.KNOWN_BOT};
    private static final Signal[] VALUES = {Signal.ASN, Signal.AS_ORG, Signal.AS_ROUTE, Signal.COUNTRY, Signal.VPN_PROVIDER,
            Signal.PROXY_TYPE, Signal.RELAY_PROVIDER, Signal.HOSTING_PROVIDER, Signal.BOT_NAME, Signal.BOT_CATEGORY};

    private final Map<String, Double> weights; // by source, provider:<name>

    Fusion(Map<String, Double> weights) {
        this.weights = Map.copyOf(weights);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public CompletionStage<Signals> enrich(RequestFacts facts, Signals known) {
        return CompletableFuture.completedFuture(fuse(known));
    }

    Signals fuse(Signals known) {
        List<Signals.SourceAnswer> answers = new ArrayList<>(known.answers().size());
        for (Signals.SourceAnswer a : known.answers()) {
            if (weights.containsKey(a.source())) {
                answers.add(a);
            }
        }
        if (answers.isEmpty()) {
            return known;
        }
        Signals.Builder b = known.toBuilder();
        for (Signal flag : FLAGS) {
            double yes = 0;
            double no = 0;
            for (Signals.SourceAnswer a : answers) {
                Object v = a.values().get(flag);
                if (Boolean.TRUE.equals(v)) {
                    yes += weight(a);
                } else if (Boolean.FALSE.equals(v)) {
                    no += weight(a);
                }
            }
            if (yes > 0 && yes >= no) {
                for (Signals.SourceAnswer a : answers) {
                    if (Boolean.TRUE.equals(a.values().get(flag))) {
                        b.put(flag, Boolean.TRUE, a.source());
                    }
                }
            }
        }
        for (Signal signal : VALUES) {
            Object current = known.value(signal);
            Signals.SourceAnswer best = null;
            for (Signals.SourceAnswer a : answers) {
                Object v = a.values().get(signal);
                if (v == null) {
                    continue;
                }
                if (current != null) {
                    if (same(current, v)) {
                        b.put(signal, current, a.source()); // agreement: the source joins the value's sources
                    }
                } else if (best == null || weight(a) > weight(best)) {
                    best = a;
                }
            }
            if (best != null) {
                b.put(signal, best.values().get(signal), best.source());
            }
        }
        verification(known, answers, b);
        score(answers, b);
        return b.build();
    }

    private void verification(Signals known, List<Signals.SourceAnswer> answers, Signals.Builder b) {
        String ours = known.string(Signal.BOT_VERIFIED);
        if (ours != null && !"none".equals(ours) && !"unknown".equals(ours)) {
            return; // our own verification decided: a provider does not overrule it
        }
        for (Signals.SourceAnswer a : answers) {
            if ("verified".equals(a.values().get(Signal.BOT_VERIFIED))) {
                b.put(Signal.BOT_VERIFIED, "verified", a.source());
                b.put(Signal.BOT_VERIFIED_BY, "provider", a.source());
                b.put(Signal.KNOWN_BOT, Boolean.TRUE, a.source());
                if (b.value(Signal.BOT_NAME) == null) {
                    b.put(Signal.BOT_NAME, a.values().get(Signal.BOT_NAME), a.source());
                }
                return;
            }
        }
    }

    private void score(List<Signals.SourceAnswer> answers, Signals.Builder b) {
        double total = 0;
        double weighted = 0;
        double weightSum = 0;
        double confidenceSum = 0;
        int min = 100;
        int max = 0;
        List<Signals.SourceAnswer> scored = new ArrayList<>(answers.size());
        for (Signals.SourceAnswer a : answers) {
            if (a.values().get(Signal.THREAT_SCORE) instanceof Integer s) {
                int c = confidence(a);
                double w = weight(a);
                total += w * c;
                weighted += w * c * s;
                weightSum += w;
                confidenceSum += w * c;
                min = Math.min(min, s);
                max = Math.max(max, s);
                scored.add(a);
            }
        }
        if (scored.isEmpty() || total <= 0) {
            return;
        }
        int fused = (int) Math.round(weighted / total);
        List<String> sources = new ArrayList<>(scored.size());
        for (Signals.SourceAnswer a : scored) {
            int s = (Integer) a.values().get(Signal.THREAT_SCORE);
            int c = confidence(a);
            double w = weight(a);
            int points = (int) Math.round(w * c * s / total);
            b.contribution(new Signals.ScoreContribution(a.source() + " threat_score " + s + " (confidence " + c + ", weight "
                    + trim(w) + "): share of the providers' fused " + fused, points, a.source()));
            sources.add(a.source());
        }
        int confidence = (int) Math.round(confidenceSum / weightSum);
        if (scored.size() > 1 && max - min <= AGREEMENT_SPREAD) {
            confidence = Math.min(100, confidence + AGREEMENT_BONUS);
        }
        b.remove(Signal.THREAT_SCORE);
        b.remove(Signal.CONFIDENCE);
        for (String source : sources) {
            b.put(Signal.THREAT_SCORE, fused, source);
            b.put(Signal.CONFIDENCE, confidence, source);
        }
    }

    private double weight(Signals.SourceAnswer a) {
        return weights.getOrDefault(a.source(), 1.0);
    }

    private static int confidence(Signals.SourceAnswer a) {
        return a.values().get(Signal.CONFIDENCE) instanceof Integer c ? c : 50;
    }

    private static boolean same(Object a, Object b) {
        return a instanceof String x && b instanceof String y ? x.equalsIgnoreCase(y) : a.equals(b);
    }

    private static String trim(double w) {
        return w == Math.rint(w) ? String.valueOf((long) w) : String.valueOf(w);
    }
}
