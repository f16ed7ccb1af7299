package dev.gatehouse.crawler;

import java.util.Optional;

/** Which crawler a User-Agent claims to be. STUB: owned by the crawler work; replace wholesale (keep the signatures). */
public final class UserAgentClassifier {

    /** A claimed crawler: its name (e.g. {@code Googlebot}) and category ({@code search}, {@code ai}, …). */
    public record BotClaim(String name, String category) {}

    public static UserAgentClassifier loadDefault() {
        return new UserAgentClassifier();
    }

    public Optional<BotClaim> classify(String userAgent) {
        return Optional.empty();
    }
}
