package dev.gatehouse.spring;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.Signal;
import dev.gatehouse.testing.FakeEngine;
import dev.gatehouse.testing.TestPolicy;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Spring Security example of docs/spring-boot.md, run: an authorization rule reads the decision
 * Gatehouse left on the request (Gatehouse's filter runs before Spring Security's), and refuses
 * sign-ups from hosting networks that the policy itself allows.
 */
@SpringBootTest(classes = SpringSecurityRuleTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.main.web-application-type=servlet", "gatehouse.trusted-proxies=loopback"})
class SpringSecurityRuleTest {

    private static final String HOSTING = "203.0.113.10";

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @EnableWebSecurity
    @Import(SignupController.class)
    static class App {
        @Bean
        FakeEngine engine() {
            return new FakeEngine().answer(HOSTING, signals -> signals.put(Signal.HOSTING, true, "test"));
        }

        @Bean
        Policy policy() {
            return TestPolicy.torBlocking();
        }

        // as in docs/spring-boot.md
        @Bean
        SecurityFilterChain security(HttpSecurity http) throws Exception {
            AuthorizationManager<RequestAuthorizationContext> notFromHosting = (authentication, context) -> {
                Decision decision = (Decision) context.getRequest().getAttribute(Decision.REQUEST_ATTRIBUTE);
                return new AuthorizationDecision(decision != null && !decision.signals().isTrue(Signal.HOSTING));
            };
            http.authorizeHttpRequests(auth -> auth
                    .requestMatchers("/signup").access(notFromHosting)
                    .anyRequest().permitAll());
            return http.build();
        }
    }

    @RestController
    static class SignupController {
        @GetMapping({"/signup", "/hello"})
        String signup() {
            return "welcome";
        }
    }

    @LocalServerPort
    int port;

    @Test
    void signup_fromHostingNetwork_isDeniedBySecurityRule() throws Exception {
        assertThat(new ServerTestApp.Client(port).get("/signup", "X-Forwarded-For", HOSTING).statusCode()).isEqualTo(403);
    }

    @Test
    void signup_fromOrdinaryClient_isAllowed() throws Exception {
        var response = new ServerTestApp.Client(port).get("/signup", "X-Forwarded-For", "198.51.100.7");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("welcome");
    }

    @Test
    void otherPaths_fromHostingNetwork_areAllowed() throws Exception {
        assertThat(new ServerTestApp.Client(port).get("/hello", "X-Forwarded-For", HOSTING).statusCode()).isEqualTo(200);
    }
}
