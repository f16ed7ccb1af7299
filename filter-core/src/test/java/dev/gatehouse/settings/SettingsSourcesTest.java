package dev.gatehouse.settings;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsSourcesTest {

    @Test
    void yaml_overOneMebibyteOfComments_isRefusedOnBytesRead(@TempDir Path dir) throws IOException {
        StringBuilder text = new StringBuilder("budget: 50ms\n");
        String comment = "# " + "x".repeat(1000) + "\n";
        while (text.length() <= SettingsSources.MAX_BYTES) {
            text.append(comment);
        }
        Path file = Files.writeString(dir.resolve("gatehouse.yaml"), text);

        assertThatThrownBy(() -> SettingsSources.yaml(file))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("gatehouse.yaml:1:1: the file has " + Files.size(file) + " bytes; the limit is 1048576");
        assertThatThrownBy(() -> SettingsSources.yaml(text.toString(), "inline.yaml", null))
                .hasMessageContaining("the limit is 1048576");
    }

    @Test
    void yaml_multiByteCharacters_countAsBytes() {
        // 600 Ki three-byte characters: under the limit in chars, over it in bytes
        String text = "# " + "€".repeat(600 * 1024) + "\nbudget: 50ms\n";
        assertThat(text.length()).isLessThan(SettingsSources.MAX_BYTES);
        assertThatThrownBy(() -> SettingsSources.yaml(text, "g.yaml", null)).hasMessageContaining("bytes; the limit is 1048576");
    }

    @Test
    void yaml_missingFile_saysWhereItLooked(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> SettingsSources.yaml(missing))
                .hasMessage(missing + ": no such file (looked for " + missing.toAbsolutePath() + ")");
    }

    @Test
    void yaml_notAMappingOrBrokenYaml_pointsAtTheSpot() {
        assertThatThrownBy(() -> SettingsSources.yaml("- a\n- b\n", "g.yaml", null)).hasMessage("g.yaml:1:1: the file must be a mapping of keys (policy:, budget:, …)");
        assertThatThrownBy(() -> SettingsSources.yaml("budget: [50ms\n", "g.yaml", null)).hasMessageStartingWith("g.yaml:2:1: not valid YAML");
        assertThatThrownBy(() -> SettingsSources.yaml("budget: 1\nbudget: 2\n", "g.yaml", null)).hasMessageContaining("duplicate key");
    }

    @Test
    void flat_indexesBracketsAndOpaqueKeys() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("trusted-proxies[1]", "private");
        values.put("trusted-proxies[0]", "loopback");
        values.put("data.urls.crawlers/google/common-crawlers.json", "https://a.example/g.json");
        values.put("data.urls[crawlers/bing/bingbot.json]", "https://a.example/b.json");
        values.put("dns-servers", List.of("127.0.0.1", "9.9.9.9"));

        SettingsNode.Mapping tree = SettingsSources.flat(values, n -> n, "test");

        assertThat(tree.plain()).isEqualTo(Map.of(
                "trusted-proxies", List.of("loopback", "private"),
                "data", Map.of("urls", Map.of("crawlers/google/common-crawlers.json", "https://a.example/g.json",
                        "crawlers/bing/bingbot.json", "https://a.example/b.json")),
                "dns-servers", List.of("127.0.0.1", "9.9.9.9")));
    }

    @Test
    void overlay_flagsWinAndMappingsMerge() {
        SettingsNode.Mapping file = SettingsSources.yaml("budget: 50ms\nadmin:\n  listen: 127.0.0.1:9090\n  token-env: T\n", "g.yaml", null);
        SettingsNode.Mapping flags = SettingsSources.flat(Map.of("budget", "80ms", "admin.listen", "127.0.0.1:9999"), n -> "--" + n, "flags");

        SettingsNode.Mapping merged = file.overlay(flags);

        assertThat(merged.plain()).isEqualTo(Map.of("budget", "80ms", "admin", Map.of("listen", "127.0.0.1:9999", "token-env", "T")));
        assertThat(merged.get("budget").origin()).isEqualTo("--budget");
    }

    @Test
    void nodes_equalByValueWhereverTheyCameFrom() {
        SettingsNode a = SettingsSources.yaml("budget: 50ms\n", "a.yaml", null);
        SettingsNode b = SettingsSources.flat(Map.of("budget", "50ms"), n -> "init-param", "params");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(new String(new byte[0], StandardCharsets.UTF_8)).isEmpty();
    }
}
