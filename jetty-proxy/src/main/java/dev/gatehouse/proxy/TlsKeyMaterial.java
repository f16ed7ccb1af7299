package dev.gatehouse.proxy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Reads the TLS listener's key material into a {@link KeyStore} for Jetty's {@code SslContextFactory}:
 * PEM files as certbot writes them ({@code fullchain.pem}, {@code privkey.pem}) or a PKCS#12/JKS keystore.
 * Only the JDK is used. Private keys may be PKCS#8 ({@code BEGIN PRIVATE KEY}: RSA, EC, Ed25519) or
 * the traditional OpenSSL forms ({@code BEGIN RSA PRIVATE KEY}, {@code BEGIN EC PRIVATE KEY}), which are
 * wrapped into PKCS#8 here; encrypted keys are refused (the proxy has nobody to ask for a passphrase).
 */
final class TlsKeyMaterial {

    /** The alias the PEM pair gets in the in-memory keystore. */
    static final String ALIAS = "gatehouse";
    /** The in-memory keystore's password: it never leaves the process, so it protects nothing. */
    static final char[] IN_MEMORY_PASSWORD = "gatehouse".toCharArray();

    private static final byte[] OID_RSA = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
    private static final byte[] OID_EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    private static final byte[] DER_NULL = {0x05, 0x00};
    private static final byte[] DER_ZERO = {0x02, 0x01, 0x00};

    private TlsKeyMaterial() {
    }

    /** A keystore and the password of its key entries. */
    record Loaded(KeyStore store, String password) {
        void applyTo(org.eclipse.jetty.util.ssl.SslContextFactory factory) {
            factory.setKeyStore(store);
            factory.setKeyStorePassword(password);
            factory.setKeyManagerPassword(password);
        }
    }

    /**
     * The key material {@code tls} names; PEM pairs are checked (the key must belong to the leaf certificate).
     *
     * @param environment where {@code tls.keystore-password-env} is looked up ({@code System::getenv})
     */
    static Loaded load(ListenerSettings.Tls tls, Function<String, String> environment) throws IOException, GeneralSecurityException {
        if (tls.keystore() != null) {
            String password = tls.keystorePasswordEnv() == null ? "" : environment.apply(tls.keystorePasswordEnv());
            if (password == null) {
                throw new GeneralSecurityException("tls.keystore-password-env: the environment variable "
                        + tls.keystorePasswordEnv() + " is not set");
            }
            return new Loaded(keystore(tls.keystore(), password.toCharArray()), password);
        }
        return new Loaded(pem(tls.certificate(), tls.privateKey()), new String(IN_MEMORY_PASSWORD));
    }

    /** A PKCS#12 or JKS file (the JDK tells them apart). */
    static KeyStore keystore(Path file, char[] password) throws IOException, GeneralSecurityException {
        try {
            return KeyStore.getInstance(file.toFile(), password);
        } catch (java.io.FileNotFoundException e) {
            throw new NoSuchFileException(file.toString(), null, "tls.keystore: no such file");
        } catch (IOException e) {
            // a wrong password shows as an IOException whose cause is an UnrecoverableKeyException
            throw new IOException("tls.keystore " + file + ": " + e.getMessage(), e);
        }
    }

    /** A certificate chain (leaf first) and its private key, both PEM. */
    static KeyStore pem(Path certificateFile, Path privateKeyFile) throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = certificates(read(certificateFile, "tls.certificate"), certificateFile);
        PrivateKey key = privateKey(read(privateKeyFile, "tls.private-key"), privateKeyFile);
        checkPair(key, chain.get(0), certificateFile, privateKeyFile);
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(ALIAS, key, IN_MEMORY_PASSWORD, chain.toArray(Certificate[]::new));
        return store;
    }

    private static String read(Path file, String key) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, key + ": no such file");
        }
    }

    static List<X509Certificate> certificates(String pem, Path file) throws GeneralSecurityException {
        List<X509Certificate> chain = new ArrayList<>();
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        for (Block block : blocks(pem)) {
            if (block.type.equals("CERTIFICATE")) {
                Collection<? extends Certificate> certs = factory.generateCertificates(new ByteArrayInputStream(block.der));
                certs.forEach(c -> chain.add((X509Certificate) c));
            }
        }
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("tls.certificate " + file + ": no PEM CERTIFICATE block");
        }
        return chain;
    }

    static PrivateKey privateKey(String pem, Path file) throws GeneralSecurityException {
        byte[] curve = null; // an EC PARAMETERS block before a SEC1 key that lacks its own
        for (Block block : blocks(pem)) {
            if (block.encrypted) {
                throw new GeneralSecurityException("tls.private-key " + file + ": the key is encrypted; give an unencrypted key"
                        + " (readable by the proxy's user only), e.g. openssl pkey -in KEY -out privkey.pem");
            }
            switch (block.type) {
                case "PRIVATE KEY" -> { return pkcs8(block.der, file); }
                case "RSA PRIVATE KEY" -> { return pkcs8(wrap(seq(OID_RSA, DER_NULL), block.der), file); }
                case "EC PARAMETERS" -> curve = block.der;
                case "EC PRIVATE KEY" -> {
                    byte[] named = sec1Curve(block.der);
                    if (named == null) {
                        named = curve;
                    }
                    if (named == null || named[0] != 0x06) {
                        throw new GeneralSecurityException("tls.private-key " + file + ": the EC key names no curve");
                    }
                    return pkcs8(wrap(seq(OID_EC_PUBLIC_KEY, named), block.der), file);
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new GeneralSecurityException("tls.private-key " + file
                        + ": the key is encrypted; give an unencrypted key, e.g. openssl pkey -in KEY -out privkey.pem");
                default -> { }
            }
        }
        throw new GeneralSecurityException("tls.private-key " + file
                + ": no PEM PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block");
    }

    private static PrivateKey pkcs8(byte[] der, Path file) throws GeneralSecurityException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("RSA", "EC", "EdDSA", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
                // not this algorithm; try the next
            }
        }
        throw new GeneralSecurityException("tls.private-key " + file + ": not an RSA, EC or Ed25519 private key");
    }

    /** A renewal caught half-written (new certificate, old key) must not replace a good pair. */
    private static void checkPair(PrivateKey key, X509Certificate leaf, Path certificateFile, Path keyFile)
            throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm().toUpperCase(Locale.ROOT)) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EDDSA", "ED25519" -> "Ed25519";
            case "ED448" -> "Ed448";
            default -> null;
        };
        if (algorithm == null) {
            return;
        }
        byte[] probe = "gatehouse key pair check".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (java.security.InvalidKeyException | java.security.SignatureException e) {
            matches = false;
        }
        if (!matches) {
            throw new GeneralSecurityException("tls.private-key " + keyFile + " does not belong to the first certificate in "
                    + certificateFile + " (" + leaf.getSubjectX500Principal() + ")");
        }
    }

    // ---- PEM and the little DER needed to wrap traditional keys ----

    private record Block(String type, byte[] der, boolean encrypted) {
    }

    private static List<Block> blocks(String pem) throws GeneralSecurityException {
        List<Block> blocks = new ArrayList<>();
        String type = null;
        StringBuilder body = new StringBuilder();
        boolean encrypted = false;
        for (String raw : pem.split("\r?\n")) {
            String line = raw.strip();
            if (type == null) {
                if (line.startsWith("-----BEGIN ") && line.endsWith("-----")) {
                    type = line.substring(11, line.length() - 5);
                    body.setLength(0);
                    encrypted = false;
                }
            } else if (line.equals("-----END " + type + "-----")) {
                byte[] der;
                try {
                    der = Base64.getMimeDecoder().decode(body.toString());
                } catch (IllegalArgumentException e) {
                    throw new GeneralSecurityException("bad base64 in PEM block " + type + ": " + e.getMessage(), e);
                }
                blocks.add(new Block(type, der, encrypted));
                type = null;
            } else if (line.contains(":")) {
                encrypted |= line.startsWith("Proc-Type:") && line.contains("ENCRYPTED"); // RFC 1421 header
            } else {
                body.append(line);
            }
        }
        if (type != null) {
            throw new GeneralSecurityException("PEM block " + type + " has no END line (file cut short?)");
        }
        return blocks;
    }

    /** The curve OID (tag and all) in a SEC1 {@code ECPrivateKey}'s {@code [0] parameters}, or {@code null}. */
    private static byte[] sec1Curve(byte[] sec1) throws GeneralSecurityException {
        Der outer = new Der(sec1, 0);
        int pos = outer.contentStart;
        int end = outer.contentStart + outer.length;
        while (pos < end) {
            Der field = new Der(sec1, pos);
            if ((sec1[pos] & 0xff) == 0xa0) {
                Der oid = new Der(sec1, field.contentStart);
                byte[] tlv = new byte[oid.contentStart - field.contentStart + oid.length];
                System.arraycopy(sec1, field.contentStart, tlv, 0, tlv.length);
                return tlv;
            }
            pos = field.contentStart + field.length;
        }
        return null;
    }

    /** PKCS#8 {@code PrivateKeyInfo}: version 0, the algorithm, the traditional key as an OCTET STRING. */
    private static byte[] wrap(byte[] algorithm, byte[] traditionalKey) {
        return seq(DER_ZERO, algorithm, tlv(0x04, traditionalKey));
    }

    private static byte[] seq(byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        return tlv(0x30, content.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    /** One DER header: where the content starts and how long it is. */
    private static final class Der {
        final int contentStart;
        final int length;

        Der(byte[] der, int at) throws GeneralSecurityException {
            if (at + 2 > der.length) {
                throw new GeneralSecurityException("truncated DER in the private key");
            }
            int first = der[at + 1] & 0xff;
            if (first < 0x80) {
                length = first;
                contentStart = at + 2;
            } else {
                int bytes = first & 0x7f;
                if (bytes == 0 || bytes > 3 || at + 2 + bytes > der.length) {
                    throw new GeneralSecurityException("bad DER length in the private key");
                }
                int n = 0;
                for (int i = 0; i < bytes; i++) {
                    n = (n << 8) | (der[at + 2 + i] & 0xff);
                }
                length = n;
                contentStart = at + 2 + bytes;
            }
            if (contentStart + length > der.length) {
                throw new GeneralSecurityException("truncated DER in the private key");
            }
        }
    }
}
