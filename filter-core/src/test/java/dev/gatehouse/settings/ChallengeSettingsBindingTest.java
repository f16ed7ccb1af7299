package dev.gatehouse.settings;

import dev.gatehouse.challenge.ChallengeSettings;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code challenge} block binds alike from gatehouse.yaml and flat keys (init-params, Spring), and names bad keys. */
class ChallengeSettingsBindingTest {

    private final List<String> warnings = new ArrayList<>();

    private GatehouseSettings yaml(String text) {
        return SettingsBinder.bind(SettingsSources.yaml(text, "gatehouse.yaml", Path.of("/etc/gatehouse")), List.of(), warnings::add);
    }

    private GatehouseSettings params(Map<String, String> params) {
        return SettingsBinder.bind(SettingsSources.flat(params, n -> "init-param '" + n + "'", "init-params"), List.of(), warnings::add);
    }

    @Test
    void bind_challengeBlock_yamlAndFlatAgree() {
        GatehouseSettings s = yaml("""
                challenge:
                  secret-env: GATEHOUSE_CHALLENGE_SECRET
                  previous-secret-env: GATEHOUSE_CHALLENGE_PREVIOUS_SECRET
                  pass-lifetime: 12h
                  difficulty: 18
                  exempt-paths: [/api/, /healthz]
                  max-failures: 5
                  failure-window: 15m
                  cookie: gh_pass
                """);
        ChallengeSettings c = s.challenge();
        assertThat(c.secretEnv()).isEqualTo("GATEHOUSE_CHALLENGE_SECRET");
        assertThat(c.previousSecretEnv()).isEqualTo("GATEHOUSE_CHALLENGE_PREVIOUS_SECRET");
        assertThat(c.passLifetime()).isEqualTo(Duration.ofHours(12));
        assertThat(c.difficulty()).isEqualTo(18);
        assertThat(c.exemptPaths()).containsExactly("/api/", "/healthz");
        assertThat(c.maxFailures()).isEqualTo(5);
        assertThat(c.failureWindow()).isEqualTo(Duration.ofMinutes(15));
        assertThat(c.cookieName()).isEqualTo("gh_pass");

        Map<String, String> flat = new LinkedHashMap<>();
        flat.put("challenge.secret-env", "GATEHOUSE_CHALLENGE_SECRET");
        flat.put("challenge.previous-secret-env", "GATEHOUSE_CHALLENGE_PREVIOUS_SECRET");
        flat.put("challenge.pass-lifetime", "12h");
        flat.put("challenge.difficulty", "18");
        flat.put("challenge.exempt-paths", "/api/, /healthz");
        flat.put("challenge.max-failures", "5");
        flat.put("challenge.failure-window", "15m");
        flat.put("challenge.cookie", "gh_pass");
        assertThat(params(flat).challenge()).isEqualTo(c);
    }

    @Test
    void bind_noChallengeBlock_isTheDefaults() {
        assertThat(yaml("budget: 50ms\n").challenge()).isEqualTo(ChallengeSettings.ofDefaults());
        assertThat(ChallengeSettings.ofDefaults().ephemeralSecret()).isTrue();
    }

    @Test
    void bind_badChallengeValues_nameTheKeys() {
        assertThatThrownBy(() -> yaml("""
                challenge:
                  difficulty: 40
                  secret-env: "not a name"
                  exempt-paths: [api]
                  dificulty: 3
                """))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("challenge.difficulty: is 1..32 leading zero bits, was 40")
                .hasMessageContaining("challenge.secret-env: is an environment variable name")
                .hasMessageContaining("challenge.exempt-paths: entries start with '/'")
                .hasMessageContaining("did you mean 'challenge.difficulty'");
    }

    @Test
    void bind_previousWithoutCurrentSecret_isRefused() {
        assertThatThrownBy(() -> yaml("challenge:\n  previous-secret-env: OLD\n"))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("a rotation needs the new secret too");
    }
}
