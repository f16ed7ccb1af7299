package dev.gatehouse.examples.servlet;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The README's command lines parse as written; a mistake is a one-line message, not a stack trace. */
class ServletAppOptionsTest {

    @Test
    void parse_readmeCommands() {
        assertThat(ServletApp.Options.parse()).isEqualTo(new ServletApp.Options(8080, null));
        assertThat(ServletApp.Options.parse("--port", "9000", "--policy", "policies/strict.yaml"))
                .isEqualTo(new ServletApp.Options(9000, "policies/strict.yaml"));
        assertThat(ServletApp.Options.parse("--port=9000")).isEqualTo(new ServletApp.Options(9000, null));
        assertThat(ServletApp.Options.parse("9000", "my-policy.yaml")).isEqualTo(new ServletApp.Options(9000, "my-policy.yaml"));
    }

    @Test
    void parse_mistakes_sayWhatIsWrong() {
        assertThatThrownBy(() -> ServletApp.Options.parse("--port", "http")).hasMessage("the port must be a number 0-65535, was 'http'");
        assertThatThrownBy(() -> ServletApp.Options.parse("--prot", "9000")).hasMessage("unknown option '--prot' (did you mean '--port'?)");
        assertThatThrownBy(() -> ServletApp.Options.parse("--port")).hasMessage("--port needs a value");
    }
}
