package dev.gatehouse.enforcement;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code X-Request-Id} that ties a request's upstream, its decision-log line and its refusal page
 * together. A value a trusted proxy sent is kept when it is safe to echo (visible ASCII, at most
 * {@value #MAX_LENGTH} characters); any other value, and every value from a peer that is not a trusted
 * proxy, is replaced by a fresh one: an untrusted client must not choose the id an operator searches for.
 *
 * <p>Generated ids are time-ordered and unique in practice: 48 bits of milliseconds then 80 random bits,
 * 26 characters of Crockford base32 (the ULID layout), so {@code sort} on a log puts them in time order.
 * Making one costs two random longs and one 26-character string.
 */
public final class RequestId {

    /** The header name. */
    public static final String HEADER = "X-Request-Id";
    /** The request attribute holding the id (servlet filter, proxy). */
    public static final String ATTRIBUTE = "dev.gatehouse.RequestId";
    /** Longest id kept from a trusted proxy. */
    public static final int MAX_LENGTH = 128;

    private static final char[] BASE32 = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();

    private RequestId() {
    }

    /**
     * The id for a request.
     *
     * @param sent        the {@code X-Request-Id} the peer sent, or {@code null}
     * @param peerTrusted whether the socket peer is a trusted proxy
     */
    public static String resolve(String sent, boolean peerTrusted) {
        return peerTrusted && isValid(sent) ? sent : generate();
    }

    /** Whether {@code id} may be kept: 1 to {@value #MAX_LENGTH} characters, each visible ASCII ({@code !} to {@code ~}). */
    public static boolean isValid(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** A fresh id: 26 characters, time-ordered, lower-case Crockford base32. */
    public static String generate() {
        return generate(System.currentTimeMillis(), ThreadLocalRandom.current());
    }

    static String generate(long millis, java.util.Random random) {
        char[] out = new char[26];
        long time = millis & 0xFFFF_FFFF_FFFFL; // 48 bits: 10 characters (the first holds 3 bits)
        for (int i = 9; i >= 0; i--) {
            out[i] = BASE32[(int) (time & 31)];
            time >>>= 5;
        }
        long high = random.nextLong() & 0xFF_FFFF_FFFFL; // 40 bits: 8 characters
        long low = random.nextLong() & 0xFF_FFFF_FFFFL;  // 40 bits: 8 characters
        for (int i = 17; i >= 10; i--) {
            out[i] = BASE32[(int) (high & 31)];
            high >>>= 5;
        }
        for (int i = 25; i >= 18; i--) {
            out[i] = BASE32[(int) (low & 31)];
            low >>>= 5;
        }
        return new String(out);
    }
}
