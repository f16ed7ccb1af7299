package dev.gatehouse.proxy.cli;

import dev.gatehouse.proxy.Doubles;
import dev.gatehouse.proxy.GatehouseProxy;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code demo} end to end over real sockets, with the engine and default policy replaced by doubles. */
class DemoIT {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> get(int port, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void demo_startsProxyInFrontOfEcho_andPrintsCurlLines() throws Exception {
        TestEnv env = new TestEnv();
        List<HttpResponse<String>> responses = new ArrayList<>();
        List<Integer> adminPorts = new ArrayList<>();
        env.waiter = (GatehouseProxy proxy) -> {
            responses.add(get(proxy.port(), "/hello", "X-Forwarded-For", DemoCommand.ORDINARY_IP, "X-Gatehouse-Verdict", "forged"));
            responses.add(get(proxy.port(), "/blocked"));
            responses.add(get(proxy.adminPort(), "/healthz"));
            adminPorts.add(proxy.adminPort());
        };

        int exit = env.run("demo", "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0");

        assertThat(exit).isZero();
        assertThat(responses.get(0).statusCode()).isEqualTo(200);
        assertThat(responses.get(0).body()).startsWith("GET /hello HTTP/1.1").contains("X-Gatehouse-Verdict: allow").doesNotContain("forged");
        assertThat(responses.get(1).statusCode()).isEqualTo(403);
        assertThat(responses.get(1).body()).contains("rule/block-path");
        assertThat(responses.get(2).statusCode()).isEqualTo(200);
        assertThat(env.out()).contains("curl -i -H 'X-Forwarded-For: " + DemoCommand.TOR_EXIT + "'")
                .contains("Googlebot/2.1")
                .contains("/v1/ip/" + DemoCommand.TOR_EXIT)
                .contains("127.0.0.1:" + adminPorts.get(0));
    }

    @Test
    void demo_torExitViaForwardedFor_isBlocked() throws Exception {
        TestEnv env = new TestEnv();
        List<HttpResponse<String>> responses = new ArrayList<>();
        env.waiter = proxy -> responses.add(get(proxy.port(), "/", "X-Forwarded-For", Doubles.TOR_IP, "Accept", "application/json"));

        assertThat(env.run("demo", "--listen", "127.0.0.1:0", "--admin", "off")).isZero();
        assertThat(responses.get(0).statusCode()).isEqualTo(403);
        assertThat(responses.get(0).body()).contains("\"rule\":\"rule/block-tor\"");
    }
}
