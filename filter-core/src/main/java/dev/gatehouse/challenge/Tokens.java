package dev.gatehouse.challenge;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;

/**
 * The two signed strings of the challenge, both stateless so any node holding the secret checks them:
 * <ul>
 *   <li>a <b>nonce</b> {@code 1.EXPIRY.DIFFICULTY.RANDOM.MAC}: what the browser hashes; the MAC (HMAC-SHA256)
 *       covers the client's network and User-Agent as well, so an answer cannot be carried to another network;</li>
 *   <li>a <b>pass</b> {@code 1.EXPIRY.MAC}: the cookie; the MAC covers network, User-Agent and expiry.</li>
 * </ul>
 * New strings are signed with the current secret; during a rotation the previous secret still verifies.
 * MACs are compared with {@link MessageDigest#isEqual} (constant time).
 */
final class Tokens {

    /** Why a nonce or pass was refused; {@link #VALID} when it was not. */
    enum Check { VALID, MALFORMED, BAD_SIGNATURE, EXPIRED, NOT_SOLVED }

    /** A nonce after its signature was checked. */
    record Nonce(Check check, int difficulty) {}

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final int MAX_TOKEN_CHARS = 256;

    private final Mac current;
    private final Mac previous; // or null
    private final SecureRandom random = new SecureRandom();

    Tokens(byte[] secret, byte[] previousSecret) {
        this.current = mac(secret);
        this.previous = previousSecret == null ? null : mac(previousSecret);
    }

    private static Mac mac(byte[] secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    // ---- nonces

    String issueNonce(String network, String userAgent, int difficulty, Instant expiry) {
        byte[] r = new byte[12];
        random.nextBytes(r);
        String body = "1." + expiry.getEpochSecond() + "." + difficulty + "." + B64.encodeToString(r);
        return body + "." + B64.encodeToString(sign(current, "nonce", network, userAgent, body));
    }

    /** Checks the nonce's form, signature (either secret) and expiry; not the work. */
    Nonce checkNonce(String nonce, String network, String userAgent, Instant now) {
        if (nonce == null || nonce.length() > MAX_TOKEN_CHARS) {
            return new Nonce(Check.MALFORMED, 0);
        }
        String[] parts = nonce.split("\\.", -1);
        if (parts.length != 5 || !parts[0].equals("1")) {
            return new Nonce(Check.MALFORMED, 0);
        }
        long expiry;
        int difficulty;
        try {
            expiry = Long.parseLong(parts[1]);
            difficulty = Integer.parseInt(parts[2]);
        } catch (NumberFormatException e) {
            return new Nonce(Check.MALFORMED, 0);
        }
        String body = nonce.substring(0, nonce.lastIndexOf('.'));
        if (!signedBy(body, parts[4], "nonce", network, userAgent)) {
            return new Nonce(Check.BAD_SIGNATURE, 0);
        }
        if (difficulty < 1 || difficulty > 32) {
            return new Nonce(Check.MALFORMED, 0);
        }
        return new Nonce(now.getEpochSecond() >= expiry ? Check.EXPIRED : Check.VALID, difficulty);
    }

    /** Whether SHA-256 of {@code nonce + answer} (UTF-8) starts with {@code difficulty} zero bits. */
    static boolean solves(String nonce, String answer, int difficulty) {
        if (answer == null || answer.isEmpty() || answer.length() > 20 || !answer.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        byte[] hash = sha256().digest((nonce + answer).getBytes(StandardCharsets.UTF_8));
        return leadingZeroBits(hash) >= difficulty;
    }

    static int leadingZeroBits(byte[] hash) {
        int bits = 0;
        for (byte b : hash) {
            if (b == 0) {
                bits += 8;
                continue;
            }
            return bits + Integer.numberOfLeadingZeros(b & 0xff) - 24;
        }
        return bits;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    // ---- passes

    String issuePass(String network, String userAgent, Instant expiry) {
        String body = "1." + expiry.getEpochSecond();
        return body + "." + B64.encodeToString(sign(current, "pass", network, userAgent, body));
    }

    Check checkPass(String pass, String network, String userAgent, Instant now) {
        if (pass == null || pass.length() > MAX_TOKEN_CHARS) {
            return Check.MALFORMED;
        }
        String[] parts = pass.split("\\.", -1);
        if (parts.length != 3 || !parts[0].equals("1")) {
            return Check.MALFORMED;
        }
        long expiry;
        try {
            expiry = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            return Check.MALFORMED;
        }
        if (!signedBy(parts[0] + "." + parts[1], parts[2], "pass", network, userAgent)) {
            return Check.BAD_SIGNATURE;
        }
        return now.getEpochSecond() >= expiry ? Check.EXPIRED : Check.VALID;
    }

    // ---- signing

    private boolean signedBy(String body, String macText, String kind, String network, String userAgent) {
        byte[] given;
        try {
            given = B64D.decode(macText);
        } catch (IllegalArgumentException e) {
            return false;
        }
        // both secrets are always tried, so the time taken does not tell which one signed
        boolean ok = MessageDigest.isEqual(given, sign(current, kind, network, userAgent, body));
        if (previous != null) {
            ok |= MessageDigest.isEqual(given, sign(previous, kind, network, userAgent, body));
        }
        return ok;
    }

    /** HMAC over the kind, the network, the User-Agent and the token's visible part, separated by newlines (none may contain one). */
    private static byte[] sign(Mac prototype, String kind, String network, String userAgent, String body) {
        Mac mac = copy(prototype);
        mac.update(kind.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) '\n');
        mac.update(network.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) '\n');
        mac.update(userAgent.replace('\n', ' ').getBytes(StandardCharsets.UTF_8));
        mac.update((byte) '\n');
        return mac.doFinal(body.getBytes(StandardCharsets.UTF_8));
    }

    private static Mac copy(Mac prototype) {
        try {
            return (Mac) prototype.clone(); // cheaper than getInstance + init on every request
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HmacSHA256 provider cannot clone", e);
        }
    }
}
