package dev.gatehouse.policies;

import dev.gatehouse.policy.PolicyLoader;
import dev.gatehouse.policy.PolicyTestRunner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every policy of the library parses, declares its schema and intent, and passes its own tests. */
class PolicyLibraryTest {

    /** The module directory: Surefire runs with it as the working directory. */
    static final Path LIBRARY = Path.of("").toAbsolutePath();

    static Stream<Path> policies() throws IOException {
        try (Stream<Path> files = Files.list(LIBRARY)) {
            List<Path> list = files.filter(p -> p.getFileName().toString().endsWith(".yaml"))
                    .filter(p -> !p.getFileName().toString().endsWith(".test.yaml"))
                    .sorted().toList();
            assertThat(list).extracting(p -> p.getFileName().toString())
                    .contains("default.yaml", "strict.yaml", "api.yaml", "ai-crawlers.yaml", "monitor.yaml");
            return list.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policies")
    void policy_parses(Path policy) {
        assertThat(PolicyLoader.defaults().check(policy)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policies")
    void policy_startsWithSchemaAndIntent(Path policy) throws IOException {
        List<String> lines = Files.readAllLines(policy);
        assertThat(lines.get(0)).isEqualTo("# yaml-language-server: $schema=./gatehouse-policy.schema.json");
        assertThat(lines.subList(1, 6)).anySatisfy(line -> assertThat(line).startsWith("# " + policy.getFileName()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policies")
    void policy_neverKeysALimitByBareAddress(Path policy) throws IOException {
        // key: ip counts every IPv6 address on its own, and a client holds a whole /64 to rotate through
        // (issue 9): the library keys clients with ip_prefix, {v4: 32, v6: 64} for "one client"
        assertThat(Files.readAllLines(policy)).noneSatisfy(line ->
                assertThat(line).matches("\\s*key:\\s*(\\[.*\\bip\\b(?!_).*\\]|ip)\\s*(#.*)?"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policies")
    void policy_passesItsTests(Path policy) {
        String name = policy.getFileName().toString();
        Path tests = policy.resolveSibling(name.substring(0, name.length() - ".yaml".length()) + ".test.yaml");
        assertThat(tests).exists();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int failures = PolicyTestRunner.run(List.of(tests), new PrintStream(buffer, true, StandardCharsets.UTF_8));
        String report = buffer.toString(StandardCharsets.UTF_8);
        assertThat(failures).as(report).isZero();
        assertThat(report).as("a test file with no cases proves nothing").doesNotContain(": 0 passed");
    }
}
