package dev.gatehouse.spring;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.http.HttpResponse;

import static dev.gatehouse.spring.ServerTestApp.TOR_EXIT;
import static org.assertj.core.api.Assertions.assertThat;

/** The gatehouse endpoint once the application exposes it over HTTP. */
@SpringBootTest(classes = ServerTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"gatehouse.trusted-proxies=loopback", "management.endpoints.web.exposure.include=health,gatehouse"})
class EndpointExposedTest {

    @LocalServerPort
    int port;

    @Test
    void summary_namesPolicyAndEngine() throws Exception {
        HttpResponse<String> response = new ServerTestApp.Client(port).get("/actuator/gatehouse");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"version\":\"test\"").contains("\"engine\":\"fake\"");
    }

    @Test
    void explain_showsTheDecisionWithItsTrace() throws Exception {
        HttpResponse<String> response = new ServerTestApp.Client(port).get("/actuator/gatehouse/explain?ip=" + TOR_EXIT + "&path=/hello");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"verdict\":\"block\"").contains("\"rule\":\"rule/block-tor\"").contains("\"trace\"");
    }

    @Test
    void lookup_showsTheSignals() throws Exception {
        HttpResponse<String> response = new ServerTestApp.Client(port).get("/actuator/gatehouse/lookup?ip=" + TOR_EXIT);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"tor\":{\"value\":true");
    }

    @Test
    void lookup_invalidIp_is400NamingTheProblem() throws Exception {
        HttpResponse<String> response = new ServerTestApp.Client(port).get("/actuator/gatehouse/lookup?ip=not-an-ip");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("not-an-ip");
    }

    @Test
    void explain_withoutIp_is400() throws Exception {
        assertThat(new ServerTestApp.Client(port).get("/actuator/gatehouse/explain").statusCode()).isEqualTo(400);
    }
}
