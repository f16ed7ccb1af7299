package dev.gatehouse.settings;

import dev.gatehouse.decisionlog.DecisionLogSettings;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The {@code decision-log} and {@code pages} blocks, from YAML and from flat keys (init-params, Spring). */
class DecisionLogBindingTest {

    private static GatehouseSettings yaml(String text) {
        return SettingsBinder.bind(SettingsSources.yaml(text, "gatehouse.yaml", Path.of("/etc/gatehouse")), List.of(), w -> { });
    }

    private static GatehouseSettings params(Map<String, String> params) {
        return SettingsBinder.bind(SettingsSources.flat(params, k -> "init-param '" + k + "'", "init-params"), List.of(), w -> { });
    }

    @Test
    void bind_everyKey() {
        GatehouseSettings s = yaml("""
                decision-log:
                  to: logs/decisions.jsonl
                  sample-allows: 0.05
                  max-file-size: 10MB
                  max-files: 4
                  queue: 500
                pages:
                  template: pages/error.html
                """);
        DecisionLogSettings log = s.decisionLog();
        assertThat(log.file()).isEqualTo(Path.of("/etc/gatehouse/logs/decisions.jsonl")); // relative to the file's folder
        assertThat(log.sampleAllows()).isEqualTo(0.05);
        assertThat(log.maxFileSize()).isEqualTo(10L << 20);
        assertThat(log.maxFiles()).isEqualTo(4);
        assertThat(log.queue()).isEqualTo(500);
        assertThat(s.pages().template()).isEqualTo(Path.of("/etc/gatehouse/pages/error.html"));
    }

    @Test
    void bind_absentBlock_noLog_andAShortBlock_theDefaults() {
        assertThat(yaml("budget: 50ms\n").decisionLog()).isNull();
        assertThat(yaml("decision-log: { to: stdout }\n").decisionLog()).isEqualTo(DecisionLogSettings.ofDefaults());
        assertThat(yaml("decision-log: { to: STDERR }\n").decisionLog().to()).isEqualTo("stderr");
        assertThat(yaml("decision-log: { to: off }\n").decisionLog().enabled()).isFalse();
    }

    @Test
    void bind_flatKeys_sameAsYaml() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("decision-log.to", "stdout");
        params.put("decision-log.sample-allows", "0.5");
        params.put("decision-log.max-files", "3");
        assertThat(params(params).decisionLog()).isEqualTo(yaml("""
                decision-log:
                  to: stdout
                  sample-allows: 0.5
                  max-files: 3
                """).decisionLog());
    }

    @Test
    void bind_badValues_eachAtItsLineWithTheKey() {
        SettingsException e = (SettingsException) catchThrowable(() -> yaml("""
                decision-log:
                  to: stdout
                  sample-allows: 2
                  max-file-size: huge
                  max-files: 0
                  queue: -1
                  sampel: 1
                """));
        assertThat(e.problems()).extracting(SettingsException.Problem::toString).containsExactlyInAnyOrder(
                "gatehouse.yaml:7:3: decision-log.sampel: unknown key; known keys: max-file-size, max-files, queue, sample-allows, to",
                "gatehouse.yaml:3:18: decision-log.sample-allows: must be within 0..1, was 2.0",
                "gatehouse.yaml:4:18: decision-log.max-file-size: expected a size such as 100MB, 512KB or 1048576, was 'huge'",
                "gatehouse.yaml:5:14: decision-log.max-files: must be within 1..1000, was 0",
                "gatehouse.yaml:6:10: decision-log.queue: must be within 1..1000000, was -1");
    }

    @Test
    void bind_pagesUnknownKey_didYouMean() {
        assertThatThrownBy(() -> yaml("pages:\n  templat: x.html\n"))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("gatehouse.yaml:2:3: pages.templat: unknown key (did you mean 'pages.template'?)");
    }

    @Test
    void parseSize_units() {
        assertThat(DecisionLogSettings.parseSize("4096")).isEqualTo(4096);
        assertThat(DecisionLogSettings.parseSize("512KB")).isEqualTo(512 * 1024);
        assertThat(DecisionLogSettings.parseSize("1 GiB")).isEqualTo(1L << 30);
        assertThat(DecisionLogSettings.parseSize("100m")).isEqualTo(100L << 20);
    }
}
