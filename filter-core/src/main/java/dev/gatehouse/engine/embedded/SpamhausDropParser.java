package dev.gatehouse.engine.embedded;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.BufferedReader;
import java.io.IOException;
import java.time.Instant;

/**
 * Spamhaus DROP as NDJSON ({@code drop_v4.json}, {@code drop_v6.json}): one {@code {"cidr": …}}
 * object per line and a closing {@code {"type": "metadata", "timestamp": …}} line that dates the list.
 * Read with the streaming parser: the tree model's start-up cost was most of this list's load time.
 */
final class SpamhausDropParser {

    private static final JsonFactory JSON = JsonFactory.builder().build();

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
            String cidr = null;
            String type = null;
            long timestamp = 0;
            try (JsonParser p = JSON.createParser(text)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    sink.problem(line, "not a JSON object: " + shorten(text));
                    continue;
                }
                JsonToken t;
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                        p.skipChildren();
                    } else if ("cidr".equals(field) && value == JsonToken.VALUE_STRING) {
                        cidr = p.getText();
                    } else if ("type".equals(field)) {
                        type = p.getText();
                    } else if ("timestamp".equals(field) && value == JsonToken.VALUE_NUMBER_INT) {
                        timestamp = p.getLongValue();
                    }
                }
                if (t != JsonToken.END_OBJECT) {
                    sink.problem(line, "not a JSON object: " + shorten(text));
                    continue;
                }
            } catch (JsonProcessingException e) {
                sink.problem(line, "not a JSON object: " + e.getOriginalMessage());
                continue;
            }
            if ("metadata".equals(type)) {
                if (timestamp > 0) {
                    sink.dataAsOf = Instant.ofEpochSecond(timestamp);
                }
            } else if (cidr == null) {
                sink.problem(line, "object without a 'cidr' string");
            } else {
                sink.prefix(cidr.strip(), line);
            }
        }
    }

    private static String shorten(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "…" : text;
    }
}
