package dev.gatehouse.examples.webflux;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Signal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Runs only for requests Gatehouse let through; the decision arrives as a method parameter (an
 * {@code Optional}, empty when the application runs with {@code gatehouse.enabled=false}).
 */
@RestController
public class HelloController {

    @GetMapping("/hello")
    public Mono<Map<String, Object>> hello(Optional<Decision> gatehouse,
                                           @RequestHeader(name = "X-Gatehouse-Verdict", required = false) String verdictHeader) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", "hello");
        gatehouse.ifPresent(decision -> {
            body.put("client", decision.signals().ip().toString());
            body.put("verdict", decision.verdict().id());
            body.put("rule", decision.rule());
            // what an application might do with it: e.g. a lighter page for datacenter traffic
            body.put("hosting", decision.signals().isTrue(Signal.HOSTING));
        });
        body.put("verdictHeader", verdictHeader);
        return Mono.just(body);
    }

    /** The same answer with or without Gatehouse: what the filter alone costs ({@code URL_PATH=/ping benchmarks/load/spring.sh}). */
    @GetMapping("/ping")
    public Mono<String> ping() {
        return Mono.just("pong");
    }
}
