package dev.gatehouse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Signals;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.TreeMap;

/**
 * The JSON forms of signals and decisions shared by {@code lookup}, {@code explain}, the admin API and
 * the filter's debug header. Output is one compact line (a header value must not contain newlines);
 * {@link #pretty(String)} indents it for people.
 *
 * <p>Signals, e.g. for a Tor exit:
 * <pre>{@code
 * {"ip":{"value":"5.2.67.226","sources":["request"]},
 *  "ip_version":{"value":4,"sources":["request"]},
 *  "tor":{"value":true,"sources":["embedded:tor"]},
 *  "threat_score":{"value":60,"sources":["scoring"]},
 *  "sources":{"embedded:tor":{"data_as_of":"2026-11-24T00:00:00Z","age_seconds":36000,"problem":null}},
 *  "contributions":[{"reason":"tor exit","points":60,"source":"embedded:tor"}],
 *  "notes":[]}
 * }</pre>
 * Only signals some source spoke about appear (an absent boolean means no source said {@code true}).
 * When remote providers answered, {@code answers} holds each one's own answer beside the fused values:
 * {@code "answers":{"provider:ipintel":{"signals":{"threat_score":22,"confidence":100,…},"raw":{"status":"safe",…}}}}.
 *
 * <p>A decision: {@code verdict}, {@code rule}, {@code shadowed}, {@code response} ({@code status},
 * {@code headers}, {@code message}), {@code signals} (as above), {@code trace} and {@code timings}
 * ({@code engine_ms}, {@code policy_ms}, {@code total_ms}, {@code budget_exceeded}).
 */
public final class DecisionJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DecisionJson() {
    }

    /** One object keyed by the signal names of the design contract, plus {@code sources} with data ages. */
    public static String signals(Signals signals, Instant now) {
        return write(signalsNode(signals, now));
    }

    /** {@code verdict}, {@code rule}, {@code signals} (as {@link #signals}), {@code trace}, {@code timings}. */
    public static String decision(Decision decision, Instant now) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("verdict", decision.verdict().id());
        root.put("rule", decision.rule());
        if (decision.shadowed() == null) {
            root.putNull("shadowed");
        } else {
            root.put("shadowed", decision.shadowed().id());
        }
        ObjectNode response = root.putObject("response");
        response.put("status", decision.response().status());
        ObjectNode headers = response.putObject("headers");
        new TreeMap<>(decision.response().headers()).forEach(headers::put);
        response.put("message", decision.response().message());
        root.set("signals", signalsNode(decision.signals(), now));
        ArrayNode trace = root.putArray("trace");
        for (Decision.TraceStep step : decision.trace()) {
            ObjectNode s = trace.addObject();
            s.put("rule", step.rule());
            s.put("matched", step.matched());
            s.put("detail", step.detail());
        }
        ObjectNode timings = root.putObject("timings");
        Decision.Timings t = decision.timings();
        timings.put("engine_ms", millis(t.engineNanos()));
        timings.put("policy_ms", millis(t.policyNanos()));
        timings.put("total_ms", millis(t.totalNanos()));
        timings.put("budget_exceeded", t.budgetExceeded());
        return write(root);
    }

    /** The same JSON, indented for a terminal. */
    public static String pretty(String json) {
        try {
            return PRETTY.writeValueAsString(MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static ObjectNode signalsNode(Signals signals, Instant now) {
        ObjectNode root = MAPPER.createObjectNode();
        for (Signals.Observation o : signals.observations()) {
            ObjectNode entry = root.putObject(o.signal().id());
            Object value = o.value();
            if (value instanceof Boolean b) {
                entry.put("value", b);
            } else if (value instanceof Integer i) {
                entry.put("value", i);
            } else {
                entry.put("value", value.toString());
            }
            ArrayNode sources = entry.putArray("sources");
            o.sources().forEach(sources::add);
        }
        ObjectNode sources = root.putObject("sources");
        for (Signals.SourceStatus status : signals.sources()) {
            ObjectNode s = sources.putObject(status.name());
            Duration age = status.ageAt(now);
            if (status.dataAsOf() == null) {
                s.putNull("data_as_of");
                s.putNull("age_seconds");
            } else {
                s.put("data_as_of", status.dataAsOf().toString());
                s.put("age_seconds", age.getSeconds());
            }
            if (status.problem() == null) {
                s.putNull("problem");
            } else {
                s.put("problem", status.problem());
            }
        }
        ArrayNode contributions = root.putArray("contributions");
        for (Signals.ScoreContribution c : signals.contributions()) {
            ObjectNode n = contributions.addObject();
            n.put("reason", c.reason());
            n.put("points", c.points());
            n.put("source", c.source());
        }
        ArrayNode notes = root.putArray("notes");
        signals.notes().forEach(notes::add);
        if (!signals.answers().isEmpty()) {
            // each remote provider's own answer beside the fused values: mapped to signal names, and as it sent them
            ObjectNode answers = root.putObject("answers");
            for (Signals.SourceAnswer answer : signals.answers()) {
                ObjectNode a = answers.putObject(answer.source());
                ObjectNode values = a.putObject("signals");
                answer.values().forEach((signal, value) -> values.set(signal.id(), MAPPER.valueToTree(value)));
                ObjectNode raw = a.putObject("raw");
                answer.raw().forEach((field, value) -> raw.set(field, MAPPER.valueToTree(value)));
            }
        }
        return root;
    }

    private static double millis(long nanos) {
        // Three decimals: microsecond resolution is what a person reading a trace can use.
        return Math.round(nanos / 1_000.0) / 1_000.0;
    }

    private static String write(ObjectNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
