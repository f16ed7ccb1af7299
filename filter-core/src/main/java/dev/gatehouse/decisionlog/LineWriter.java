package dev.gatehouse.decisionlog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Turns an entry into one JSON line, reusing one generator's buffer: the writer thread owns it. Field
 * names and order are documented in {@code docs/decision-log.md}; a field that is unknown is left out.
 */
final class LineWriter {

    static final int MAX_UA = 256;
    static final int MAX_PATH = 512;
    static final int MAX_HOST = 256;
    static final int MAX_TEXT = 128;
    static final int MAX_SOURCES = 16;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII) // no U+2028, U+0085 or other line separator reaches the file raw
            .build();

    record Line(byte[] bytes, int length) {}

    private final Buffer buffer = new Buffer();

    Line line(long millis, DecisionLog.Entry e) throws IOException {
        buffer.reset();
        try (JsonGenerator g = JSON.createGenerator(buffer)) {
            Decision d = e.decision();
            Signals s = d.signals();
            g.writeStartObject();
            g.writeStringField("ts", Instant.ofEpochMilli(millis).toString());
            text(g, "request_id", e.requestId(), MAX_TEXT);
            g.writeStringField("client", s.ip().toString());
            text(g, "method", e.method(), 16);
            text(g, "host", e.host(), MAX_HOST);
            text(g, "path", e.path(), MAX_PATH);
            if (e.status() > 0) {
                g.writeNumberField("status", e.status());
            }
            g.writeStringField("verdict", d.verdict().id());
            if (d.shadowed() != null) {
                g.writeStringField("shadow", d.shadowed().id());
            }
            text(g, "rule", d.rule(), MAX_TEXT);
            text(g, "bot", s.string(Signal.BOT_NAME), MAX_TEXT);
            text(g, "bot_category", s.string(Signal.BOT_CATEGORY), 32);
            text(g, "bot_verified", s.string(Signal.BOT_VERIFIED), 32);
            g.writeNumberField("threat_score", s.threatScore());
            text(g, "ua", e.userAgent(), MAX_UA);
            Decision.Timings t = d.timings();
            g.writeObjectFieldStart("timings_ms");
            g.writeNumberField("engine", millis(t.engineNanos()));
            g.writeNumberField("policy", millis(t.policyNanos()));
            g.writeNumberField("total", millis(t.totalNanos()));
            g.writeEndObject();
            if (t.budgetExceeded()) {
                g.writeBooleanField("budget_exceeded", true);
            }
            Set<String> sources = new LinkedHashSet<>();
            for (Signals.Observation o : s.observations()) {
                for (String source : o.sources()) {
                    if (sources.size() < MAX_SOURCES) {
                        sources.add(cut(source, MAX_TEXT));
                    }
                }
            }
            if (!sources.isEmpty()) {
                g.writeArrayFieldStart("sources");
                for (String source : sources) {
                    g.writeString(source);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
        buffer.write('\n');
        return new Line(buffer.bytes(), buffer.size());
    }

    /** Milliseconds with three decimals, from nanoseconds. */
    private static double millis(long nanos) {
        return Math.round(nanos / 1_000.0) / 1_000.0;
    }

    private static void text(JsonGenerator g, String name, String value, int max) throws IOException {
        if (value != null) {
            g.writeStringField(name, cut(value, max));
        }
    }

    /** At most {@code max} characters, never a lone half of a surrogate pair; a cut value ends with {@code …}. */
    static String cut(String value, int max) {
        if (value.length() <= max) {
            return value;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(value.charAt(end - 1))) {
            end--;
        }
        return value.substring(0, end) + "…";
    }

    /** A byte buffer whose array is read without a copy. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(1024);
        }

        byte[] bytes() {
            return buf;
        }
    }
}
