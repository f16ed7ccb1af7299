package dev.gatehouse.spring;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.Policy;
import dev.gatehouse.challenge.Challenger;
import dev.gatehouse.policy.PolicyLoader;
import dev.gatehouse.testing.FakeEngine;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.http.Cookie;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * {@code action: challenge} in a Spring MVC application through the starter: the settings bind from
 * {@code gatehouse.challenge.*}, the page is served, the verify endpoint (no controller maps it) sets the
 * pass, and the pass reaches the controller; an API client gets the JSON refusal. The real-browser run of
 * the same filter is {@code ChallengeFilterIT} in filter-core.
 */
@SpringBootTest(classes = ChallengeMockMvcTest.App.class, properties = {"gatehouse.trusted-proxies=loopback",
        "gatehouse.challenge.difficulty=6", "gatehouse.challenge.exempt-paths=/public/"})
@AutoConfigureMockMvc
class ChallengeMockMvcTest {

    private static final String HTML = "text/html,application/xhtml+xml,*/*;q=0.8";

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(HelloController.class)
    static class App {
        @Bean
        FakeEngine engine() {
            return new FakeEngine();
        }

        @Bean
        Policy policy() {
            return PolicyLoader.builder().meterRegistry(new SimpleMeterRegistry()).build().parse("""
                    rules:
                      - name: challenge-everyone
                        action: challenge
                    default: allow
                    """, "challenge.yaml");
        }
    }

    @RestController
    static class HelloController {
        @GetMapping({"/hello", "/public/info"})
        String hello() {
            return "hello from the controller";
        }
    }

    @Autowired
    private MockMvc mvc;

    @Autowired
    private Gatehouse gatehouse;

    @Test
    void settings_bindFromGatehouseChallengeProperties() {
        assertThat(gatehouse.challenger().settings().difficulty()).isEqualTo(6);
        assertThat(gatehouse.challenger().settings().exemptPaths()).containsExactly("/public/");
    }

    @Test
    void browser_getsThePage_solvesIt_andReachesTheController() throws Exception {
        MvcResult page = mvc.perform(get("/hello").queryParam("x", "1").header("Accept", HTML).header("X-Forwarded-For", "198.51.100.7"))
                .andExpect(status().isForbidden())
                .andExpect(header().string("Content-Security-Policy", containsString("script-src 'nonce-")))
                .andExpect(content().string(containsString("<noscript>")))
                .andReturn();
        Matcher nonce = Pattern.compile("data-nonce=\"([^\"]+)\"").matcher(page.getResponse().getContentAsString());
        assertThat(nonce.find()).isTrue();

        // a URI as it is sent (a URL template would encode the %-escapes a second time)
        MvcResult verified = mvc.perform(get(URI.create(Challenger.VERIFY_PATH + "?nonce=" + URLEncoder.encode(nonce.group(1), StandardCharsets.UTF_8)
                        + "&answer=" + solve(nonce.group(1), 6) + "&return=%2Fhello%3Fx%3D1"))
                        .header("Accept", HTML).header("X-Forwarded-For", "198.51.100.8"))
                .andExpect(status().isSeeOther())
                .andExpect(header().string("Location", "/hello?x=1"))
                .andReturn();
        String setCookie = verified.getResponse().getHeader("Set-Cookie");
        String value = setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));

        mvc.perform(get("/hello").header("Accept", HTML).header("X-Forwarded-For", "198.51.100.9").cookie(new Cookie("gatehouse_pass", value)))
                .andExpect(status().isOk())
                .andExpect(content().string("hello from the controller"));
    }

    @Test
    void apiClient_getsJsonSayingABrowserIsRequired_andExemptPathsPass() throws Exception {
        mvc.perform(get("/hello").header("Accept", "application/json").header("X-Forwarded-For", "203.0.113.7"))
                .andExpect(status().isForbidden())
                .andExpect(content().string(containsString("web browser is required")));
        mvc.perform(get("/public/info").header("Accept", "application/json").header("X-Forwarded-For", "203.0.113.7"))
                .andExpect(status().isOk());
    }

    private static String solve(String nonce, int bits) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (long n = 0; ; n++) {
            byte[] h = sha.digest((nonce + n).getBytes(StandardCharsets.UTF_8));
            int zeros = 0;
            for (byte b : h) {
                if (b == 0) {
                    zeros += 8;
                    continue;
                }
                zeros += Integer.numberOfLeadingZeros(b & 0xff) - 24;
                break;
            }
            if (zeros >= bits) {
                return Long.toString(n);
            }
        }
    }
}
