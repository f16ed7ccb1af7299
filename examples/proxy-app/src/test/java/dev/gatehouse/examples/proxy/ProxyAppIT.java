package dev.gatehouse.examples.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.decisionlog.DecisionLog;
import dev.gatehouse.decisionlog.DecisionLogSettings;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.TrustedProxies;
import dev.gatehouse.proxy.GatehouseFactory;
import dev.gatehouse.proxy.GatehouseProxy;
import dev.gatehouse.proxy.ListenerSettings;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The example as its README runs it: the app, and the proxy configured from {@code gatehouse.yaml} (ports
 * made ephemeral, the certificate paths moved to an empty temporary folder, where the proxy makes its
 * self-signed development certificate as {@code tls.self-signed-if-missing} asks), with the real embedded
 * data and the bundled default policy.
 */
class ProxyAppIT {

    /** The keys the example may use: those of docs/proxy.md; a typo in the example fails here. */
    private static final Set<String> KNOWN_KEYS = Set.of("upstream", "listen", "h2c", "tls", "http2", "redirect-to-https",
            "proxy-protocol", "shutdown-timeout", "policy", "trusted-proxies", "budget", "admin", "decision-log");
    private static final String TOR_EXIT = "5.2.67.226"; // in the bundled Tor exit list
    private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    @TempDir
    static Path dir;

    private static final Pattern PAGE_ID = Pattern.compile("<code id=\"request-id\">([^<]*)</code>");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static HelloApp app;
    private static Path decisionLog;
    private static GatehouseProxy proxy;
    private static Map<String, Object> yaml;

    @BeforeAll
    static void start() throws Exception {
        try (Reader in = Files.newBufferedReader(Path.of("gatehouse.yaml"))) {
            yaml = new Yaml().load(in);
        }
        app = HelloApp.start(0);
        Map<String, Object> tls = map(yaml.get("tls"));
        Path certificate = dir.resolve((String) tls.get("certificate"));
        Path privateKey = dir.resolve((String) tls.get("private-key"));
        assertThat(certificate).doesNotExist(); // a fresh clone: the proxy makes them

        ListenerSettings listeners = ListenerSettings.builder()
                .listen(anyPort(yaml.get("listen")))
                .h2c((Boolean) yaml.get("h2c"))
                .http2((Boolean) yaml.get("http2"))
                .redirectToHttps((Boolean) yaml.get("redirect-to-https"))
                .tls(new ListenerSettings.Tls(anyPort(tls.get("listen")), certificate, privateKey, null, null,
                        (Boolean) tls.get("reload"), (Boolean) tls.get("self-signed-if-missing")))
                .shutdownTimeout(Duration.parse("PT" + yaml.get("shutdown-timeout")))
                .build();
        PrometheusMeterRegistry registry = GatehouseFactory.prometheus();
        // A generous budget instead of the file's 50ms: the test machine may be busy, and a timed-out
        // lookup would (correctly) let the Tor exit through, which is not what this test is about.
        Duration budget = Duration.ofSeconds(5);
        // The file's decision-log block, written to a file here instead of standard output so the test can read it.
        Map<String, Object> log = map(yaml.get("decision-log"));
        decisionLog = dir.resolve("decisions.jsonl");
        Gatehouse gatehouse = Gatehouse.builder()
                .engine(GatehouseFactory.engine(List.of(), budget, registry))
                .policy(GatehouseFactory.bundledDefaultPolicy())
                .budget(budget)
                .meterRegistry(registry)
                .decisionLog(DecisionLog.create(DecisionLogSettings.custom().to(decisionLog.toString())
                        .sampleAllows(((Number) log.get("sample-allows")).doubleValue()).build(), registry))
                .build();
        @SuppressWarnings("unchecked")
        List<String> trusted = (List<String>) yaml.get("trusted-proxies");
        proxy = GatehouseProxy.builder()
                .listeners(listeners)
                .upstream(URI.create("http://127.0.0.1:" + app.port()))
                .gatehouse(gatehouse)
                .trustedProxies(TrustedProxies.parse(trusted))
                .admin(anyPort(map(yaml.get("admin")).get("listen")))
                .prometheus(registry)
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (app != null) {
            app.close();
        }
    }

    @Test
    void yaml_usesOnlyDocumentedKeys_andTheExampleAddresses() {
        assertThat(KNOWN_KEYS).containsAll(yaml.keySet());
        assertThat(yaml.get("listen")).isEqualTo("127.0.0.1:8080");
        assertThat(map(yaml.get("tls")).get("listen")).isEqualTo("127.0.0.1:8443");
        assertThat(yaml).doesNotContainKey("policy"); // the bundled default policy
        assertThat(map(yaml.get("tls")).get("self-signed-if-missing")).isEqualTo(true);
        assertThat(map(yaml.get("decision-log")).get("to")).isEqualTo("stdout");
    }

    @Test
    void missingCertificate_wasMadeSelfSigned_forLocalhost() throws Exception {
        Map<String, Object> tls = map(yaml.get("tls"));
        String pem = Files.readString(dir.resolve((String) tls.get("certificate")));
        java.security.cert.X509Certificate cert = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory
                .getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));

        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
        assertThat(cert.getSubjectAlternativeNames()).extracting(n -> (Object) n.get(1))
                .contains("localhost", "127.0.0.1");
        assertThat(Files.readString(dir.resolve((String) tls.get("private-key")))).startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void refusal_pageHeaderAndDecisionLogShareTheRequestId() throws Exception {
        HttpResponse<String> response = send(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
                "http://127.0.0.1:" + proxy.port() + "/account", "User-Agent", BROWSER, "X-Forwarded-For", TOR_EXIT, "Accept", "text/html");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("Server")).isEmpty();
        String header = response.headers().firstValue("X-Request-Id").orElseThrow();
        Matcher page = PAGE_ID.matcher(response.body());
        assertThat(page.find()).isTrue();
        assertThat(page.group(1)).isEqualTo(header);
        // what the README says: grep <id> finds the line
        JsonNode[] line = new JsonNode[1];
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (String l : Files.exists(decisionLog) ? Files.readAllLines(decisionLog) : List.<String>of()) {
                if (l.contains(header)) {
                    line[0] = JSON.readTree(l);
                    return true;
                }
            }
            return false;
        });
        assertThat(line[0].path("request_id").asText()).isEqualTo(header);
        assertThat(line[0].path("verdict").asText()).isEqualTo("block");
        assertThat(line[0].path("rule").asText()).contains("block-tor");
        assertThat(line[0].path("client").asText()).isEqualTo(TOR_EXIT);
        assertThat(line[0].path("status").asInt()).isEqualTo(403);
    }

    @Test
    void http_reachesTheApp_withTheVerdict() throws Exception {
        HttpResponse<String> response = send(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
                "http://127.0.0.1:" + proxy.port() + "/", "User-Agent", BROWSER);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("Hello from the app", "<dt>X-gatehouse-verdict</dt><dd>allow</dd>");
    }

    @Test
    void h2c_onThePlainPort() throws Exception {
        HttpResponse<String> response = send(HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build(),
                "http://127.0.0.1:" + proxy.port() + "/", "User-Agent", BROWSER);

        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void https_speaksHttp2() throws Exception {
        HttpResponse<String> response = send(httpsClient(), "https://localhost:" + proxy.tlsPort() + "/", "User-Agent", BROWSER);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.body()).contains("Hello from the app");
    }

    @Test
    void torExit_isRefusedByTheDefaultPolicy() throws Exception {
        HttpResponse<String> response = send(httpsClient(), "https://localhost:" + proxy.tlsPort() + "/",
                "User-Agent", BROWSER, "X-Forwarded-For", TOR_EXIT, "Accept", "application/json");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("block-tor");
    }

    @Test
    void admin_isUp() throws Exception {
        HttpResponse<String> response = send(HttpClient.newHttpClient(), "http://127.0.0.1:" + proxy.adminPort() + "/readyz");

        assertThat(response.statusCode()).isEqualTo(200);
    }

    private static HttpResponse<String> send(HttpClient client, String url, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpClient httpsClient() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("dev", java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(dir.resolve((String) map(yaml.get("tls")).get("certificate")))));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(context).version(HttpClient.Version.HTTP_2).build();
    }

    /** The file's address with port 0, so tests never collide on fixed ports. */
    private static HostPort anyPort(Object address) {
        HostPort configured = HostPort.parse((String) address, -1);
        return new HostPort(configured.host(), 0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        return (Map<String, Object>) node;
    }
}
