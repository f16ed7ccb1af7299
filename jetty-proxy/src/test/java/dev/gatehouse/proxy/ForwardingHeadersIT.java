package dev.gatehouse.proxy;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.TrustedProxies;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The forwarding headers over a real TLS listener (the certificate made by {@code self-signed-if-missing}):
 * the upstream learns the client came over HTTPS, under which name, and from where.
 */
class ForwardingHeadersIT {

    @TempDir
    Path dir;
    private EchoUpstream upstream;
    private GatehouseProxy proxy;

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private void start(boolean preserveHost) throws Exception {
        upstream = EchoUpstream.start(new InetSocketAddress("127.0.0.1", 0));
        HostPort anyPort = HostPort.parse("127.0.0.1:0", -1);
        Gatehouse gatehouse = Gatehouse.builder().engine(Doubles.engine()).policy(Doubles.policy())
                .budget(Duration.ofMillis(500)).meterRegistry(GatehouseFactory.prometheus()).build();
        proxy = GatehouseProxy.builder()
                .listeners(ListenerSettings.builder().listen(anyPort).shutdownTimeout(Duration.ZERO)
                        .tls(new ListenerSettings.Tls(anyPort, dir.resolve("fullchain.pem"), dir.resolve("privkey.pem"), null, null,
                                false, true))
                        .build())
                .upstreams(UpstreamSettings.of(upstream.uri()).withPreserveHost(preserveHost))
                .gatehouse(gatehouse)
                .trustedProxies(TrustedProxies.none())
                .start();
    }

    private HttpResponse<String> https(HttpClient.Version version) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(dir.resolve("fullchain.pem"))) {
            trust.setCertificateEntry("dev", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(tls).version(version).build();
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + proxy.tlsPort() + "/where?x=1"))
                .header("X-Forwarded-Proto", "http").header("Forwarded", "for=6.6.6.6;proto=http")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void https_upstreamSeesProtoHostForAndForwarded() throws Exception {
        start(true);

        HttpResponse<String> response = https(HttpClient.Version.HTTP_1_1);

        String host = "localhost:" + proxy.tlsPort();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("X-Forwarded-Proto: https\n", "X-Forwarded-Host: " + host + "\n",
                "X-Forwarded-For: 127.0.0.1\n", "X-Real-IP: 127.0.0.1\n", "Host: " + host + "\n", "Via: 1.1 gatehouse\n");
        assertThat(response.body().lines().filter(l -> l.startsWith("Forwarded:"))).singleElement().asString()
                .contains("for=\"127.0.0.1\"", "host=\"" + host + "\"", "proto=https").doesNotContain("6.6.6.6");
        assertThat(response.body()).doesNotContain("X-Forwarded-Proto: http\n");
    }

    @Test
    void http2OverTls_hostRewritten_originalInXForwardedHost() throws Exception {
        start(false);

        HttpResponse<String> response = https(HttpClient.Version.HTTP_2);

        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.body()).contains("Host: 127.0.0.1:" + upstream.port() + "\n",
                "X-Forwarded-Host: localhost:" + proxy.tlsPort() + "\n", "X-Forwarded-Proto: https\n", "Via: 2.0 gatehouse\n");
    }

    @Test
    void http2OverTls_hostPreserved_fromTheAuthority() throws Exception {
        start(true);

        HttpResponse<String> response = https(HttpClient.Version.HTTP_2);

        String host = "localhost:" + proxy.tlsPort();
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.body()).contains("Host: " + host + "\n", "X-Forwarded-Host: " + host + "\n");
        assertThat(response.body().lines().filter(l -> l.startsWith("Forwarded:"))).singleElement().asString()
                .contains("host=\"" + host + "\"");
    }
}
