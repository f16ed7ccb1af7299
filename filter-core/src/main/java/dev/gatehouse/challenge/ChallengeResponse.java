package dev.gatehouse.challenge;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What an adapter sends instead of passing the request on: the challenge page, the verify endpoint's
 * redirect, or a refusal for a client that cannot take the challenge. The adapter copies the status and
 * headers and writes the body unless the request was a {@code HEAD}.
 *
 * @param status      HTTP status
 * @param headers     every header besides {@code Content-Type} and {@code Content-Length}
 * @param contentType the body's type
 * @param body        UTF-8 bytes
 */
public record ChallengeResponse(int status, Map<String, String> headers, String contentType, byte[] body) {

    public ChallengeResponse {
        headers = Map.copyOf(headers);
        java.util.Objects.requireNonNull(contentType, "contentType");
        java.util.Objects.requireNonNull(body, "body");
    }

    static ChallengeResponse of(int status, Map<String, String> headers, String contentType, String body) {
        return new ChallengeResponse(status, headers, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "ChallengeResponse[" + status + " " + contentType + ", " + body.length + " bytes]";
    }
}
