package dev.gatehouse.policy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gatehouse.api.Policy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the policy loader (Jazzer) on arbitrary YAML bytes. Saved inputs (the shipped
 * policies, the good and bad fixtures, and what fuzzing found) live under
 * {@code src/test/resources/dev/gatehouse/policy/PolicyLoaderFuzzTestInputs/<method>/}; see
 * docs/reliability.md, "Fuzzing", for the fuzzing command.
 */
class PolicyLoaderFuzzTest {

    /** CIDR list files named by a fuzzed policy resolve here: an empty directory, so nothing real is read by accident. */
    private static final Path BASE = emptyDirectory();
    private static final PolicyLoader LOADER = PolicyLoader.builder().meterRegistry(new SimpleMeterRegistry())
            .maximumBuckets(1_000).build();

    /**
     * Any bytes as a policy: loading either compiles a policy or throws {@link PolicyException} (never
     * another exception or error), whose problems are located and kinded, and whose messages hold no
     * control characters (each problem is one log line, whatever the file contains).
     */
    @FuzzTest
    @Timeout(10) // a hang is a finding: fuzzing reports an input slower than this (libFuzzer -timeout)
    void parse_anyYaml_compilesOrReportsProblems(byte[] input) {
        String yaml = new String(input, StandardCharsets.UTF_8);
        try {
            Policy policy = LOADER.parse(yaml, BASE.resolve("fuzz.yaml").toString());
            assertThat(policy).isNotNull();
        } catch (PolicyException e) {
            assertThat(e.problems()).isNotEmpty().allSatisfy(p -> {
                assertThat(p.kind()).isNotNull();
                assertThat(p.line()).isNotNegative();
                assertThat(p.column()).isNotNegative();
                assertThat(p.message()).doesNotContainPattern("[\\x00-\\x1f\\x7f]");
            });
        }
    }

    /**
     * Any text past the size limit is refused as {@link PolicyProblem.Kind#TOO_LARGE} before any parsing,
     * whatever it holds.
     */
    @FuzzTest
    void parse_anyOversizedYaml_isTooLarge(byte[] input) {
        String unit = input.length == 0 ? "a" : new String(input, StandardCharsets.UTF_8);
        StringBuilder big = new StringBuilder(YamlNodes.MAX_CHARS + unit.length() + 1);
        while (big.length() <= YamlNodes.MAX_CHARS) {
            big.append(unit.isEmpty() ? "a" : unit);
        }
        try {
            LOADER.parse(big.toString(), BASE.resolve("big.yaml").toString());
            throw new AssertionError("a policy over the limit was accepted");
        } catch (PolicyException e) {
            assertThat(e.problems()).extracting(PolicyProblem::kind).containsExactly(PolicyProblem.Kind.TOO_LARGE);
        }
    }

    /**
     * Finding of {@code parse_anyYaml_compilesOrReportsProblems} (saved as {@code finding-control-characters-in-a-key}):
     * a key holding tabs, or a quoted key holding a line break, was echoed raw in the problem message, so one
     * problem could print as several lines, or forge a {@code FILE:LINE:COLUMN:} line in a CI log. Control
     * characters are now escaped as {@code \\uXXXX} in every problem's message and path.
     */
    @Test
    void parse_keyWithControlCharacters_problemStaysOneLine() {
        String yaml = "default: allow\nrules:\n  - name: x\n    action: allow\n    \"a\\nfake.yaml:1:1: all good\\tx\": 1\n";
        try {
            LOADER.parse(yaml, "<inline>");
            throw new AssertionError("an unknown key was accepted");
        } catch (PolicyException e) {
            assertThat(e.problems()).singleElement().satisfies(p -> {
                assertThat(p.kind()).isEqualTo(PolicyProblem.Kind.UNKNOWN_KEY);
                assertThat(p.message()).contains("a\\u000afake.yaml:1:1: all good\\u0009x").doesNotContain("\n", "\t");
            });
            assertThat(e.getMessage().lines()).hasSize(1);
        }
    }

    private static Path emptyDirectory() {
        try {
            Path dir = Files.createTempDirectory("gatehouse-policy-fuzz");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
