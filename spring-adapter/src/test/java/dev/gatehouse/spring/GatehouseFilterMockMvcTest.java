package dev.gatehouse.spring;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Policy;
import dev.gatehouse.testing.FakeEngine;
import dev.gatehouse.testing.TestPolicy;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The starter in a whole Spring MVC application: the registered filter decides before the controller.
 * MockMvc's requests come from 127.0.0.1, trusted as a proxy here, so {@code X-Forwarded-For} picks
 * the client.
 */
@SpringBootTest(classes = GatehouseFilterMockMvcTest.App.class, properties = "gatehouse.trusted-proxies=loopback")
@AutoConfigureMockMvc
class GatehouseFilterMockMvcTest {

    private static final String TOR_EXIT = "192.0.2.66";

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(HelloController.class)
    static class App {
        @Bean
        FakeEngine engine() {
            return new FakeEngine().tor(TOR_EXIT);
        }

        @Bean
        Policy policy() {
            return TestPolicy.torBlocking();
        }
    }

    @RestController
    static class HelloController {
        @GetMapping({"/hello", "/limited"})
        String hello(HttpServletRequest request) {
            Decision decision = (Decision) request.getAttribute(Decision.REQUEST_ATTRIBUTE);
            return decision == null ? "no decision" : decision.verdict() + " " + decision.rule();
        }
    }

    @Autowired
    private MockMvc mvc;

    @Test
    void request_fromTorExit_isRefusedWith403NamingTheRule() throws Exception {
        mvc.perform(get("/hello").header("X-Forwarded-For", TOR_EXIT).header("Accept", "application/json"))
                .andExpect(status().isForbidden())
                .andExpect(content().string(containsString("block-tor")));
    }

    @Test
    void request_fromOrdinaryClient_reachesTheControllerWithTheDecisionAttribute() throws Exception {
        mvc.perform(get("/hello").header("X-Forwarded-For", "198.51.100.7"))
                .andExpect(status().isOk())
                .andExpect(content().string("allow default/allow"));
    }

    @Test
    void request_overTheLimit_gets429WithRetryAfter() throws Exception {
        mvc.perform(get("/limited").header("X-Forwarded-For", "198.51.100.7"))
                .andExpect(status().isTooManyRequests())
                .andExpect(header().string("Retry-After", "30"));
    }
}
