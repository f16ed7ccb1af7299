package dev.gatehouse.engine.provider;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.net.IpAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the five providers' answer handling (Jazzer): any status, rate-limit
 * headers and body, through {@link ProviderClient} (body limit, JSON parsing, the provider's mapping or
 * error mapping, usage counters, key scrubbing) and then {@link Fusion} into {@link Signals}. Saved
 * inputs live under {@code src/test/resources/dev/gatehouse/engine/provider/ProviderMappingFuzzTestInputs/<method>/};
 * see docs/reliability.md, "Fuzzing".
 *
 * <p>Input layout (so seeds are plain files): byte 0 picks the provider, byte 1 the status, byte 2 says
 * which headers follow (bit 0 {@code Retry-After}, bit 1 {@code X-RateLimit-Reset}, bit 2
 * {@code X-RateLimit-Remaining}) and whether to ask the bulk endpoint (bit 3); each header value is the
 * next line; the rest is the body.
 */
class ProviderMappingFuzzTest {

    /** Recognizable, so a leak shows; also written into some seeds, as a provider echoing the key would. */
    static final String KEY = "FUZZ-sekret-KEY-4711";
    private static final int[] STATUSES = {200, 200, 200, 200, 201, 204, 301, 400, 401, 403, 404, 422, 423, 429, 500, 502, 503, 504};
    private static final String[] HEADERS = {"Retry-After", "X-RateLimit-Reset", "X-RateLimit-Remaining"};
    private static final IpAddress IP = IpAddress.parse("203.0.113.7");
    private static final List<IpAddress> BULK = List.of(IP, IpAddress.parse("2001:db8::7"));
    private static final Instant NOW = Instant.parse("2026-11-30T10:00:00Z");
    private static final String CONTROL = ".*[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029].*";

    /**
     * Any answer gives either a {@link ProviderAnswer} whose values have their signal's type and range and
     * fuse into {@link Signals}, or a {@link ProviderException} (never another exception) whose message is
     * one line without the API key; the call completes at once (nothing waits on a canned answer).
     */
    @FuzzTest
    @Timeout(10)
    void lookup_anyAnswer_givesSignalsOrAProviderError(byte[] input) {
        String name = ProviderSettings.NAMES.get(input.length > 0 ? (input[0] & 0xFF) % ProviderSettings.NAMES.size() : 0);
        int status = STATUSES[input.length > 1 ? (input[1] & 0xFF) % STATUSES.length : 0];
        int flags = input.length > 2 ? input[2] & 0xFF : 0;
        int at = Math.min(3, input.length);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 0; i < HEADERS.length; i++) {
            if ((flags & (1 << i)) != 0) {
                int end = at;
                while (end < input.length && input[end] != '\n') {
                    end++;
                }
                headers.put(HEADERS[i], List.of(new String(input, at, end - at, StandardCharsets.ISO_8859_1)));
                at = Math.min(input.length, end + 1);
            }
        }
        byte[] body = Arrays.copyOfRange(input, at, input.length);

        ProviderClient client = client(name, status, headers, body);
        ProviderSettings settings = client.settings();
        boolean bulk = (flags & 8) != 0 && client.api().bulkLimit() >= BULK.size();

        CompletableFuture<?> call = bulk ? client.bulk(BULK) : client.lookup(IP);

        assertThat(call).isDone();
        try {
            Object value = call.join();
            if (bulk) {
                @SuppressWarnings("unchecked")
                Map<IpAddress, ProviderAnswer> answers = (Map<IpAddress, ProviderAnswer>) value;
                answers.forEach((ip, a) -> checkAnswer(settings, ip, a));
            } else {
                checkAnswer(settings, IP, (ProviderAnswer) value);
            }
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(ProviderException.class);
            ProviderException p = (ProviderException) e.getCause();
            assertThat(p.kind()).isNotNull();
            checkText(p.getMessage());
        }
        ProviderHealth health = client.health();
        checkText(health.state() + " " + health.detail());
    }

    /**
     * Finding (saved as {@code finding-retry-after-beyond-instant} and {@code finding-reset-beyond-instant}):
     * a 429 with {@code Retry-After: 999999999999999999}, or {@code X-RateLimit-Reset} that large next to
     * {@code X-RateLimit-Remaining: 0}, overflowed {@link Instant}; the {@code DateTimeException} escaped the
     * call's future instead of a rate limit (the enricher reported it as a failure, the breaker never heard of
     * it). Hints are now believed for at most {@link ProviderApi#MAX_PAUSE}.
     */
    @org.junit.jupiter.api.Test
    void lookup_retryAfterBeyondInstant_pausesAtMostAMonth() {
        ProviderClient client = client("iptrust", 429, Map.of("Retry-After", List.of("999999999999999999")), "{}");

        assertThat(client.lookup(IP)).failsWithin(Duration.ZERO).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProviderException.Kind.RATE_LIMITED);
                    assertThat(e.until()).isEqualTo(NOW.plus(ProviderApi.MAX_PAUSE));
                });
        ProviderClient insights = client("ipinsights", 200,
                Map.of("X-RateLimit-Reset", List.of("999999999999999999"), "X-RateLimit-Remaining", List.of("0")), "{\"success\": true, \"data\": {}}");
        assertThat(insights.lookup(IP)).succeedsWithin(Duration.ZERO);
        assertThat(insights.health().detail()).isEqualTo("rate limited until " + NOW.plus(ProviderApi.MAX_PAUSE));
    }

    /**
     * Finding (saved as {@code finding-escape-sequence-in-error-text}): a provider's error text was quoted
     * raw in the exception, the health detail and the "turned off" log line, so a provider (or whoever sits
     * between us and it) could write terminal escape sequences or extra lines into our logs. Every message
     * about a call is now one line with control characters escaped.
     */
    @org.junit.jupiter.api.Test
    void lookup_errorTextWithControlCharacters_isOneLine() {
        ProviderClient client = client("ipbot", 401, Map.of(), "{\"error\": \"\\u001b[31mbad key\\u0000\\u009b1m\"}");

        assertThat(client.lookup(IP)).failsWithin(Duration.ZERO).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.getMessage())
                        .isEqualTo("401 \\u001b[31mbad key\\u0000\\u009b1m"));
        assertThat(client.health().detail()).doesNotMatch(CONTROL).contains("\\u001b[31mbad key");
    }

    /**
     * Finding (saved as {@code finding-key-in-a-bulk-item-error}): a bulk answer's per-address error was
     * kept as the address's "no data" reason without masking, so a provider that echoed the key there put it
     * into the cache, {@code explain} and the {@code lookup} output. Every answer is now masked, the
     * per-address ones and the fields {@code explain} shows included. The next run found
     * ({@code finding-control-characters-in-a-bulk-item-error}) that such a reason also kept control
     * characters: it is now one line like every other message.
     */
    @org.junit.jupiter.api.Test
    void bulk_perAddressErrorEchoingTheKey_isMasked() {
        ProviderClient client = client("ipinsights", 200, Map.of(), "{\"success\": true, \"data\": [{\"ip\": \"203.0.113.7\", \"isp\": \"key "
                + KEY + "\"}, {\"ip\": \"2001:db8::7\", \"error\": \"n\u007ft " + KEY + " found\"}]}");

        assertThat(client.bulk(BULK)).succeedsWithin(Duration.ZERO).satisfies(answers -> {
            assertThat(answers.get(BULK.get(1)).reason()).isEqualTo("n\\u007ft **** found");
            assertThat(answers.get(IP).raw()).containsEntry("isp", "key ****");
        });
    }

    private static ProviderClient client(String name, int status, Map<String, List<String>> headers, String body) {
        return client(name, status, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private static ProviderClient client(String name, int status, Map<String, List<String>> headers, byte[] body) {
        CannedHttpClient http = new CannedHttpClient();
        http.answer(status, headers, body);
        ProviderSettings settings = ProviderSettings.builder(name).apiKey(KEY).baseUrl("http://127.0.0.1:9")
                .when(ProviderSettings.When.ALWAYS).timeout(Duration.ofSeconds(5)).build();
        return new ProviderClient(Providers.api(settings), http, Clock.fixed(NOW, ZoneOffset.UTC), Ticker.disabledTicker(),
                new SimpleMeterRegistry());
    }

    private static void checkAnswer(ProviderSettings settings, IpAddress ip, ProviderAnswer answer) {
        if (!answer.found()) {
            checkText(answer.reason());
            return;
        }
        answer.values().forEach((signal, v) -> {
            assertThat(v).as(signal.id()).isInstanceOf(switch (signal.type()) {
                case BOOLEAN -> Boolean.class;
                case INTEGER -> Integer.class;
                case STRING -> String.class;
            });
            if (signal == Signal.THREAT_SCORE || signal == Signal.CONFIDENCE) {
                assertThat((Integer) v).as(signal.id()).isBetween(0, 100);
            }
            if (signal == Signal.ASN) {
                assertThat((Integer) v).isPositive();
            }
        });
        assertThat(answer.raw()).hasSizeLessThanOrEqualTo(200);
        answer.values().values().forEach(v -> assertThat(String.valueOf(v)).doesNotContain(KEY));
        answer.raw().forEach((field, v) -> assertThat(field + "=" + v).doesNotContain(KEY)); // explain shows raw fields
        Signals known = Signals.builder(ip).answer(new Signals.SourceAnswer(settings.source(), answer.values(), answer.raw()))
                .source(new Signals.SourceStatus(settings.source(), null, null)).build();
        Signals fused = new Fusion(Map.of(settings.source(), settings.weight())).fuse(known);
        assertThat(fused.threatScore()).isBetween(0, 100);
        assertThat(fused.integer(Signal.CONFIDENCE, 0)).isBetween(0, 100);
    }

    /** One line (it is logged as one) and never the key, plain or URL-encoded (IPIntel sends it as a query parameter). */
    private static void checkText(String text) {
        assertThat(text).isNotNull().doesNotContain(KEY).doesNotContain(ProviderApi.encode(KEY)).doesNotMatch(CONTROL);
    }
}
