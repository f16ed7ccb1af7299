package dev.gatehouse.engine.embedded;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddedEngineBuilderTest {

    @Test
    void url_unknownFeed_rejectedNamingIt() {
        assertThatThrownBy(() -> EmbeddedEngine.builder().url("torr", URI.create("https://example.org/x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("url: unknown feed 'torr'");
    }

    @Test
    void url_fileScheme_rejected() {
        assertThatThrownBy(() -> EmbeddedEngine.builder().url("tor", URI.create("file:///etc/passwd")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scheme must be http or https");
    }

    @Test
    void refreshInterval_tooShort_rejected() {
        assertThatThrownBy(() -> EmbeddedEngine.builder().refreshInterval(Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("refreshInterval must be at least 10 seconds, not PT1S");
    }

    @Test
    void maxAge_unknownSetOrNonPositive_rejected() {
        assertThatThrownBy(() -> EmbeddedEngine.builder().maxAge("nope", Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("maxAge: unknown data set 'nope'");
        assertThatThrownBy(() -> EmbeddedEngine.builder().maxAge("tor", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAge for tor must be positive, not PT0S");
    }

    @Test
    void build_onlyAndExclude_conflict() {
        assertThatThrownBy(() -> EmbeddedEngine.builder().only("tor").exclude("asn").build())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void feedKeys_oneKeyPerFile() {
        assertThat(EmbeddedEngine.feedKeys()).contains("tor", "aws", "asn-ipv4", "asn-ipv6", "x4bnet-datacenter-ipv4").doesNotHaveDuplicates();
    }

    @Test
    void meterRegistry_ageGaugePerDataSet() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (EmbeddedEngine e = EmbeddedEngine.builder().only("bogons").crawlerRanges(sink -> { })
                .clock(java.time.Clock.fixed(java.time.Instant.parse("2026-07-19T00:00:00Z"), java.time.ZoneOffset.UTC))
                .meterRegistry(meters).build()) {
            assertThat(meters.get("gatehouse.engine.data.age").tag("dataset", "bogons").gauge().value()).isEqualTo(86_400.0);
            assertThat(e.sources()).extracting(s -> s.name()).containsExactly("embedded:bogons", "embedded:crawlers");
        }
    }
}
