package dev.gatehouse.spring;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.http.HttpResponse;

import static dev.gatehouse.spring.ServerTestApp.CLIENT;
import static dev.gatehouse.spring.ServerTestApp.SLOW;
import static dev.gatehouse.spring.ServerTestApp.TOR_EXIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a real embedded server with the starter does, the same on both stacks: each subclass starts
 * {@link ServerTestApp} on a random port, on Spring MVC or on WebFlux.
 */
abstract class AbstractServerTest {

    @LocalServerPort
    int port;

    ServerTestApp.Client client() {
        return new ServerTestApp.Client(port);
    }

    @Test
    void request_fromOrdinaryClient_reachesControllerWithDecisionParameter() throws Exception {
        HttpResponse<String> response = client().get("/hello", "X-Forwarded-For", CLIENT);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("allow default/allow");
    }

    @Test
    void request_fromTorExit_isRefusedWith403JsonNamingTheRule() throws Exception {
        HttpResponse<String> response = client().get("/hello", "X-Forwarded-For", TOR_EXIT, "Accept", "application/json");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(response.body()).contains("\"rule\":\"rule/block-tor\"").contains("\"status\":403");
    }

    @Test
    void request_fromTorExitInBrowser_getsHtmlRefusal() throws Exception {
        HttpResponse<String> response = client().get("/hello", "X-Forwarded-For", TOR_EXIT, "Accept", "text/html");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("<!doctype html>").contains("rule/block-tor");
    }

    @Test
    void requestId_onThePageTheResponseAndForTheController() throws Exception {
        HttpResponse<String> refused = client().get("/hello", "X-Forwarded-For", TOR_EXIT, "Accept", "text/html");
        String id = refused.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(refused.body()).contains("<code id=\"request-id\">" + id + "</code>");
        // loopback is a trusted proxy here: its id is kept, and the controller sees it
        HttpResponse<String> kept = client().get("/request-id", "X-Forwarded-For", CLIENT, "X-Request-Id", "lb-1");
        assertThat(kept.headers().firstValue("X-Request-Id")).hasValue("lb-1");
        assertThat(kept.body()).isEqualTo("lb-1");
        HttpResponse<String> fresh = client().get("/request-id", "X-Forwarded-For", CLIENT);
        assertThat(fresh.body()).hasSize(26).isEqualTo(fresh.headers().firstValue("X-Request-Id").orElseThrow());
    }

    @Test
    void request_overTheLimit_gets429WithRetryAfter() throws Exception {
        HttpResponse<String> response = client().get("/limited", "X-Forwarded-For", CLIENT);
        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("30");
    }

    @Test
    void optionalParameter_getsTheDecision() throws Exception {
        assertThat(client().get("/optional", "X-Forwarded-For", CLIENT).body()).isEqualTo(CLIENT);
    }

    @Test
    void upstreamHeaders_areSet_andForgedOnesRemoved() throws Exception {
        HttpResponse<String> response = client().get("/headers", "X-Forwarded-For", CLIENT,
                "X-Gatehouse-Verdict", "forged", "X-Gatehouse-Client-Ip", "forged");
        assertThat(response.body()).isEqualTo("allow null");
    }

    @Test
    void engineThatNeverAnswers_decidesAtTheBudgetOnWhatIsKnown() throws Exception {
        HttpResponse<String> response = client().get("/hello", "X-Forwarded-For", SLOW);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("allow default/allow");
    }

    @Test
    void health_showsGatehouseDetails() throws Exception {
        HttpResponse<String> response = client().get("/actuator/health/gatehouse");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"UP\"").contains("\"version\":\"test\"").contains("\"engine\":\"fake\"")
                .contains("\"fail-mode\":\"open\"");
    }

    @Test
    void endpoint_isNotExposedOverHttpByDefault() throws Exception {
        assertThat(client().get("/actuator/gatehouse").statusCode()).isEqualTo(404);
        assertThat(client().get("/actuator/gatehouse/explain?ip=" + TOR_EXIT).statusCode()).isEqualTo(404);
    }
}
