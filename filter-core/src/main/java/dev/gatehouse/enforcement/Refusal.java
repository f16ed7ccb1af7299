package dev.gatehouse.enforcement;

import dev.gatehouse.api.Decision;
import dev.gatehouse.challenge.ChallengeResponse;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything an adapter sends for a refused request, computed once in the core: the status, the
 * headers ({@code Retry-After}, {@code RateLimit-Policy}, {@code RateLimit} from the decision, and
 * {@code Cache-Control: no-store}), the content type and the body bytes. An adapter copies it onto its
 * own response type and writes the body unless the request was a {@code HEAD}.
 */
public final class Refusal {

    private final int status;
    private final Map<String, String> headers;
    private final String contentType;
    private final byte[] body;

    private Refusal(int status, Map<String, String> headers, String contentType, byte[] body) {
        this.status = status;
        this.headers = headers;
        this.contentType = contentType;
        this.body = body;
    }

    /** The refusal for {@code decision}; JSON or HTML body chosen by the client's {@code Accept} header (may be null). */
    public static Refusal of(Decision decision, String accept) {
        return of(decision, accept, null, Pages.defaults());
    }

    /**
     * The refusal for {@code decision} on {@code pages}, showing {@code requestId} (also sent as
     * {@code X-Request-Id} when not {@code null}).
     */
    public static Refusal of(Decision decision, String accept, String requestId, Pages pages) {
        RefusalBody.Rendered rendered = RefusalBody.render(decision, accept, requestId, pages);
        Map<String, String> headers = new LinkedHashMap<>(decision.response().headers());
        headers.put("Cache-Control", "no-store");
        if (requestId != null) {
            headers.put(RequestId.HEADER, requestId);
        }
        return new Refusal(Enforcement.refusalStatus(decision), Map.copyOf(headers), rendered.contentType(),
                rendered.body().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The challenge's own answers, sent the same way: the page (403 with its CSP), the verify endpoint's
     * redirect (303 with the pass cookie) or its refusal.
     */
    public static Refusal of(ChallengeResponse response) {
        return new Refusal(response.status(), response.headers(), response.contentType(), response.body());
    }

    /** The HTTP status: the decision's, or the verdict's usual one (403, 429) when the policy named none. */
    public int status() {
        return status;
    }

    /** Response headers besides {@code Content-Type} and {@code Content-Length}. */
    public Map<String, String> headers() {
        return headers;
    }

    /** {@code application/json} or {@code text/html;charset=utf-8}. */
    public String contentType() {
        return contentType;
    }

    /** The body, UTF-8; a copy. */
    public byte[] body() {
        return body.clone();
    }

    /** The body length in bytes, for {@code Content-Length}. */
    public int contentLength() {
        return body.length;
    }

    /** The body as a read-only buffer, without copying it. */
    public java.nio.ByteBuffer bodyBuffer() {
        return java.nio.ByteBuffer.wrap(body).asReadOnlyBuffer();
    }

    @Override
    public String toString() {
        return "Refusal[" + status + " " + contentType + ", " + body.length + " bytes]";
    }
}
