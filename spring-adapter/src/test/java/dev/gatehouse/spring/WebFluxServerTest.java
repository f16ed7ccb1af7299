package dev.gatehouse.spring;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static dev.gatehouse.spring.ServerTestApp.CLIENT;
import static dev.gatehouse.spring.ServerTestApp.SLOW;
import static org.assertj.core.api.Assertions.assertThat;

/** The starter on WebFlux (Reactor Netty) on a random port: the GatehouseWebFilter, not the servlet filter. */
@SpringBootTest(classes = ServerTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.main.web-application-type=reactive", "gatehouse.trusted-proxies=loopback",
                "management.endpoint.health.show-details=always", "gatehouse.explain-header=true",
                // Spring Cloud Gateway is on the test class path; this is a plain WebFlux application
                "spring.cloud.gateway.server.webflux.enabled=false"})
@Import(WebFluxServerTest.RequestController.class)
class WebFluxServerTest extends AbstractServerTest {

    /** What the controller receives: the server's own request (no copy made for the headers), with Gatehouse's headers in it. */
    @RestController
    static class RequestController {
        @GetMapping("/request")
        String request(ServerWebExchange exchange) {
            HttpHeaders headers = exchange.getRequest().getHeaders();
            return exchange.getRequest().getClass().getSimpleName() + " " + headers.getFirst("X-Gatehouse-Verdict") + " "
                    + headers.getFirst("X-Gatehouse-Rule") + " " + headers.getFirst("x_gatehouse_client_ip");
        }
    }

    @Test
    void upstreamHeaders_areWrittenIntoReactorNettysOwnRequest_withoutACopy() throws Exception {
        HttpResponse<String> response = client().get("/request", "X-Forwarded-For", CLIENT,
                "X-Gatehouse-Verdict", "forged", "x_gatehouse_client_ip", "forged");
        assertThat(response.body()).isEqualTo("ReactorServerHttpRequest allow default/allow null");
    }

    @Autowired
    ApplicationContext context;

    @Test
    void reactiveApplication_getsTheWebFilterOnly() {
        assertThat(context.getBeansOfType(GatehouseWebFilter.class)).hasSize(1);
        assertThat(context.containsBean(GatehouseAutoConfiguration.FILTER_REGISTRATION_BEAN)).isFalse();
    }

    @Test
    void explainHeader_onAllowAndOnRefusal() throws Exception {
        assertThat(client().get("/hello", "X-Forwarded-For", CLIENT).headers().firstValue("X-Gatehouse-Explain"))
                .hasValueSatisfying(explain -> assertThat(explain)
                        .startsWith("allow default/allow; client=" + CLIENT + " (").contains("X-Forwarded-For hop 1"));
        assertThat(client().get("/hello", "X-Forwarded-For", ServerTestApp.TOR_EXIT).headers().firstValue("X-Gatehouse-Explain"))
                .hasValueSatisfying(explain -> assertThat(explain).startsWith("block rule/block-tor; client=" + ServerTestApp.TOR_EXIT)
                        .contains("trace=block-tor:match"));
    }

    /**
     * Many more requests waiting on a slow engine than Reactor Netty has event-loop threads (one per
     * core): were the filter to block a thread while it waits, they would queue behind each other and
     * an ordinary client's request would wait too. Here the ordinary request is answered while they wait.
     */
    @Test
    void slowLookups_doNotHoldTheEventLoop() throws Exception {
        ServerTestApp.Client client = client();
        List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
        for (int i = 0; i < 4 * Runtime.getRuntime().availableProcessors() + 8; i++) {
            slow.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return client.get("/hello", "X-Forwarded-For", SLOW);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        assertThat(client.get("/hello", "X-Forwarded-For", CLIENT).statusCode()).isEqualTo(200);
        for (CompletableFuture<HttpResponse<String>> response : slow) {
            assertThat(response.get().statusCode()).isEqualTo(200);
        }
    }
}
