package dev.gatehouse;

import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestFactsTest {

    private static final IpAddress IP = IpAddress.parse("192.0.2.1");

    @Test
    void header_namesAreCaseInsensitive() {
        RequestFacts facts = RequestFacts.builder(IP).header("User-Agent", "Mozilla/5.0").header("accept", "*/*").build();

        assertThat(facts.header("user-agent")).isEqualTo("Mozilla/5.0");
        assertThat(facts.header("USER-AGENT")).isEqualTo("Mozilla/5.0");
        assertThat(facts.userAgent()).isEqualTo("Mozilla/5.0");
        assertThat(facts.headers()).containsOnlyKeys("user-agent", "accept");
        assertThat(facts.header("Cookie")).isNull();
        assertThat(facts.headers("Cookie")).isEmpty();
    }

    @Test
    void header_repeated_keepsEveryValueInArrivalOrder() {
        RequestFacts facts = RequestFacts.builder(IP)
                .header("X-Forwarded-For", "203.0.113.1").header("x-forwarded-for", "203.0.113.2").header("X-FORWARDED-FOR", "203.0.113.3")
                .build();

        assertThat(facts.headers("X-Forwarded-For")).containsExactly("203.0.113.1", "203.0.113.2", "203.0.113.3");
        assertThat(facts.header("X-Forwarded-For")).isEqualTo("203.0.113.1");
    }

    @Test
    void header_nullNameOrValue_isIgnored() {
        RequestFacts facts = RequestFacts.builder(IP).header(null, "v").header("n", null).build();

        assertThat(facts.headers()).isEmpty();
    }

    @Test
    void build_factsDoNotChangeWhenTheBuilderGoesOn() {
        RequestFacts.Builder builder = RequestFacts.builder(IP).header("Accept", "text/html");
        RequestFacts first = builder.build();

        builder.header("Accept", "application/json").header("Cookie", "a=b");

        assertThat(first.headers("accept")).containsExactly("text/html");
        assertThat(first.headers()).containsOnlyKeys("accept");
        assertThat(builder.build().headers("accept")).containsExactly("text/html", "application/json");
    }

    @Test
    void headers_areImmutable() {
        RequestFacts facts = RequestFacts.builder(IP).header("Accept", "text/html").build();

        assertThatThrownBy(() -> facts.headers().put("x", List.of("y"))).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> facts.headers("accept").add("y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void builder_defaultsAndNormalisedHost() {
        RequestFacts facts = RequestFacts.builder(IP).method("post").host("Example.COM:8080").path("").build();

        assertThat(facts.method()).isEqualTo("POST");
        assertThat(facts.host()).isEqualTo("example.com");
        assertThat(facts.path()).isEqualTo("/");
        assertThat(facts.peerIp()).isEqualTo(IP);
    }

    @Test
    void toString_escapesAndShortensWhatTheClientWrote() {
        RequestFacts facts = RequestFacts.builder(IpAddress.parse("192.0.2.1"))
                .host("h".repeat(7000)).path("/a\u009b2J\nforged-line\u00e9").build();

        String logged = facts.toString();

        assertThat(logged).doesNotContain("\u009b").doesNotContain("\n").contains("\\x9b2J\\nforged-line\\xe9");
        assertThat(logged.length()).isLessThan(400);
        assertThat(logged.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
    }
}
