package dev.gatehouse.crawler;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.api.SharedCache;
import dev.gatehouse.net.IpAddress;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Reverse-DNS outcomes shared between the instances of a fleet through a {@link SharedCache}: an instance
 * that meets an address first checks DNS and writes the outcome; the others read it instead of asking
 * DNS again. Only definite outcomes are shared (confirmed for the verified TTL, refuted for the spoofed
 * TTL); an indeterminate one (a DNS timeout) stays local, so one instance's DNS trouble does not spread.
 *
 * <p>Encoding: JSON {@code {"result":"CONFIRMED","hostname":"…","note":"…"}} under namespace
 * {@value #NAMESPACE}, format version {@value #VERSION}; bump the version when the encoding changes.
 */
final class SharedOutcomes {

    static final String NAMESPACE = "crawler-rdns";
    static final int VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SharedCache shared;
    private final Duration verifiedTtl;
    private final Duration spoofedTtl;

    SharedOutcomes(SharedCache shared, Duration verifiedTtl, Duration spoofedTtl) {
        this.shared = shared;
        this.verifiedTtl = verifiedTtl;
        this.spoofedTtl = spoofedTtl;
    }

    /** The shared outcome for the address and suffixes, else {@code check}'s (shared when definite). */
    CompletableFuture<ForwardConfirmedRdns.Outcome> getOrCheck(IpAddress ip, List<String> suffixes,
                                                               Supplier<CompletableFuture<ForwardConfirmedRdns.Outcome>> check) {
        if (shared.isNone()) {
            return check.get();
        }
        SharedCache.Key key = new SharedCache.Key(NAMESPACE, VERSION, ip + "|" + String.join(",", suffixes));
        return shared.get(key).thenCompose(hit -> {
            Optional<ForwardConfirmedRdns.Outcome> known = hit.flatMap(e -> decode(e.value()));
            if (known.isPresent()) {
                return CompletableFuture.completedFuture(known.get());
            }
            return check.get().thenApply(outcome -> {
                switch (outcome.result()) {
                    case CONFIRMED -> shared.put(key, encode(outcome), verifiedTtl);
                    case REFUTED -> shared.put(key, encode(outcome), spoofedTtl);
                    case INDETERMINATE -> { }
                }
                return outcome;
            });
        });
    }

    static byte[] encode(ForwardConfirmedRdns.Outcome outcome) {
        ObjectNode node = JSON.createObjectNode().put("result", outcome.result().name());
        if (outcome.hostname() != null) {
            node.put("hostname", outcome.hostname());
        }
        if (outcome.note() != null) {
            node.put("note", outcome.note());
        }
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree of strings always serialises
        }
    }

    /** The outcome, or empty for anything this version did not write. */
    static Optional<ForwardConfirmedRdns.Outcome> decode(byte[] bytes) {
        try {
            JsonNode node = JSON.readTree(bytes);
            ForwardConfirmedRdns.Result result = ForwardConfirmedRdns.Result.valueOf(node.path("result").asText(""));
            return Optional.of(new ForwardConfirmedRdns.Outcome(result, text(node, "hostname"), text(node, "note")));
        } catch (IOException | IllegalArgumentException | NullPointerException e) {
            return Optional.empty();
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
