package dev.gatehouse.enforcement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PagesTest {

    @TempDir
    Path dir;

    @Test
    void render_default_saysWhatHappenedTheIdAndWhenToRetry() {
        String page = Pages.defaults().render(429, null, "01abc", 30);
        assertThat(page).contains("<title>429 Too many requests</title>", "You sent too many requests", "Please try again in 30 seconds.",
                "<code id=\"request-id\">01abc</code>", "<style>").doesNotContain("<script", "http://", "https://", "Jetty");
        assertThat(Pages.defaults().render(503, null, "x", -1)).contains("Please try again in a moment.");
        assertThat(Pages.defaults().render(403, "Go away (rule r).", "x", -1)).contains("Access denied", "Go away (rule r).",
                "give them the request id");
        assertThat(Pages.defaults().render(404, null, "x", -1)).contains("Not found").doesNotContain("try again");
    }

    @Test
    void render_escapesEveryValue() {
        String page = Pages.defaults().render(403, "<script>alert('x')</script> & \"q\"\u0007", "id\"><b>", -1);
        assertThat(page).doesNotContain("<script>alert", "<b>", "\u0007")
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;", "id&quot;&gt;&lt;b&gt;");
    }

    @Test
    void retry_inPlainWords() {
        assertThat(Pages.retry(429, 1)).isEqualTo("Please try again in a second.");
        assertThat(Pages.retry(429, 600)).isEqualTo("Please try again in 10 minutes.");
        assertThat(Pages.retry(429, 7200)).isEqualTo("Please try again in 2 hours.");
        assertThat(Pages.retry(403, -1)).isEmpty();
        assertThat(Pages.retryAfterSeconds("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(-1);
    }

    @Test
    void template_operatorsOwn_withPlaceholders() throws Exception {
        Path file = dir.resolve("page.html");
        Files.writeString(file, "<p>{{status}}|{{title}}|{{ message }}|{{retry_after}}|{{request_id}}</p>");
        assertThat(Pages.template(file).render(429, null, "r1", 5)).isEqualTo("<p>429|Too many requests|You sent too many requests in a short time.|5|r1</p>");
    }

    @Test
    void template_missingOrBroken_failsNamingTheFileAndLine() throws Exception {
        Path missing = dir.resolve("nope.html");
        assertThatThrownBy(() -> Pages.template(missing)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pages.template " + missing).hasMessageContaining("no such file");
        Path unknown = dir.resolve("unknown.html");
        Files.writeString(unknown, "<p>\n{{request-id}}</p>");
        assertThatThrownBy(() -> Pages.template(unknown)).hasMessageContaining(unknown + ":2: unknown placeholder {{request-id}}")
                .hasMessageContaining("did you mean 'request_id'");
        Path unclosed = dir.resolve("unclosed.html");
        Files.writeString(unclosed, "<p>{{status</p>");
        assertThatThrownBy(() -> Pages.template(unclosed)).hasMessageContaining(":1: '{{' is never closed");
        Path binary = dir.resolve("binary.html");
        Files.write(binary, new byte[]{(byte) 0xff, (byte) 0xfe, 0});
        assertThatThrownBy(() -> Pages.template(binary)).hasMessageContaining("not UTF-8");
    }
}
