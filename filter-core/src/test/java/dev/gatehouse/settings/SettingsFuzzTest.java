package dev.gatehouse.settings;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Coverage-guided fuzzing of the settings front ends and binder (Jazzer): a {@code gatehouse.yaml} of any
 * bytes, and init-params / Spring properties of any names and values. Saved inputs live under
 * {@code src/test/resources/dev/gatehouse/settings/SettingsFuzzTestInputs/<method>/}; see
 * docs/reliability.md, "Fuzzing", for the fuzzing command.
 */
class SettingsFuzzTest {

    private static final Path DIR = emptyDirectory();
    private static final Map<String, String> ENV = Map.of("IPTRUST_API_KEY", "test-key", "GATEHOUSE_REDIS_PASSWORD", "pw",
            "GATEHOUSE_CHALLENGE_SECRET", "0123456789abcdef0123456789abcdef");
    /** Every core key and sub-key, so the flat target reaches the binder's readers and not only "unknown key". */
    private static final List<String> FLAT_KEYS = flatKeys();

    /**
     * Any bytes as {@code gatehouse.yaml}: either settings, or a {@link SettingsException} whose every problem
     * names where ({@code gatehouse.yaml:LINE:COLUMN}) and is one line (no control character from the file
     * reaches a log line); never another exception or error, and within the time bound.
     */
    @FuzzTest
    @Timeout(10) // a hang is a finding: fuzzing reports an input slower than this (libFuzzer -timeout)
    void bind_anyYamlFile_givesSettingsOrLocatedProblems(byte[] input) throws IOException {
        Path file = DIR.resolve("gatehouse.yaml");
        Files.write(file, input);
        List<String> warnings = new ArrayList<>();
        try {
            GatehouseSettings settings = SettingsBinder.bind(SettingsSources.yaml(file), List.of(), warnings::add, ENV::get);
            assertThat(settings).isNotNull();
            assertThat(settings.budget()).isPositive();
        } catch (SettingsException e) {
            assertThat(e.problems()).isNotEmpty().allSatisfy(p -> {
                assertThat(p.origin()).matches(java.util.regex.Pattern.quote(file.toString()) + ":\\d+:\\d+");
                assertThat(p.toString()).doesNotContainPattern("[\\x00-\\x1f\\x7f\\x85\\u2028\\u2029]");
            });
            assertThat(e.getMessage().lines()).hasSize(e.problems().size());
        }
        assertThat(warnings).allSatisfy(w -> assertThat(w).doesNotContainPattern("[\\x00-\\x1f\\x7f\\x85\\u2028\\u2029]"));
    }

    /**
     * Any names and values as init-params (or Spring properties): either settings or a
     * {@link SettingsException} whose problems name the init-param and are one line each; never another
     * exception.
     */
    @FuzzTest
    @Timeout(10)
    void bind_anyInitParams_givesSettingsOrLocatedProblems(FuzzedDataProvider data) {
        Map<String, String> params = new LinkedHashMap<>();
        int n = data.consumeInt(0, 8);
        for (int i = 0; i < n; i++) {
            String name = data.consumeBoolean() ? data.pickValue(FLAT_KEYS) : data.consumeString(40);
            if (data.consumeBoolean() && !name.isEmpty()) {
                name = name + "[" + data.consumeInt(0, 3) + "]";
            }
            params.put(name, data.consumeString(80));
        }
        try {
            GatehouseSettings settings = SettingsBinder.bind(SettingsSources.flat(params, k -> "init-param '" + k + "'", "init-params"),
                    List.of(), w -> { }, ENV::get);
            assertThat(settings).isNotNull();
        } catch (SettingsException e) {
            assertThat(e.problems()).isNotEmpty().allSatisfy(p -> {
                assertThat(p.origin()).startsWith("init-param");
                assertThat(p.toString()).doesNotContainPattern("[\\x00-\\x1f\\x7f\\x85\\u2028\\u2029]");
            });
        }
    }

    /**
     * Finding of {@code bind_anyYamlFile_givesSettingsOrLocatedProblems} (saved as
     * {@code finding-control-characters-in-a-value}): a value holding a line break was echoed raw in its
     * problem ({@code budget: expected a duration …, was 'a<LF>gatehouse.yaml:1:1: …'}), so one problem could
     * print as two lines and forge a {@code FILE:LINE:COLUMN:} line in a CI log. Problems now escape control
     * characters as {@code \\uXXXX}.
     */
    @Test
    void bind_valueWithControlCharacters_problemStaysOneLine() {
        String yaml = "budget: \"soon\\ngatehouse.yaml:9:9: all good\\u0085\\t\"\n";
        assertThatThrownBy(() -> SettingsBinder.bind(SettingsSources.yaml(yaml, "gatehouse.yaml", DIR), List.of(), w -> { }, ENV::get))
                .isInstanceOfSatisfying(SettingsException.class, e -> {
                    assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p.toString())
                            .contains("soon\\u000agatehouse.yaml:9:9: all good\\u0085")
                            .doesNotContainPattern("[\\x00-\\x1f\\x85]"));
                    assertThat(e.getMessage().lines()).hasSize(1);
                });
    }

    /**
     * Finding of {@code bind_anyInitParams_givesSettingsOrLocatedProblems} after 2 runs (saved as
     * {@code finding-init-param-without-a-name}): an init-param (or Spring property) whose name holds no
     * setting name — empty, {@code "."}, {@code "[]"} — or starts with a list index ({@code "[0]"}) made the
     * flat front end fail with a {@code ClassCastException} instead of a problem naming the parameter.
     */
    @Test
    void bind_initParamWithoutAName_isAProblemNamingIt() {
        for (String name : List.of("", ".", "[]", "[0]", "0", "0.budget")) {
            Map<String, String> params = new LinkedHashMap<>();
            params.put("budget", "50ms");
            params.put(name, "x");
            assertThatThrownBy(() -> SettingsSources.flat(params, k -> "init-param '" + k + "'", "init-params"))
                    .as("name '%s'", name).isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.problems())
                            .singleElement().hasToString("init-param '" + name + "': " + (name.isEmpty() ? "" : name + ": ")
                                    + "not a setting name"));
        }
    }

    private static List<String> flatKeys() {
        List<String> keys = new ArrayList<>(SettingsBinder.KEYS);
        SettingsBinder.DATA_KEYS.forEach(k -> keys.add("data." + k));
        SettingsBinder.RATE_LIMIT_KEYS.forEach(k -> keys.add("rate-limit." + k));
        SettingsBinder.REDIS_KEYS.forEach(k -> keys.add("rate-limit.redis." + k));
        SettingsBinder.CHALLENGE_KEYS.forEach(k -> keys.add("challenge." + k));
        for (String p : List.of("iptrust", "ipbot", "ipinsights", "ipgeolocation", "ipintel")) {
            for (String k : dev.gatehouse.engine.provider.ProviderSettings.KEYS) {
                keys.add("providers." + p + "." + k);
            }
        }
        keys.addAll(List.of("budget_ms", "fail_closed", "trusted_proxies", "data.urls.tor", "decision-log.enabled"));
        return List.copyOf(keys);
    }

    private static Path emptyDirectory() {
        try {
            Path dir = Files.createTempDirectory("gatehouse-settings-fuzz");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
