package dev.gatehouse.policy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every YAML example in {@code docs/policy.md} is valid: a fragment is completed into a policy (a
 * {@code when:} becomes a rule, a rule list item gets {@code rules:}, limits a default), then loaded.
 * Examples that name CIDR list files or limits get those supplied.
 */
class PolicyDocExamplesTest {

    private static final Path DOC = Path.of("..", "docs", "policy.md");
    private static final Pattern BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

    static List<String> examples() throws IOException {
        Matcher m = BLOCK.matcher(Files.readString(DOC));
        List<String> examples = new ArrayList<>();
        while (m.find()) {
            String block = m.group(1);
            // the test-file example and the schema comment are not policies
            if (!block.startsWith("policy:") && !block.startsWith("# yaml-language-server") || block.contains("default:")) {
                examples.add(block);
            }
        }
        assertThat(examples).hasSizeGreaterThan(30);
        return examples;
    }

    @ParameterizedTest
    @MethodSource("examples")
    void docExample_loads(String example, @org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        String policy = complete(example);
        Files.createDirectories(dir.resolve("lists"));
        Files.writeString(dir.resolve("lists/partners.txt"), "203.0.113.0/24\n");
        Path file = Files.writeString(dir.resolve("example.yaml"), policy);
        List<PolicyProblem> problems = PolicyLoader.builder().meterRegistry(new SimpleMeterRegistry()).build().check(file);
        assertThat(problems).as("example:\n%s\ncompleted as:\n%s", example, policy).isEmpty();
    }

    private static String complete(String example) {
        String limits = "limits:\n  per-ip: {capacity: 1, period: 1s}\n  per-client: {capacity: 1, period: 1s}\n"
                + "  anonymizers: {capacity: 1, period: 1s}\n";
        if (example.startsWith("when:")) {
            return "default: allow\nrules:\n  - name: example\n    action: block\n" + indent(example, "    ");
        }
        if (example.startsWith("- name:")) {
            return "default: allow\n" + limits + "rules:\n" + indent(example, "  ");
        }
        if (example.startsWith("limits:")) {
            return "default: allow\n" + example;
        }
        if (example.startsWith("default:")) {
            return example.contains("limit: per-client") ? limits + example : example;
        }
        if (example.startsWith("mode:")) {
            return example + "default: allow\n";
        }
        return example.contains("default:") ? example : "default: allow\n" + example;
    }

    private static String indent(String text, String prefix) {
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\n")) {
            b.append(prefix).append(line).append('\n');
        }
        return b.toString();
    }
}
