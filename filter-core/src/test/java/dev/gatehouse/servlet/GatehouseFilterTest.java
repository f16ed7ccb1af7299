package dev.gatehouse.servlet;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signals;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.testing.FakeEngine;
import dev.gatehouse.testing.TestPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

class GatehouseFilterTest {

    private final FakeEngine engine = new FakeEngine();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final FilterChain chain = mock(FilterChain.class);

    private Gatehouse gatehouse(Policy policy, boolean failOpen) {
        return Gatehouse.builder().engine(engine).policy(policy).failOpen(failOpen).budget(Duration.ofMillis(20))
                .meterRegistry(registry).build();
    }

    private GatehouseFilter filter(Gatehouse gatehouse) {
        return new GatehouseFilter(gatehouse, ClientIpResolver.direct(), FilterOptions.builder().waitMargin(Duration.ZERO).build());
    }

    private static HttpServletRequest request(String remoteAddr) {
        HttpServletRequest r = mock(HttpServletRequest.class);
        when(r.getRemoteAddr()).thenReturn(remoteAddr);
        when(r.getMethod()).thenReturn("GET");
        when(r.getServerName()).thenReturn("Example.COM");
        when(r.getContextPath()).thenReturn("/app");
        when(r.getServletPath()).thenReturn("/admin");
        when(r.getPathInfo()).thenReturn("/users");
        when(r.getRequestURI()).thenReturn("/app/x/%2e%2e/admin/users");
        when(r.getHeaderNames()).thenReturn(Collections.enumeration(List.of("User-Agent", "X-Forwarded-For")));
        when(r.getHeaders("User-Agent")).thenReturn(Collections.enumeration(List.of("curl/8")));
        when(r.getHeaders("X-Forwarded-For")).thenAnswer(i -> Collections.enumeration(List.of("192.0.2.66")));
        when(r.getHeaders("Forwarded")).thenAnswer(i -> Collections.enumeration(List.of()));
        return r;
    }

    private static HttpServletResponse response() throws Exception {
        HttpServletResponse r = mock(HttpServletResponse.class);
        when(r.getOutputStream()).thenReturn(mock(ServletOutputStream.class));
        return r;
    }

    @Test
    void doFilter_nonHttpRequest_passesThroughUntouched() throws Exception {
        ServletRequest request = mock(ServletRequest.class);
        ServletResponse response = mock(ServletResponse.class);
        filter(gatehouse(TestPolicy.torBlocking(), true)).doFilter(request, response, chain);
        verify(chain).doFilter(request, response);
        assertThat(engine.lookups()).isZero();
    }

    @Test
    void doFilter_requestAlreadyDecided_isNotDecidedAgain() throws Exception {
        HttpServletRequest request = request("203.0.113.5");
        when(request.getAttribute(Decision.REQUEST_ATTRIBUTE)).thenReturn(mock(Decision.class));
        HttpServletResponse response = response();
        filter(gatehouse(TestPolicy.torBlocking(), true)).doFilter(request, response, chain);
        verify(chain).doFilter(request, response);
        assertThat(engine.lookups()).isZero();
    }

    @Test
    void doFilter_allow_setsTheAttributeAndContinuesWithWrappedRequest() throws Exception {
        HttpServletRequest request = request("203.0.113.5");
        filter(gatehouse(TestPolicy.torBlocking(), true)).doFilter(request, response(), chain);
        ArgumentCaptor<Decision> decision = ArgumentCaptor.forClass(Decision.class);
        verify(request).setAttribute(eq(Decision.REQUEST_ATTRIBUTE), decision.capture());
        assertThat(decision.getValue().rule()).isEqualTo("default/allow");
        ArgumentCaptor<ServletRequest> passed = ArgumentCaptor.forClass(ServletRequest.class);
        verify(chain).doFilter(passed.capture(), any());
        assertThat(((HttpServletRequest) passed.getValue()).getHeader("X-Gatehouse-Verdict")).isEqualTo("allow");
    }

    @Test
    void doFilter_block_answers403WithoutCallingTheChain() throws Exception {
        engine.tor("203.0.113.5");
        HttpServletResponse response = response();
        filter(gatehouse(TestPolicy.torBlocking(), true)).doFilter(request("203.0.113.5"), response, chain);
        verify(response).setStatus(403);
        verify(response).setHeader("Cache-Control", "no-store");
        verify(chain, never()).doFilter(any(), any());
    }

    @Test
    void doFilter_shadowedBlock_isAllowed() throws Exception {
        engine.tor("203.0.113.5");
        PolicyFunction shadow = (request, signals) -> new Decision(dev.gatehouse.api.Verdict.BLOCK, "rule/block-tor",
                new Decision.Response(403, Map.of(), "Forbidden"), dev.gatehouse.api.Verdict.BLOCK, signals, List.of(), Decision.Timings.NONE);
        filter(gatehouse(named(shadow), true)).doFilter(request("203.0.113.5"), response(), chain);
        verify(chain).doFilter(any(), any());
    }

    @Test
    void doFilter_refusalWithoutStatus_usesTheDesignDefault() throws Exception {
        PolicyFunction noStatus = (request, signals) -> new Decision(dev.gatehouse.api.Verdict.RATE_LIMIT, "rule/x",
                new Decision.Response(0, Map.of("Retry-After", "7"), "slow down"), null, signals, List.of(), Decision.Timings.NONE);
        HttpServletResponse response = response();
        filter(gatehouse(named(noStatus), true)).doFilter(request("203.0.113.5"), response, chain);
        verify(response).setStatus(429);
        verify(response).setHeader("Retry-After", "7");
    }

    @Test
    void doFilter_decisionLaterThanBudgetPlusMargin_failOpenContinues() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try {
            GatehouseFilter filter = filter(gatehouse(stuckPolicy(release), true));
            HttpServletRequest request = request("203.0.113.5");
            filter.doFilter(request, response(), chain);
            verify(chain).doFilter(any(), any());
            ArgumentCaptor<Decision> decision = ArgumentCaptor.forClass(Decision.class);
            verify(request).setAttribute(eq(Decision.REQUEST_ATTRIBUTE), decision.capture());
            assertThat(decision.getValue().rule()).isEqualTo("error/timeout");
            assertThat(registry.get("gatehouse.filter.overruns").counter().count()).isEqualTo(1);
        } finally {
            release.countDown();
        }
    }

    @Test
    void doFilter_decisionLaterThanBudgetPlusMargin_failClosedAnswers503() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try {
            HttpServletResponse response = response();
            filter(gatehouse(stuckPolicy(release), false)).doFilter(request("203.0.113.5"), response, chain);
            verify(response).setStatus(503);
            verify(chain, never()).doFilter(any(), any());
        } finally {
            release.countDown();
        }
    }

    @Test
    void doFilter_peerIsNotAnIpAddress_failOpenPassesWithoutLookup() throws Exception {
        HttpServletRequest request = request("unix:/run/app.sock");
        filter(gatehouse(TestPolicy.torBlocking(), true)).doFilter(request, response(), chain);
        ArgumentCaptor<ServletRequest> passed = ArgumentCaptor.forClass(ServletRequest.class);
        verify(chain).doFilter(passed.capture(), any());
        assertThat(engine.lookups()).isZero();
        // the same decision the proxy makes for such a peer: named, and never taken for a loopback client
        ArgumentCaptor<Decision> decision = ArgumentCaptor.forClass(Decision.class);
        verify(request).setAttribute(eq(Decision.REQUEST_ATTRIBUTE), decision.capture());
        assertThat(decision.getValue().rule()).isEqualTo("error/peer-not-ip");
        assertThat(((HttpServletRequest) passed.getValue()).getHeader("X-Gatehouse-Rule")).isEqualTo("error/peer-not-ip");
    }

    @Test
    void doFilter_peerIsNotAnIpAddress_failClosedAnswers503() throws Exception {
        HttpServletResponse response = response();
        filter(gatehouse(TestPolicy.torBlocking(), false)).doFilter(request(""), response, chain);
        verify(response).setStatus(503);
        verify(response).setHeader("Cache-Control", "no-store");
        verify(chain, never()).doFilter(any(), any());
    }

    @Test
    void doFilter_notInitialised_isAnError() {
        assertThatThrownBy(() -> new GatehouseFilter().doFilter(request("203.0.113.5"), response(), chain))
                .isInstanceOf(ServletException.class).hasMessageContaining("not initialised");
    }

    @Test
    void requestFacts_useTheMappedPathTheResolvedClientAndAllHeaders() {
        GatehouseFilter filter = filter(gatehouse(TestPolicy.torBlocking(), true));
        HttpServletRequest request = request("[2001:db8::1]");
        IpAddress peer = GatehouseFilter.peerAddress(request);
        assertThat(peer).hasToString("2001:db8::1");
        RequestFacts facts = filter.requestFacts(request, filter.resolveClientIp(request, peer).clientIp(), peer);
        assertThat(facts.clientIp()).isEqualTo(peer); // direct resolver: the forged X-Forwarded-For is ignored
        assertThat(facts.path()).isEqualTo("/app/admin/users");
        assertThat(facts.host()).isEqualTo("example.com");
        assertThat(facts.userAgent()).isEqualTo("curl/8");
        assertThat(facts.headers("x-forwarded-for")).containsExactly("192.0.2.66");
    }

    @Test
    void init_programmaticFilter_ignoresInitParams() throws Exception {
        FilterConfig config = config(Map.of("nonsense", "x"));
        GatehouseFilter filter = filter(gatehouse(TestPolicy.torBlocking(), true));
        filter.init(config);
        filter.destroy();
        assertThat(engine.isClosed()).isFalse(); // the caller owns the Gatehouse
    }

    @Test
    void init_unknownParam_failsNamingTheFilterAndParam() {
        assertThatThrownBy(() -> new GatehouseFilter().init(config(Map.of("policy", "p.yaml", "budgte", "10ms"))))
                .isInstanceOf(ServletException.class)
                .hasMessageContaining("GatehouseFilter 'gatehouse'")
                .hasMessageContaining("init-param 'budgte': budgte: unknown key (did you mean 'budget'?)");
    }

    @Test
    void init_policyThatCannotBeLoaded_failsNamingThePath() {
        assertThatThrownBy(() -> new GatehouseFilter().init(config(Map.of("policy", "/nonexistent/gatehouse-policy.yaml"))))
                .isInstanceOf(ServletException.class)
                .hasMessageContaining("policy: no such file: /nonexistent/gatehouse-policy.yaml (looked for /nonexistent/gatehouse-policy.yaml)");
    }

    private static FilterConfig config(Map<String, String> params) {
        FilterConfig config = mock(FilterConfig.class);
        when(config.getFilterName()).thenReturn("gatehouse");
        when(config.getInitParameterNames()).thenReturn(Collections.enumeration(params.keySet()));
        params.forEach((k, v) -> when(config.getInitParameter(k)).thenReturn(v));
        return config;
    }

    /** A policy that blocks its thread until released. */
    private Policy stuckPolicy(CountDownLatch release) {
        // the engine never answers, so the policy runs on Gatehouse's scheduler when the budget ends and the filter's own wait runs out
        engine.hang("203.0.113.5");
        return named((request, signals) -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return TestPolicy.torBlocking().evaluate(request, signals);
        });
    }

    /** Adapts a lambda to {@link Policy}. */
    private Policy named(PolicyFunction f) {
        return new Policy() {
            @Override
            public Decision evaluate(RequestFacts request, Signals signals) {
                return f.evaluate(request, signals);
            }

            @Override
            public String name() {
                return "lambda";
            }

            @Override
            public String version() {
                return "0";
            }
        };
    }

    @FunctionalInterface
    private interface PolicyFunction {
        Decision evaluate(RequestFacts request, Signals signals);
    }

}
