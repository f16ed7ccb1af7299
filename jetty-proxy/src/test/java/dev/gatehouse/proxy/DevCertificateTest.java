package dev.gatehouse.proxy;

import dev.gatehouse.net.HostPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;

import static org.assertj.core.api.Assertions.assertThat;

class DevCertificateTest {

    private static ListenerSettings.Tls tls(Path dir, boolean selfSigned) {
        return new ListenerSettings.Tls(HostPort.parse("127.0.0.1:0", -1), dir.resolve("dev-cert/fullchain.pem"),
                dir.resolve("dev-cert/privkey.pem"), null, null, false, selfSigned);
    }

    @Test
    void makeIfMissing_writesALoadableSelfSignedPairForLocalhost(@TempDir Path dir) throws Exception {
        ListenerSettings.Tls tls = tls(dir, true);

        assertThat(DevCertificate.makeIfMissing(tls)).isTrue();

        KeyStore store = TlsKeyMaterial.load(tls, name -> null).store(); // the PEM loader accepts it: key matches certificate
        X509Certificate cert = (X509Certificate) store.getCertificate(TlsKeyMaterial.ALIAS);
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
        assertThat(cert.getSubjectAlternativeNames()).extracting(n -> (Object) n.get(1)).contains("localhost", "127.0.0.1");
        assertThat(cert.getSubjectAlternativeNames()).anySatisfy(n -> assertThat((String) n.get(1)).startsWith("0:0:0:0:0:0:0:1"));
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.privateKey()))).isEqualTo("rw-------");
        }
        // a second start keeps the files
        String before = Files.readString(tls.certificate());
        assertThat(DevCertificate.makeIfMissing(tls)).isFalse();
        assertThat(Files.readString(tls.certificate())).isEqualTo(before);
    }

    @Test
    void makeIfMissing_offByDefault_andNeverWhenOneFileExists(@TempDir Path dir) throws Exception {
        assertThat(DevCertificate.makeIfMissing(tls(dir, false))).isFalse();
        assertThat(dir.resolve("dev-cert")).doesNotExist();

        ListenerSettings.Tls tls = tls(dir, true);
        Files.createDirectories(tls.privateKey().getParent());
        Files.writeString(tls.privateKey(), "not a key");
        assertThat(DevCertificate.makeIfMissing(tls)).isFalse();
        assertThat(tls.certificate()).doesNotExist();
    }
}
