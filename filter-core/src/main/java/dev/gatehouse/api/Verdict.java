package dev.gatehouse.api;

/** What Gatehouse decides for a request. */
public enum Verdict {
    /** Pass the request on. */
    ALLOW("allow"),
    /** Too many requests: answer 429 with {@code Retry-After}. */
    RATE_LIMIT("rate_limit"),
    /** Refuse the request (403 by default). */
    BLOCK("block"),
    /**
     * Ask a browser to solve a proof-of-work page first; a client holding a valid pass goes on. The
     * adapters serve it through {@link dev.gatehouse.challenge.Challenger}.
     */
    CHALLENGE("challenge");

    private final String id;

    Verdict(String id) {
        this.id = id;
    }

    /** The name used in policies, headers and JSON: {@code allow}, {@code rate_limit}, {@code block}, {@code challenge}. */
    public String id() {
        return id;
    }

    /** The verdict named {@code id}, or {@code null}. */
    public static Verdict byId(String id) {
        for (Verdict v : values()) {
            if (v.id.equals(id)) {
                return v;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return id;
    }
}
