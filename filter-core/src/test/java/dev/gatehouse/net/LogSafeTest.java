package dev.gatehouse.net;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogSafeTest {

    @Test
    void text_plainAsciiUnchanged() {
        assertThat(LogSafe.text("GET /a?b=c Mozilla/5.0")).isEqualTo("GET /a?b=c Mozilla/5.0");
        assertThat(LogSafe.text(null)).isEqualTo("null");
    }

    @Test
    void text_controlCharactersC1AndNonAsciiEscaped() {
        assertThat(LogSafe.text("a\nb\r\tc\u0000\u001b[31m\u007f")).isEqualTo("a\\nb\\r\\tc\\x00\\x1b[31m\\x7f");
        assertThat(LogSafe.text("csi\u009b2J")).isEqualTo("csi\\x9b2J");
        assertThat(LogSafe.text("caf\u00e9 \u202e\u4e2d")).isEqualTo("caf\\xe9 \\u202e\\u4e2d");
        assertThat(LogSafe.text("back\\slash\\x41")).isEqualTo("back\\\\slash\\\\x41");
    }

    @Test
    void text_longValuesAreCutAndSaySo() {
        String host = "h".repeat(7000);

        String logged = LogSafe.text(host);

        assertThat(logged).startsWith("h".repeat(LogSafe.DEFAULT_MAX_CHARS)).endsWith("...(6800 more chars)");
        assertThat(logged.length()).isLessThan(LogSafe.DEFAULT_MAX_CHARS + 30);
        assertThat(LogSafe.text("abcdef", 3)).isEqualTo("abc...(3 more chars)");
    }

    @Test
    void text_resultHasNoControlOrNonAsciiCharacter() {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x3000; c++) {
            all.append(c);
        }

        String logged = LogSafe.text(all, Integer.MAX_VALUE);

        assertThat(logged.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
    }
}
