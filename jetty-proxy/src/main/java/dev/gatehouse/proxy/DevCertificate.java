package dev.gatehouse.proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code tls.self-signed-if-missing: true}, for development only: when neither PEM file exists, a
 * self-signed P-256 certificate for {@code localhost}, {@code 127.0.0.1} and {@code ::1}, valid 30 days,
 * is made and written to the configured paths, so that {@code curl --cacert fullchain.pem} trusts it.
 *
 * <p>The JDK has no public API to sign a certificate, so the JDK's own {@code keytool} (from
 * {@code java.home/bin}) makes it into a temporary PKCS#12 file, which is then written out as PEM. No
 * OpenSSL, no BouncyCastle. Only one file present is not "missing": that is a mistake the start must name.
 */
final class DevCertificate {

    private static final Logger log = LoggerFactory.getLogger(DevCertificate.class);
    private static final String ALIAS = "gatehouse-dev";
    private static final char[] TEMP_PASSWORD = "gatehouse-dev".toCharArray();

    private DevCertificate() {
    }

    /**
     * Makes the certificate when {@code tls} asks for it and both files are absent.
     *
     * @return whether a certificate was made
     * @throws IllegalStateException when keytool is missing or fails
     */
    static boolean makeIfMissing(ListenerSettings.Tls tls) {
        if (!tls.selfSignedIfMissing() || Files.exists(tls.certificate()) || Files.exists(tls.privateKey())) {
            return false;
        }
        try {
            make(tls.certificate(), tls.privateKey());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("tls.self-signed-if-missing: could not make a development certificate: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("tls.self-signed-if-missing: interrupted while making a development certificate", e);
        }
        log.warn("""
                
                ********************************************************************************
                WARNING: tls.self-signed-if-missing: the TLS files were missing, so a SELF-SIGNED
                development certificate for localhost, 127.0.0.1 and ::1 (valid 30 days) was made:
                  {}
                  {}
                Browsers will not trust it; curl --cacert {} will. NEVER use this in production:
                remove self-signed-if-missing and point tls.certificate / tls.private-key at real files.
                ********************************************************************************""",
                tls.certificate().toAbsolutePath(), tls.privateKey().toAbsolutePath(), tls.certificate());
        return true;
    }

    static void make(Path certificate, Path privateKey) throws IOException, GeneralSecurityException, InterruptedException {
        Path dir = certificate.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Files.createDirectories(privateKey.toAbsolutePath().getParent());
        Path p12 = Files.createTempFile(dir, ".gatehouse-dev", ".p12");
        try {
            Files.delete(p12); // keytool wants to create it
            Path keytool = Path.of(System.getProperty("java.home"), "bin", isWindows() ? "keytool.exe" : "keytool");
            if (!Files.isExecutable(keytool)) {
                throw new IOException("the JDK's keytool is not at " + keytool + " (a JRE without it cannot make one)");
            }
            Process process = new ProcessBuilder(List.of(keytool.toString(),
                    "-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "30",
                    "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1,ip:::1",
                    "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", new String(TEMP_PASSWORD)))
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("keytool did not finish within 60 s");
            }
            if (process.exitValue() != 0) {
                throw new IOException("keytool failed (exit " + process.exitValue() + "): " + output.strip());
            }
            KeyStore store = KeyStore.getInstance(p12.toFile(), TEMP_PASSWORD);
            byte[] key = store.getKey(ALIAS, TEMP_PASSWORD).getEncoded();
            byte[] cert = store.getCertificate(ALIAS).getEncoded();
            writeNew(privateKey, pem("PRIVATE KEY", key), true);
            writeNew(certificate, pem("CERTIFICATE", cert), false);
        } finally {
            Files.deleteIfExists(p12);
        }
    }

    /** Never overwrites: a file that appeared meanwhile is kept (and then loaded as it is). */
    private static void writeNew(Path file, String text, boolean secret) throws IOException {
        try {
            Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            return;
        }
        if (secret && file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");
    }
}
