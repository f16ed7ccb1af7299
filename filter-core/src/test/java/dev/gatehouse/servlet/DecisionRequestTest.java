package dev.gatehouse.servlet;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.IpAddress;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

class DecisionRequestTest {

    private static HttpServletRequest clientRequest() {
        HttpServletRequest r = mock(HttpServletRequest.class);
        when(r.getHeaderNames()).thenReturn(Collections.enumeration(List.of("Accept", "X-Gatehouse-Verdict", "x-gatehouse-bot")));
        when(r.getHeader("Accept")).thenReturn("*/*");
        when(r.getHeader("X-Gatehouse-Verdict")).thenReturn("forged");
        when(r.getHeader("x-gatehouse-bot")).thenReturn("Googlebot");
        when(r.getHeaders("X-Gatehouse-Verdict")).thenReturn(Collections.enumeration(List.of("forged")));
        when(r.getIntHeader("X-Gatehouse-Threat-Score")).thenReturn(0);
        return r;
    }

    private static Decision decision() {
        Signals signals = Signals.builder(IpAddress.parse("192.0.2.1"))
                .put(Signal.THREAT_SCORE, 42, "test").put(Signal.BOT_NAME, "Bingbot", "test").build();
        return new Decision(Verdict.ALLOW, "rule/allow-bots", Decision.Response.PASS, null, signals, List.of(), Decision.Timings.NONE);
    }

    @Test
    void wrap_replacesClientSentGatehouseHeadersWithTheDecision() {
        HttpServletRequest r = DecisionRequest.wrap(clientRequest(), decision());
        assertThat(r.getHeader("x-gatehouse-verdict")).isEqualTo("allow");
        assertThat(Collections.list(r.getHeaders("X-Gatehouse-Verdict"))).containsExactly("allow");
        assertThat(r.getHeader("X-Gatehouse-Rule")).isEqualTo("rule/allow-bots");
        assertThat(r.getIntHeader("X-GATEHOUSE-THREAT-SCORE")).isEqualTo(42);
        assertThat(r.getHeader("X-Gatehouse-Bot")).isEqualTo("Bingbot");
        assertThat(r.getHeader("Accept")).isEqualTo("*/*");
        assertThat(Collections.list(r.getHeaderNames())).containsExactly("Accept", "X-Gatehouse-Verdict", "X-Gatehouse-Rule",
                "X-Gatehouse-Threat-Score", "X-Gatehouse-Bot");
    }

    @Test
    void wrap_withoutDecision_onlyHidesClientHeaders() {
        HttpServletRequest r = DecisionRequest.wrap(clientRequest(), null);
        assertThat(r.getHeader("X-Gatehouse-Verdict")).isNull();
        assertThat(r.getHeader("X-Gatehouse-Bot")).isNull();
        assertThat(r.getIntHeader("X-Gatehouse-Threat-Score")).isEqualTo(-1);
        assertThat(r.getDateHeader("X-Gatehouse-Verdict")).isEqualTo(-1);
        assertThat(Collections.list(r.getHeaders("X-Gatehouse-Verdict"))).isEmpty();
        assertThat(Collections.list(r.getHeaderNames())).containsExactly("Accept");
    }

    @Test
    void wrap_hidesEverySpellingOfTheGatehousePrefix() {
        HttpServletRequest client = mock(HttpServletRequest.class);
        List<String> forged = List.of("X_Gatehouse_Bot", "x-gatehouse_verdict", "X-Gatehouse-Explain", "X-GATEHOUSE-CLIENT-IP");
        List<String> names = new java.util.ArrayList<>(forged);
        names.add("X-Gatehousekeeping");
        when(client.getHeaderNames()).thenReturn(Collections.enumeration(names));
        forged.forEach(name -> when(client.getHeader(name)).thenReturn("forged"));
        when(client.getHeader("X-Gatehousekeeping")).thenReturn("kept");

        HttpServletRequest r = DecisionRequest.wrap(client, decision());

        assertThat(r.getHeader("X_Gatehouse_Bot")).isEqualTo("Bingbot");
        assertThat(r.getHeader("x-gatehouse_verdict")).isEqualTo("allow");
        assertThat(r.getHeader("X-Gatehouse-Explain")).isNull();
        assertThat(r.getHeader("X-GATEHOUSE-CLIENT-IP")).isNull();
        assertThat(r.getHeader("X-Gatehousekeeping")).isEqualTo("kept");
        assertThat(Collections.list(r.getHeaderNames())).containsExactly("X-Gatehousekeeping", "X-Gatehouse-Verdict", "X-Gatehouse-Rule",
                "X-Gatehouse-Threat-Score", "X-Gatehouse-Bot");
    }
}
