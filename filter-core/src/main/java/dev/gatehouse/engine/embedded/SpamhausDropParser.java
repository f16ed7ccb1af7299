package dev.gatehouse.engine.embedded;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.time.Instant;

/**
 * Spamhaus DROP as NDJSON ({@code drop_v4.json}, {@code drop_v6.json}): one {@code {"cidr": …}}
 * object per line and a closing {@code {"type": "metadata", "timestamp": …}} line that dates the list.
 */
final class SpamhausDropParser {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SpamhausDropParser() {
    }

    static void parse(BufferedReader in, ParseSink sink) throws IOException {
        String raw;
        int line = 0;
        while ((raw = in.readLine()) != null) {
            line++;
            String text = raw.strip();
            if (text.isEmpty() || text.startsWith(";") || text.startsWith("#")) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                sink.problem(line, "not a JSON object: " + e.getOriginalMessage());
                continue;
            }
            if (node == null || !node.isObject()) {
                sink.problem(line, "not a JSON object: " + (text.length() > 60 ? text.substring(0, 60) + "…" : text));
                continue;
            }
            if ("metadata".equals(node.path("type").asText())) {
                long ts = node.path("timestamp").asLong(0);
                if (ts > 0) {
                    sink.dataAsOf = Instant.ofEpochSecond(ts);
                }
                continue;
            }
            JsonNode cidr = node.get("cidr");
            if (cidr == null || !cidr.isTextual()) {
                sink.problem(line, "object without a 'cidr' string");
                continue;
            }
            sink.prefix(cidr.asText().strip(), line);
        }
    }
}
