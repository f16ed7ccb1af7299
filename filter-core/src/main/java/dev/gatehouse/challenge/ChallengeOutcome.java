package dev.gatehouse.challenge;

import dev.gatehouse.api.Decision;

/**
 * What {@link Challenger#enforce} makes of a {@code challenge} decision: let the request through, serve
 * the challenge page, or refuse it with the shared refusal (the adapter renders {@link Refuse#decision()}
 * as it renders any block or rate limit, JSON or HTML by {@code Accept}).
 */
public sealed interface ChallengeOutcome {

    /** The request goes on: a valid pass, a verified crawler or an exempt path ({@code why} says which). */
    record Pass(String why) implements ChallengeOutcome {}

    /** Serve this page (status 403, strict CSP) instead of the application's answer. */
    record Page(ChallengeResponse response) implements ChallengeOutcome {}

    /**
     * Refuse: a client that cannot take the challenge (not a {@code GET}/{@code HEAD} of HTML), or a network
     * that kept failing (the rule's fallback, {@code block} or {@code rate_limit}). The decision carries the
     * status, headers ({@code Retry-After}) and message.
     */
    record Refuse(Decision decision) implements ChallengeOutcome {}
}
