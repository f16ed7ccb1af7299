package dev.gatehouse.spring;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Policy;
import dev.gatehouse.testing.FakeEngine;
import dev.gatehouse.testing.TestPolicy;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

/**
 * One application for the real-server tests of both stacks (the same controller runs on Spring MVC and
 * on WebFlux): a Tor exit at {@value #TOR_EXIT} is blocked, paths with {@code /limited} are rate-limited,
 * an address whose engine lookup never answers is at {@value #SLOW}. Loopback is trusted as a proxy, so
 * {@code X-Forwarded-For} picks the client.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import(ServerTestApp.HelloController.class)
class ServerTestApp {

    static final String TOR_EXIT = "192.0.2.66";
    static final String SLOW = "192.0.2.99";
    static final String CLIENT = "198.51.100.7";

    @Bean
    FakeEngine engine() {
        return new FakeEngine().tor(TOR_EXIT).hang(SLOW);
    }

    @Bean
    Policy policy() {
        return TestPolicy.torBlocking();
    }

    @RestController
    static class HelloController {
        /** The decision as a controller parameter. */
        @GetMapping({"/hello", "/limited"})
        String hello(Decision decision) {
            return decision.verdict().id() + " " + decision.rule();
        }

        @GetMapping("/optional")
        String optional(Optional<Decision> decision) {
            return decision.map(d -> d.signals().ip().toString()).orElse("none");
        }

        /** What the application sees of the X-Gatehouse-* request headers. */
        @GetMapping("/headers")
        String headers(@RequestHeader(name = "X-Gatehouse-Verdict", required = false) String verdict,
                       @RequestHeader(name = "X-Gatehouse-Client-Ip", required = false) String forged) {
            return verdict + " " + forged;
        }

        /** The X-Request-Id the application sees. */
        @GetMapping("/request-id")
        String requestId(@RequestHeader(name = "X-Request-Id", required = false) String requestId) {
            return String.valueOf(requestId);
        }
    }

    /** A small client for the server under test. */
    record Client(int port) {
        private static final HttpClient HTTP = HttpClient.newHttpClient();

        HttpResponse<String> get(String path, String... headers) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
            if (headers.length > 0) {
                request.headers(headers);
            }
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
