package dev.gatehouse.proxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading certbot-style PEM files and keystores with the JDK only (fixtures: src/test/resources/tls/README.md). */
class TlsKeyMaterialTest {

    @TempDir
    Path dir;

    private Path resource(String name) throws Exception {
        Path target = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/tls/" + name)) {
            Files.copy(in, target);
        }
        return target;
    }

    @ParameterizedTest
    @CsvSource({
            "pkcs8-ec.crt, pkcs8-ec.key, EC, 1001",
            "rsa-pkcs1.crt, rsa-pkcs1.key, RSA, 2001",
            "ec-sec1.crt, ec-sec1.key, EC, 3001",
    })
    void pem_eachKeyFormat_loadsWithItsChain(String certificate, String key, String algorithm, long serial) throws Exception {
        KeyStore store = TlsKeyMaterial.pem(resource(certificate), resource(key));

        assertThat(store.getKey(TlsKeyMaterial.ALIAS, TlsKeyMaterial.IN_MEMORY_PASSWORD).getAlgorithm()).isEqualTo(algorithm);
        assertThat(((X509Certificate) store.getCertificate(TlsKeyMaterial.ALIAS)).getSerialNumber())
                .isEqualTo(BigInteger.valueOf(serial));
    }

    @Test
    void pem_fullchain_keepsEveryCertificateInOrder() throws Exception {
        Path chain = dir.resolve("fullchain.pem");
        Files.writeString(chain, Files.readString(resource("pkcs8-ec.crt")) + Files.readString(resource("rsa-pkcs1.crt")));

        KeyStore store = TlsKeyMaterial.pem(chain, resource("pkcs8-ec.key"));

        assertThat(store.getCertificateChain(TlsKeyMaterial.ALIAS)).extracting(c -> ((X509Certificate) c).getSerialNumber())
                .containsExactly(BigInteger.valueOf(1001), BigInteger.valueOf(2001));
    }

    @ParameterizedTest
    @CsvSource({"encrypted-pkcs8.key", "encrypted-rsa.key"})
    void pem_encryptedKey_isRefusedWithHowToDecryptIt(String key) throws Exception {
        Path certificate = resource(key.contains("rsa") ? "rsa-pkcs1.crt" : "pkcs8-ec.crt");
        Path file = resource(key);

        assertThatThrownBy(() -> TlsKeyMaterial.pem(certificate, file))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessageContaining("tls.private-key " + file + ": the key is encrypted")
                .hasMessageContaining("openssl pkey");
    }

    @Test
    void pem_cutShort_saysSo() throws Exception {
        Path key = dir.resolve("privkey.pem");
        String full = Files.readString(resource("pkcs8-ec.key"));
        Files.writeString(key, full.substring(0, full.indexOf("-----END")));

        assertThatThrownBy(() -> TlsKeyMaterial.pem(resource("pkcs8-ec.crt"), key))
                .isInstanceOf(GeneralSecurityException.class).hasMessageContaining("has no END line");
    }

    @Test
    void pem_keyFileGivenAsCertificate_saysThereIsNoCertificate() throws Exception {
        Path key = resource("pkcs8-ec.key");

        assertThatThrownBy(() -> TlsKeyMaterial.pem(key, key))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessage("tls.certificate " + key + ": no PEM CERTIFICATE block");
    }

    @Test
    void pem_missingFile_namesTheKey() throws Exception {
        Path certificate = resource("pkcs8-ec.crt");

        assertThatThrownBy(() -> TlsKeyMaterial.pem(certificate, dir.resolve("privkey.pem")))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("tls.private-key: no such file");
    }

    @Test
    void keystore_passwordFromTheEnvironment() throws Exception {
        ListenerSettings.Tls tls = ListenerSettings.Tls.keystore(ListenerSettings.DEFAULT_TLS_LISTEN,
                resource("keystore.p12"), "KS_PASSWORD", false);

        TlsKeyMaterial.Loaded loaded = TlsKeyMaterial.load(tls, name -> name.equals("KS_PASSWORD") ? "changeit" : null);

        assertThat(((X509Certificate) loaded.store().getCertificate("gatehouse")).getSerialNumber())
                .isEqualTo(BigInteger.valueOf(2001));
        assertThat(loaded.password()).isEqualTo("changeit");
    }

    @Test
    void keystore_unsetVariable_namesIt() throws Exception {
        ListenerSettings.Tls tls = ListenerSettings.Tls.keystore(ListenerSettings.DEFAULT_TLS_LISTEN,
                resource("keystore.p12"), "KS_PASSWORD", false);

        assertThatThrownBy(() -> TlsKeyMaterial.load(tls, name -> null))
                .hasMessage("tls.keystore-password-env: the environment variable KS_PASSWORD is not set");
    }

    @Test
    void keystore_wrongPassword_namesTheFile() throws Exception {
        Path file = resource("keystore.p12");
        ListenerSettings.Tls tls = ListenerSettings.Tls.keystore(ListenerSettings.DEFAULT_TLS_LISTEN, file, "KS_PASSWORD", false);

        assertThatThrownBy(() -> TlsKeyMaterial.load(tls, name -> "wrong"))
                .hasMessageStartingWith("tls.keystore " + file + ": ");
    }
}
