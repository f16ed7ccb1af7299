package dev.gatehouse.examples.boot;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Signal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.Map;

/** Runs only for requests Gatehouse let through, and shows what it decided. */
@RestController
public class HelloController {

    @GetMapping("/hello")
    public Map<String, Object> hello(@RequestAttribute(name = Decision.REQUEST_ATTRIBUTE, required = false) Decision decision,
                                     @RequestHeader(name = "X-Gatehouse-Verdict", required = false) String verdictHeader) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", "hello");
        if (decision != null) {
            body.put("client", decision.signals().ip().toString());
            body.put("verdict", decision.verdict().id());
            body.put("rule", decision.rule());
            // what an application might do with it: e.g. a lighter page for datacenter traffic
            body.put("hosting", decision.signals().isTrue(Signal.HOSTING));
        }
        body.put("verdictHeader", verdictHeader);
        return body;
    }

    /** The same answer with or without Gatehouse: what the filter alone costs ({@code URL_PATH=/ping benchmarks/load/spring.sh}). */
    @GetMapping("/ping")
    public String ping() {
        return "pong";
    }
}
