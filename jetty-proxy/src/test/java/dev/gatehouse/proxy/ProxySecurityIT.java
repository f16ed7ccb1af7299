package dev.gatehouse.proxy;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.TrustedProxies;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The attacks the proxy must turn away, by class (docs/reliability.md, "Security tests"): forged Gatehouse
 * and forwarding headers in every spelling, request smuggling shapes, oversized requests, the admin token,
 * and control characters meant for the logs. A real proxy in front of a real Jetty upstream that records
 * every request it receives, driven by a raw socket so that requests no client library would send can be
 * sent. (Earlier, narrower cases: {@link ProxyHardeningIT}.)
 */
class ProxySecurityIT {

    private static final String TOKEN = "admin-s3cret-token";

    /** One request as the upstream received it: target, header lines as sent on the wire, body. */
    record Received(String target, List<String> headers, String body) {
        long count(String name) {
            return headers.stream().filter(h -> h.regionMatches(true, 0, name + ":", 0, name.length() + 1)).count();
        }
    }

    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private Server upstream;
    private GatehouseProxy proxy;

    @BeforeEach
    void start() throws Exception {
        upstream = new Server();
        ServerConnector connector = new ServerConnector(upstream);
        connector.setHost("127.0.0.1");
        upstream.addConnector(connector);
        upstream.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String body = Content.Source.asString(request, StandardCharsets.ISO_8859_1);
                received.add(new Received(request.getHttpURI().getPathQuery(),
                        request.getHeaders().stream().map(HttpField::toString).toList(), body));
                response.setStatus(200);
                Content.Sink.write(response, true, "ok\n", callback);
                return true;
            }
        });
        upstream.start();
        Gatehouse gatehouse = Gatehouse.builder().engine(Doubles.engine()).policy(Doubles.policy()).budget(Duration.ofMillis(500)).build();
        proxy = GatehouseProxy.builder()
                .listen(HostPort.parse("127.0.0.1:0", -1))
                .upstream(URI.create("http://127.0.0.1:" + connector.getLocalPort()))
                .gatehouse(gatehouse)
                .trustedProxies(TrustedProxies.none())
                .admin(HostPort.parse("127.0.0.1:0", -1))
                .adminToken(TOKEN)
                .prometheus(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        upstream.stop();
    }

    /** Writes the bytes (CRLF line ends unless {@code bareLf}), half-closes, and reads until the proxy closes. */
    private static String exchange(int port, String request, boolean bareLf) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((bareLf ? request : request.replace("\n", "\r\n")).getBytes(StandardCharsets.ISO_8859_1));
            socket.shutdownOutput();
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(read);
            return read.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private String exchange(String request) throws Exception {
        return exchange(proxy.port(), request, false);
    }

    private static int status(String response) {
        return response.length() < 12 ? -1 : Integer.parseInt(response.substring(9, 12));
    }

    // ---- forged Gatehouse and forwarding headers, in every spelling

    @ParameterizedTest
    @ValueSource(strings = {
            "X-GATEHOUSE-VERDICT: forged", "x-gatehouse-verdict: forged", "X_Gatehouse_Verdict: forged", "x-Gatehouse_verdict: forged",
            "X-Gatehouse-Verdict: forged\nX-Gatehouse-Verdict: forged2", "X-Gatehouse-Verdict: forged   ", "X-Gatehouse-Verdict:forged",
            "X-Gatehouse-Verdict : forged", "X-Gatehouse-Verdict\t: forged", "X-Gatehouse-Bot: a\n forged", "X-Gatehouse-Rule: forged",
            "X-Gatehouse-Threat-Score: 0 forged", "X-GATEHOUSE-BOT: forged", "X_GATEHOUSE_BOT: forged",
            "X-Forwarded-For: 6.6.6.6 forged", "x_forwarded_for: 6.6.6.6 forged", "X-FORWARDED-FOR: 6.6.6.6 forged",
            "X-Forwarded-For: 6.6.6.6 forged\nX-Forwarded-For: 7.7.7.7 forged", "X-Real-Ip: 6.6.6.6 forged", "X_REAL_IP: 6.6.6.6 forged",
            "FORWARDED: for=6.6.6.6;by=forged", "Forwarded: for=6.6.6.6\n for=7.7.7.7 forged", "X-Forwarded-Host: forged.example",
            "x_forwarded_host: forged.example", "X-Forwarded-Proto: https forged", "X-Forwarded-Port: 4433 forged"})
    void forgedHeader_inAnySpelling_isRefusedOrNeverReachesTheUpstream(String forged) throws Exception {
        String response = exchange("GET /page HTTP/1.1\nHost: app.example\nConnection: close\n" + forged + "\n\n");

        if (status(response) == 400) {
            assertThat(received).isEmpty(); // refused outright (obs-fold, white space before the colon)
            return;
        }
        assertThat(status(response)).as(response).isEqualTo(200);
        Received r = received.poll();
        assertThat(r).isNotNull();
        assertThat(String.join("\n", r.headers())).doesNotContain("forged").doesNotContain("6.6.6.6").doesNotContain("7.7.7.7")
                .doesNotContainIgnoringCase("x_gatehouse").doesNotContainIgnoringCase("x_forwarded").doesNotContainIgnoringCase("x_real");
        assertThat(r.count("X-Gatehouse-Verdict")).isEqualTo(1);
        assertThat(r.headers()).contains("X-Gatehouse-Verdict: allow", "X-Forwarded-For: 127.0.0.1");
    }

    @Test
    void connectionTokens_inAnyCaseOrNumberOfHeaders_cannotRemoveGatehouseOrForwardingHeaders() throws Exception {
        String response = exchange("GET /hop HTTP/1.1\nHost: app.example\nConnection: x-gatehouse-verdict, X-FORWARDED-FOR\n"
                + "Connection: X-Gatehouse-Rule\nConnection: x-real-ip, forwarded, x-request-id, close\n\n");

        assertThat(status(response)).isEqualTo(200);
        Received r = received.poll();
        assertThat(r.headers()).contains("X-Gatehouse-Verdict: allow", "X-Gatehouse-Rule: default/allow", "X-Forwarded-For: 127.0.0.1",
                "X-Real-IP: 127.0.0.1");
    }

    // ---- request smuggling: the proxy refuses an ambiguous frame, or forwards one the upstream cannot read two ways

    @ParameterizedTest
    @ValueSource(strings = {
            "Content-Length: 6\nTransfer-Encoding: chunked", "Transfer-Encoding: chunked\nContent-Length: 6",
            "Content-Length: 0\nContent-Length: 44", "Content-Length: 5\nContent-Length: 5", "Content-Length: 5, 5",
            "Content-Length: +5", "Content-Length: 0x5", "Content-Length: -1", "Content-Length: 5 5",
            "Transfer-Encoding: xchunked", "Transfer-Encoding: chunked, identity", "Transfer-Encoding: identity",
            "Transfer-Encoding: chunked\nTransfer-Encoding: x", "Transfer-Encoding : chunked", "Transfer-Encoding:\u000bchunked",
            "Transfer-Encoding: \"chunked\"", "Transfer_Encoding: chunked\nContent-Length: 5", " Transfer-Encoding: chunked",
            "Transfer-Encoding: chunked\n Content-Length: 5"})
    void smugglingShape_isRefusedOrForwardedUnambiguously(String framing) throws Exception {
        String smuggled = "GET /smuggled HTTP/1.1\nHost: app.example\n\n";
        String response = exchange("POST /form HTTP/1.1\nHost: app.example\n" + framing + "\n\n0\r\n\r\n" + smuggled);

        assertUnambiguous(response);
    }

    @Test
    void bareLineFeeds_areRefusedOrForwardedUnambiguously() throws Exception {
        String response = exchange(proxy.port(), "POST /form HTTP/1.1\nHost: app.example\nContent-Length: 5\nTransfer-Encoding: chunked\n\n"
                + "0\n\nGET /smuggled HTTP/1.1\nHost: app.example\n\n", true);

        assertUnambiguous(response);
    }

    private void assertUnambiguous(String response) {
        assertThat(status(response)).as(response).isIn(200, 400, 411, 501);
        for (Received r : received) {
            assertThat(r.count("Content-Length") + r.count("Transfer-Encoding")).as("framing headers sent upstream: %s", r.headers())
                    .isLessThanOrEqualTo(1);
            assertThat(r.headers()).noneMatch(h -> h.regionMatches(true, 0, "Transfer-Encoding:", 0, 18)
                    && !h.substring(18).strip().equalsIgnoreCase("chunked"));
        }
        if (status(response) != 200) {
            assertThat(received).as("a refused request reaches nobody").isEmpty();
        }
    }

    // ---- oversized requests: answered with their status, never buffered

    @Test
    void oversizedRequestLine_answers414() throws Exception {
        String response = exchange("GET /" + "a".repeat(64 * 1024) + " HTTP/1.1\nHost: app.example\n\n");

        assertThat(status(response)).isIn(414, 431);
        assertThat(received).isEmpty();
    }

    @Test
    void oversizedHeaders_answers431() throws Exception {
        String response = exchange("GET / HTTP/1.1\nHost: app.example\nX-Big: " + "b".repeat(64 * 1024) + "\n\n");
        String many = exchange("GET / HTTP/1.1\nHost: app.example\n" + "X-H: v\n".repeat(5000) + "\n");

        assertThat(status(response)).isEqualTo(431);
        assertThat(status(many)).isEqualTo(431);
        assertThat(received).isEmpty();
    }

    @Test
    void largeBody_isStreamedToTheUpstreamWhole() throws Exception {
        String body = "x".repeat(8 * 1024 * 1024);

        String response = exchange("POST /upload HTTP/1.1\nHost: app.example\nConnection: close\nContent-Length: " + body.length() + "\n\n"
                + body);

        assertThat(status(response)).isEqualTo(200);
        assertThat(received.poll().body()).hasSize(body.length());
    }

    // ---- the admin listener: a token, in the Authorization header only, compared in constant time (AdminHandler)

    @ParameterizedTest
    @ValueSource(strings = {"", "Authorization: Bearer wrong", "Authorization: Bearer admin-s3cret-toke",
            "Authorization: Bearer admin-s3cret-tokenX", "Authorization: Basic YWRtaW4tczNjcmV0LXRva2Vu", "Authorization: admin-s3cret-token",
            "Authorization: Bearer", "X-Admin-Token: admin-s3cret-token", "Cookie: token=admin-s3cret-token"})
    void adminEndpoints_withoutTheRightToken_answer401(String credentials) throws Exception {
        for (String target : List.of("/metrics", "/v1/ip/203.0.113.9", "/v1/explain?ip=203.0.113.9", "/metrics?token=" + TOKEN,
                "/metrics?access_token=" + TOKEN, "/v1/ip/203.0.113.9?token=" + TOKEN)) {
            String response = exchange(proxy.adminPort(), ("GET " + target + " HTTP/1.1\nHost: admin\nConnection: close\n"
                    + (credentials.isEmpty() ? "" : credentials + "\n") + "\n").replace("\n", "\r\n"), true);
            assertThat(status(response)).as(target + " with " + credentials).isEqualTo(401);
            assertThat(response).doesNotContain(TOKEN);
        }
        String reload = exchange(proxy.adminPort(), ("POST /v1/reload?token=" + TOKEN + " HTTP/1.1\nHost: admin\nConnection: close\n"
                + "Content-Length: 0\n" + (credentials.isEmpty() ? "" : credentials + "\n") + "\n").replace("\n", "\r\n"), true);
        assertThat(status(reload)).isEqualTo(401);
    }

    @Test
    void adminEndpoints_withTheToken_answer() throws Exception {
        String response = exchange(proxy.adminPort(), "GET /metrics HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n"
                + "Authorization: bearer " + TOKEN + "\r\n\r\n", true);

        assertThat(status(response)).isEqualTo(200);
    }

    // ---- log injection: whatever a client writes, each log line stays one line without control characters

    @Test
    void controlCharacters_inEveryLoggedField_neverReachALogLineRaw() throws Exception {
        upstream.stop(); // an unreachable upstream makes the proxy log the request it failed
        PrintStream stderr = System.err;
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
        String firstAnswer;
        try {
            String obs = "\u001b[31m\u009b1m\u0085FORGED-LINE\u2028";
            // Jetty itself answers 400 to encoded control characters in the path (Suspicious Path Character): the query carries them
            byte[] raw = ("GET /logged?q=%0d%0aFORGED-LINE%1b[31m%c2%85 HTTP/1.1\r\nHost: app.example\r\nConnection: close\r\n"
                    + "User-Agent: ua\tx\u009b\u0085\u00ffFORGED-LINE\r\nX-Forwarded-For: 1.2.3.4\u0085FORGED-LINE\r\n"
                    + "X-Request-Id: id\u0085\u009bFORGED-LINE\r\nReferer: r\u0085FORGED-LINE\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(raw);
                socket.shutdownOutput();
                socket.getInputStream().transferTo(answer);
            }
            firstAnswer = answer.toString(StandardCharsets.ISO_8859_1);
            exchange("GET /" + obs + " HTTP/1.1\nHost: a\u0085b\nConnection: close\n\n"); // 400 from Jetty: non-ASCII in the target
            org.slf4j.LoggerFactory.getLogger(ProxySecurityIT.class).warn("capture works");
        } finally {
            System.setErr(stderr);
        }

        String log = logged.toString(StandardCharsets.UTF_8);
        assertThat(log).as(firstAnswer).contains("capture works").contains("failed for /logged?q=%0d%0aFORGED-LINE"); // the request was logged
        assertThat(log.lines()).noneMatch(l -> l.startsWith("FORGED-LINE"));
        assertThat(log).doesNotContainPattern("[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u2028\\u2029]");
    }

    /** Discards what it is given. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }
    }
}
