package dev.gatehouse.net;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReverseListScannerTest {

    private static List<String> all(int max, String... lines) {
        ReverseListScanner scanner = new ReverseListScanner(Arrays.asList(lines), max);
        List<String> out = new ArrayList<>();
        for (ReverseListScanner.Element e = scanner.next(); e != null; e = scanner.next()) {
            out.add(e.tooLong() ? "TOO_LONG" : e.text());
        }
        return out;
    }

    @Test
    void next_readsElementsRightToLeftAcrossLines() {
        assertThat(all(100, "a, b", "c,d ")).containsExactly("d", "c", "b", "a");
    }

    @Test
    void next_keepsEmptyElementsAndNullLines() {
        assertThat(all(100, ",a,", null, "")).containsExactly("", "", "", "a", "");
        assertThat(all(100)).isEmpty();
    }

    @Test
    void next_commaInsideQuotes_doesNotSplit() {
        assertThat(all(100, "x=\"a,b\";y=1, z")).containsExactly("z", "x=\"a,b\";y=1");
    }

    @Test
    void next_escapedQuotes_areInsideTheString() {
        assertThat(all(100, "x=\"a\\\",b\", z")).containsExactly("z", "x=\"a\\\",b\"");
        assertThat(all(100, "x=\"a\\\\\", z")).containsExactly("z", "x=\"a\\\\\"");
    }

    @Test
    void next_unterminatedQuote_swallowsToTheLineStartOnly() {
        assertThat(all(100, "a", "b, c\", d")).containsExactly("d", "b, c\"", "a");
    }

    @Test
    void next_elementAtTheLimit_isReadAndOneMoreIsTooLong() {
        String hundred = "x".repeat(100);
        assertThat(all(100, "a," + hundred)).containsExactly(hundred, "a");
        assertThat(all(100, hundred)).containsExactly(hundred);
        assertThat(all(100, "a," + hundred + "x")).containsExactly("TOO_LONG");
    }

    @Test
    void next_quoteRunningPastTheLimit_isTooLong() {
        assertThat(all(10, "a,\"" + "y".repeat(20) + "\"")).containsExactly("TOO_LONG");
    }
}
