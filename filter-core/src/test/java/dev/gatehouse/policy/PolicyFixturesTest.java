package dev.gatehouse.policy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Good and bad policy fixtures, walked by one parameterised test each. A bad fixture states what it
 * must produce in its first lines: {@code # expect: KIND LINE:COLUMN text} ({@code *} for any position).
 */
class PolicyFixturesTest {

    private static final Pattern EXPECT = Pattern.compile("# expect: (\\w+) (\\*|\\d+):(\\*|\\d+) (.+)");

    static Path dir(String name) throws URISyntaxException {
        return Path.of(Objects.requireNonNull(PolicyFixturesTest.class.getResource(name)).toURI());
    }

    static Stream<Path> good() throws Exception {
        return list(dir("good"));
    }

    static Stream<Path> bad() throws Exception {
        return list(dir("bad"));
    }

    private static Stream<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> list = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertThat(list).isNotEmpty();
            return list.stream();
        }
    }

    private static PolicyLoader loader() {
        return PolicyLoader.builder().meterRegistry(new SimpleMeterRegistry()).build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("good")
    void load_goodFixture(Path file) {
        assertThat(loader().check(file)).isEmpty();
        assertThat(loader().load(file).version()).hasSize(12);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bad")
    void load_badFixture(Path file) throws IOException {
        List<String[]> expected = Files.readAllLines(file).stream()
                .map(EXPECT::matcher).filter(Matcher::matches)
                .map(m -> new String[] {m.group(1), m.group(2), m.group(3), m.group(4)}).toList();
        assertThat(expected).as("a bad fixture states what it expects").isNotEmpty();

        List<PolicyProblem> problems = loader().check(file);

        assertThat(problems).as("problems of %s", file).hasSize(expected.size());
        for (String[] e : expected) {
            assertThat(problems).as("expected %s at %s:%s containing '%s' among\n%s", e[0], e[1], e[2], e[3], problems)
                    .anySatisfy(p -> {
                        assertThat(p.kind().name()).isEqualTo(e[0]);
                        if (!e[1].equals("*")) {
                            assertThat(p.line()).isEqualTo(Integer.parseInt(e[1]));
                            assertThat(p.column()).isEqualTo(Integer.parseInt(e[2]));
                        }
                        assertThat(p.message()).contains(e[3]);
                    });
        }
        assertThatThrownBy(() -> loader().load(file)).isInstanceOf(PolicyException.class);
    }
}
