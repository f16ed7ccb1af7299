package dev.gatehouse.proxy.cli;

import dev.gatehouse.proxy.Misbehaving;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code lookup --provider} never prints the API key, whatever the provider answers: against a provider
 * that echoes the key in every failure (docs/reliability.md, "Security tests"). Logs are captured too
 * (slf4j-simple writes to {@code System.err}).
 */
class ApiKeyCliTest {

    static final String KEY = "CANARY-key-9f3e1d";
    private static final List<String> PROVIDERS = List.of("iptrust", "ipbot", "ipinsights", "ipgeolocation", "ipintel");

    private Misbehaving provider;

    @AfterEach
    void stop() {
        if (provider != null) {
            provider.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Misbehaving.Failure.class)
    void lookup_providerFailingWhileEchoingTheKey_neverPrintsTheKey(Misbehaving.Failure failure) throws Exception {
        provider = new Misbehaving(KEY);
        provider.fail(failure);
        PrintStream stderr = System.err;
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
        StringBuilder printed = new StringBuilder();
        try {
            for (String name : PROVIDERS) {
                TestEnv env = new TestEnv();
                int exit = env.run("lookup", "203.0.113.9", "--provider", name, "--base-url", provider.baseUrl(), "--api-key", KEY);
                assertThat(exit).as(name + ": " + env.err()).isIn(0, 1);
                printed.append(env.out()).append(env.err());
            }
        } finally {
            System.setErr(stderr);
        }

        assertThat(printed.toString()).as("lookup output").isNotBlank().doesNotContain(KEY)
                .doesNotContain(URLEncoder.encode(KEY, StandardCharsets.UTF_8));
        assertThat(logged.toString(StandardCharsets.UTF_8)).as("logs").doesNotContain(KEY);
    }
}
