package dev.gatehouse.engine.embedded;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.Reader;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * The providers' published JSON range files, read with Jackson's streaming parser (no tree in memory).
 * Each {@link Shape} names the fields that hold prefixes (a string or an array of strings, at any
 * depth) and the field that dates the file.
 */
final class VendorJsonParser {

    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final DateTimeFormatter AWS_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss");

    /** One vendor's JSON layout. */
    enum Shape {
        /** {@code ip-ranges.amazonaws.com/ip-ranges.json}. */
        AWS(Set.of("ip_prefix", "ipv6_prefix"), "createDate"),
        /** Google's range files ({@code cloud.json}, {@code goog.json}, crawler files). */
        GOOGLE(Set.of("ipv4Prefix", "ipv6Prefix"), "creationTime"),
        /** {@code docs.oracle.com/iaas/tools/public_ip_ranges.json}. */
        ORACLE(Set.of("cidr"), "last_updated_timestamp"),
        /** {@code ip-ranges.atlassian.com}. */
        ATLASSIAN(Set.of("cidr"), "creationDate"),
        /** Bunny's edge server lists, {@code {ipv4: [...], ipv6: [...]}}. */
        BUNNY(Set.of("ipv4", "ipv6"), null),
        /** {@code prefixlists.tools.cdn77.com/public_lmax_prefixes.json}. */
        CDN77(Set.of("prefix"), "updated_at"),
        /** {@code api.fastly.com/public-ip-list}. */
        FASTLY(Set.of("addresses", "ipv6_addresses"), null),
        /** Imperva's {@code ips?resp_format=json}. */
        IMPERVA(Set.of("ipRanges", "ipv6Ranges"), null),
        /** Zscaler cloud enforcement nodes ({@code cenr/json}). */
        ZSCALER(Set.of("range", "svpnIPs"), null),
        /** Announced prefixes of a provider's ASNs, {@code {IPv4Prefixes: [...], IPv6Prefixes: [...]}}. */
        ASN_PREFIXES(Set.of("IPv4Prefixes", "IPv6Prefixes"), null),
        /**
         * Crawler range files: Google's layout, which Bing, OpenAI, Apple, Anthropic, Perplexity and
         * DuckDuckGo copy, and ipverse's {@code services.NAME.ipv4/ipv6} arrays.
         */
        CRAWLER(Set.of("ipv4Prefix", "ipv6Prefix", "ipv4", "ipv6"), "creationTime");

        final Set<String> prefixFields;
        final String dateField;

        Shape(Set<String> prefixFields, String dateField) {
            this.prefixFields = prefixFields;
            this.dateField = dateField;
        }
    }

    private VendorJsonParser() {
    }

    static void parse(Reader in, Shape shape, ParseSink sink) throws IOException {
        int found = 0;
        try (JsonParser p = JSON.createParser(in)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t != JsonToken.VALUE_STRING && t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                    continue;
                }
                String field = fieldOf(p.getParsingContext());
                if (field == null) {
                    continue;
                }
                int line = p.currentTokenLocation().getLineNr();
                if (shape.prefixFields.contains(field)) {
                    found++;
                    String text = TextListParser.clean(p.getText()); // Bing's file has carried zero-width spaces
                    if (text.isEmpty()) {
                        sink.problem(line, "empty '" + field + "' value");
                    } else {
                        sink.prefix(text, line);
                    }
                } else if (field.equals(shape.dateField) && sink.dataAsOf == null) {
                    sink.dataAsOf = parseDate(p.getText());
                    if (sink.dataAsOf == null) {
                        sink.problem(line, "unreadable date in '" + field + "': " + p.getText());
                    }
                }
            }
        } catch (JsonParseException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            sink.problem(line, "malformed JSON: " + e.getOriginalMessage());
            throw new MalformedDataException(sink.file + ":" + line + ": malformed JSON: " + e.getOriginalMessage());
        }
        if (found == 0) {
            sink.problem(0, "no " + shape.prefixFields + " fields: not a " + shape.name().toLowerCase(java.util.Locale.ROOT)
                    + " range file");
        }
    }

    /** The field a value belongs to: its own name, or the name of the array that holds it. */
    private static String fieldOf(JsonStreamContext ctx) {
        if (ctx.inArray()) {
            JsonStreamContext parent = ctx.getParent();
            return parent == null ? null : parent.getCurrentName();
        }
        return ctx.getCurrentName();
    }

    /** Reads the date styles vendors use; a bare date-time without offset is UTC. {@code null} when unreadable. */
    static Instant parseDate(String text) {
        String s = text.strip();
        try {
            if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
                long n = Long.parseLong(s);
                return n > 100_000_000_000L ? Instant.ofEpochMilli(n) : Instant.ofEpochSecond(n);
            }
            if (s.matches("\\d{4}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-\\d{2}")) {
                return LocalDateTime.parse(s, AWS_DATE).toInstant(ZoneOffset.UTC);
            }
            try {
                return OffsetDateTime.parse(s).toInstant();
            } catch (DateTimeParseException e) {
                return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
            }
        } catch (DateTimeParseException | NumberFormatException e) {
            return null;
        }
    }

    /** The file is not readable at all in its format: nothing from it can be used. */
    static final class MalformedDataException extends IOException {
        MalformedDataException(String message) {
            super(message);
        }
    }
}
