package dev.gatehouse.proxy;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.TrustedProxies;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The proxy's listeners over real sockets: HTTPS from PEM files, HTTP/2 negotiated by ALPN, h2c,
 * certificate reload, redirect to HTTPS, the PROXY protocol. Engine and policy are {@link Doubles}:
 * {@link Doubles#TOR_IP} is refused, so a 403 shows which client address the proxy saw.
 */
class ProxyListenersIT {

    private static final HostPort ANY_PORT = HostPort.parse("127.0.0.1:0", -1);

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private EchoUpstream upstream;

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = EchoUpstream.start(new InetSocketAddress("127.0.0.1", 0));
        closeables.add(upstream);
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private GatehouseProxy start(ListenerSettings listeners) throws Exception {
        return start(GatehouseProxy.builder().listeners(listeners));
    }

    private GatehouseProxy start(GatehouseProxy.Builder builder) throws Exception {
        Gatehouse gatehouse = Gatehouse.builder().engine(Doubles.engine()).policy(Doubles.policy())
                .budget(Duration.ofMillis(500)).meterRegistry(new SimpleMeterRegistry()).build();
        GatehouseProxy proxy = builder.upstream(upstream.uri()).gatehouse(gatehouse).start();
        closeables.add(proxy);
        return proxy;
    }

    private Path resource(String name) throws Exception {
        Path target = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/tls/" + name)) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    private ListenerSettings.Builder tls(String certificate, String key) throws Exception {
        return ListenerSettings.builder().listen(ANY_PORT)
                .tls(ListenerSettings.Tls.pem(ANY_PORT, resource(certificate), resource(key), false));
    }

    /** A client trusting exactly the test certificate {@code certificate}. */
    private HttpClient httpsClient(String certificate, HttpClient.Version version) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = getClass().getResourceAsStream("/tls/" + certificate)) {
            trust.setCertificateEntry("test", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(context).version(version).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void https_negotiatesHttp2ByAlpn() throws Exception {
        GatehouseProxy proxy = start(tls("pkcs8-ec.crt", "pkcs8-ec.key").build());

        HttpResponse<String> response = get(httpsClient("pkcs8-ec.crt", HttpClient.Version.HTTP_2),
                "https://localhost:" + proxy.tlsPort() + "/hello");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.body()).startsWith("GET /hello").contains("X-Gatehouse-Verdict: allow");
        assertThat(response.sslSession().orElseThrow().getPeerCertificates()[0])
                .extracting(c -> ((X509Certificate) c).getSerialNumber()).isEqualTo(BigInteger.valueOf(1001));
    }

    @Test
    void https_withHttp2Off_speaksHttp11() throws Exception {
        GatehouseProxy proxy = start(tls("pkcs8-ec.crt", "pkcs8-ec.key").http2(false).build());

        HttpResponse<String> response = get(httpsClient("pkcs8-ec.crt", HttpClient.Version.HTTP_2),
                "https://127.0.0.1:" + proxy.tlsPort() + "/");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    }

    @Test
    void https_traditionalRsaAndEcKeys_load() throws Exception {
        GatehouseProxy rsa = start(tls("rsa-pkcs1.crt", "rsa-pkcs1.key").build());
        GatehouseProxy ec = start(tls("ec-sec1.crt", "ec-sec1.key").build());

        assertThat(servedSerial(rsa.tlsPort())).isEqualTo(2001);
        assertThat(servedSerial(ec.tlsPort())).isEqualTo(3001);
        assertThat(get(httpsClient("ec-sec1.crt", HttpClient.Version.HTTP_2), "https://127.0.0.1:" + ec.tlsPort() + "/")
                .statusCode()).isEqualTo(200);
    }

    @Test
    void https_fromAPkcs12Keystore_withItsPasswordFromTheEnvironment() throws Exception {
        GatehouseProxy proxy = start(GatehouseProxy.builder()
                .environment(name -> name.equals("GATEHOUSE_KEYSTORE_PASSWORD") ? "changeit" : null)
                .listeners(ListenerSettings.builder().listen(ANY_PORT).tls(ListenerSettings.Tls.keystore(ANY_PORT,
                        resource("keystore.p12"), "GATEHOUSE_KEYSTORE_PASSWORD", false)).build()));

        assertThat(servedSerial(proxy.tlsPort())).isEqualTo(2001);
        assertThat(get(httpsClient("rsa-pkcs1.crt", HttpClient.Version.HTTP_2), "https://localhost:" + proxy.tlsPort() + "/")
                .version()).isEqualTo(HttpClient.Version.HTTP_2);
    }

    @Test
    void https_keyOfAnotherCertificate_stopsTheStartNamingTheFiles() throws Exception {
        ListenerSettings listeners = tls("rsa-pkcs1.crt", "pkcs8-ec.key").build();

        assertThatThrownBy(() -> start(listeners))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("pkcs8-ec.key does not belong to the first certificate in")
                .hasMessageContaining("rsa-pkcs1.crt");
    }

    @Test
    void https_missingCertificate_saysHowToMakeADevelopmentOne() {
        ListenerSettings listeners = ListenerSettings.builder().listen(ANY_PORT)
                .tls(ListenerSettings.Tls.pem(ANY_PORT, dir.resolve("fullchain.pem"), dir.resolve("privkey.pem"), true))
                .build();

        assertThatThrownBy(() -> start(listeners))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tls.certificate: no such file: " + dir.resolve("fullchain.pem"))
                .hasMessageContaining("openssl req -x509");
    }

    @Test
    void reload_certbotRenewal_servesTheNewCertificateWithoutRestart() throws Exception {
        // certbot's layout: live/ holds symbolic links into archive/, re-pointed on renewal
        Path archive = Files.createDirectories(dir.resolve("archive"));
        Path live = Files.createDirectories(dir.resolve("live"));
        Files.move(resource("pkcs8-ec.crt"), archive.resolve("fullchain1.pem"));
        Files.move(resource("pkcs8-ec.key"), archive.resolve("privkey1.pem"));
        Path fullchain = Files.createSymbolicLink(live.resolve("fullchain.pem"), archive.resolve("fullchain1.pem"));
        Path privkey = Files.createSymbolicLink(live.resolve("privkey.pem"), archive.resolve("privkey1.pem"));
        GatehouseProxy proxy = start(GatehouseProxy.builder().certificateCheckInterval(Duration.ofMillis(50))
                .listeners(ListenerSettings.builder().listen(ANY_PORT)
                        .tls(ListenerSettings.Tls.pem(ANY_PORT, fullchain, privkey, true)).build()));
        assertThat(servedSerial(proxy.tlsPort())).isEqualTo(1001);

        Files.move(resource("pkcs8-ec-renewed.crt"), archive.resolve("fullchain2.pem"));
        Files.copy(archive.resolve("privkey1.pem"), archive.resolve("privkey2.pem"));
        relink(fullchain, archive.resolve("fullchain2.pem"));
        relink(privkey, archive.resolve("privkey2.pem"));

        await().atMost(Duration.ofSeconds(10)).until(() -> servedSerial(proxy.tlsPort()) == 1002);
        assertThat(proxy.certificateReloader().reloads()).isEqualTo(1);
    }

    @Test
    void reload_halfWrittenRenewal_keepsServingTheOldCertificate() throws Exception {
        Path certificate = resource("pkcs8-ec.crt");
        Path key = resource("pkcs8-ec.key");
        GatehouseProxy proxy = start(GatehouseProxy.builder().certificateCheckInterval(Duration.ofMillis(50))
                .listeners(ListenerSettings.builder().listen(ANY_PORT)
                        .tls(ListenerSettings.Tls.pem(ANY_PORT, certificate, key, true)).build()));

        // a new certificate for another key, its key not written yet: must not replace a working pair
        Files.copy(resource("rsa-pkcs1.crt"), certificate, StandardCopyOption.REPLACE_EXISTING);
        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.certificateReloader().failures() == 1);
        assertThat(servedSerial(proxy.tlsPort())).isEqualTo(1001);

        Files.copy(resource("rsa-pkcs1.key"), key, StandardCopyOption.REPLACE_EXISTING);
        await().atMost(Duration.ofSeconds(10)).until(() -> servedSerial(proxy.tlsPort()) == 2001);
    }

    private static void relink(Path link, Path target) throws Exception {
        Path next = link.resolveSibling(link.getFileName() + ".new");
        Files.createSymbolicLink(next, target);
        Files.move(next, link, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The serial of the certificate a fresh TLS handshake gets. */
    private static long servedSerial(int port) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[]{new TrustEverything()}, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber().longValueExact();
        }
    }

    @Test
    void h2c_onThePlainListener() throws Exception {
        GatehouseProxy proxy = start(ListenerSettings.builder().listen(ANY_PORT).build());
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();

        HttpResponse<String> response = get(client, "http://127.0.0.1:" + proxy.port() + "/h2c");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.body()).startsWith("GET /h2c");
    }

    @Test
    void h2c_off_staysHttp11() throws Exception {
        GatehouseProxy proxy = start(ListenerSettings.builder().listen(ANY_PORT).h2c(false).build());
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();

        assertThat(get(client, "http://127.0.0.1:" + proxy.port() + "/").version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    }

    @Test
    void redirectToHttps_plainRequestsGo308ToTheTlsPort() throws Exception {
        GatehouseProxy proxy = start(tls("pkcs8-ec.crt", "pkcs8-ec.key").redirectToHttps(true).build());
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

        HttpResponse<String> response = get(client, "http://localhost:" + proxy.port() + "/a/b?c=d");

        assertThat(response.statusCode()).isEqualTo(308);
        assertThat(response.headers().firstValue("Location"))
                .hasValue("https://localhost:" + proxy.tlsPort() + "/a/b?c=d");
        assertThat(get(httpsClient("pkcs8-ec.crt", HttpClient.Version.HTTP_2),
                "https://localhost:" + proxy.tlsPort() + "/a").statusCode()).isEqualTo(200);
    }

    @Test
    void redirectToHttps_withoutTls_isRefused() {
        assertThatThrownBy(() -> ListenerSettings.builder().redirectToHttps(true).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("redirect-to-https needs a tls listener");
    }

    // ---- PROXY protocol ----

    private GatehouseProxy proxyProtocol(String... trusted) throws Exception {
        return start(ListenerSettings.builder().listen(ANY_PORT)
                .proxyProtocol(ListenerSettings.ProxyProtocol.trusting(List.of(trusted))).build());
    }

    @Test
    void proxyProtocolV1_fromATrustedPeer_setsTheClientAddress() throws Exception {
        GatehouseProxy proxy = proxyProtocol("loopback");

        String allowed = exchange(proxy.port(), ascii("PROXY TCP4 198.51.100.7 127.0.0.1 40000 8080\r\n"));
        String refused = exchange(proxy.port(), ascii("PROXY TCP4 " + Doubles.TOR_IP + " 127.0.0.1 40001 8080\r\n"));

        assertThat(allowed).startsWith("HTTP/1.1 200").contains("X-Forwarded-For: 198.51.100.7");
        assertThat(refused).startsWith("HTTP/1.1 403").contains("rule/block-tor");
    }

    @Test
    void proxyProtocolV2_fromATrustedPeer_setsTheClientAddress() throws Exception {
        GatehouseProxy proxy = proxyProtocol("127.0.0.1");

        String refused = exchange(proxy.port(), v2Header(new byte[]{5, 2, 67, (byte) 226}, 40002));
        String allowed = exchange(proxy.port(), v2Header(new byte[]{(byte) 198, 51, 100, 8}, 40003));

        assertThat(refused).startsWith("HTTP/1.1 403").contains("rule/block-tor");
        assertThat(allowed).startsWith("HTTP/1.1 200").contains("X-Forwarded-For: 198.51.100.8");
    }

    @Test
    void proxyProtocol_beforeTls_fromATrustedBalancer_setsTheClientAddress() throws Exception {
        // TLS passthrough (an NLB, HAProxy in TCP mode): the header comes first, then the client's handshake
        GatehouseProxy proxy = start(tls("pkcs8-ec.crt", "pkcs8-ec.key")
                .proxyProtocol(ListenerSettings.ProxyProtocol.trusting(List.of("loopback"))).build());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[]{new TrustEverything()}, null);

        try (Socket tcp = new Socket("127.0.0.1", proxy.tlsPort())) {
            tcp.setSoTimeout(10_000);
            tcp.getOutputStream().write(v2Header(new byte[]{5, 2, 67, (byte) 226}, 40004));
            try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, "localhost", proxy.tlsPort(), true)) {
                tls.getOutputStream().write(ascii("GET / HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n"
                        + "Connection: close\r\n\r\n"));
                String answer = new String(tls.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

                assertThat(answer).startsWith("HTTP/1.1 403").contains("rule/block-tor");
            }
        }
    }

    @Test
    void proxyProtocol_onTheTlsListener_anUntrustedPeerStillGetsTls() throws Exception {
        GatehouseProxy proxy = start(tls("pkcs8-ec.crt", "pkcs8-ec.key")
                .proxyProtocol(ListenerSettings.ProxyProtocol.trusting(List.of("10.0.0.0/8"))).build());

        assertThat(servedSerial(proxy.tlsPort())).isEqualTo(1001);
        assertThat(get(httpsClient("pkcs8-ec.crt", HttpClient.Version.HTTP_2), "https://localhost:" + proxy.tlsPort() + "/")
                .body()).contains("X-Forwarded-For: 127.0.0.1");
    }

    @Test
    void proxyProtocol_fromAnUntrustedPeer_isRefused() throws Exception {
        GatehouseProxy proxy = proxyProtocol("10.0.0.0/8"); // the test's own 127.0.0.1 is not a load balancer

        String v1 = exchange(proxy.port(), ascii("PROXY TCP4 198.51.100.7 127.0.0.1 40000 8080\r\n"));
        String v2 = exchange(proxy.port(), v2Header(new byte[]{(byte) 198, 51, 100, 8}, 40003));
        String direct = exchange(proxy.port(), new byte[0]);

        assertThat(v1).startsWith("HTTP/1.1 400").doesNotContain("198.51.100.7");
        assertThat(v2).satisfiesAnyOf(r -> assertThat(r).isEmpty(), r -> assertThat(r).startsWith("HTTP/1.1 400"));
        // without a header an untrusted peer is served as itself
        assertThat(direct).startsWith("HTTP/1.1 200").contains("X-Forwarded-For: 127.0.0.1");
    }

    @Test
    void proxyProtocol_withNoTrustedPeer_isASettingsError() {
        assertThatThrownBy(() -> ListenerSettings.ProxyProtocol.trusting(List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("proxy-protocol.trusted");
        assertThatThrownBy(() -> ListenerSettings.ProxyProtocol.trusting(List.of("10.0.0.1/8")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("proxy-protocol.trusted: ");
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A PROXY v2 header: PROXY command, TCP over IPv4, {@code source}:{@code port} → 127.0.0.1:8080. */
    private static byte[] v2Header(byte[] source, int port) {
        ByteBuffer b = ByteBuffer.allocate(16 + 12);
        b.put(new byte[]{0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        b.put((byte) 0x21).put((byte) 0x11).putShort((short) 12);
        b.put(source).put(new byte[]{127, 0, 0, 1}).putShort((short) port).putShort((short) 8080);
        return b.array();
    }

    /** Writes {@code header}, then a GET; returns everything the proxy answers until it closes. */
    private static String exchange(int port, byte[] header) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(header);
            out.write(ascii("GET /pp HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\nConnection: close\r\n\r\n"));
            out.flush();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            try {
                socket.getInputStream().transferTo(answer);
            } catch (java.net.SocketException reset) {
                // a refused connection may be reset rather than closed
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static final class TrustEverything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
