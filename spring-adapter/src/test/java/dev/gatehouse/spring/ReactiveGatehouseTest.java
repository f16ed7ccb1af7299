package dev.gatehouse.spring;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.net.TrustedProxies;
import dev.gatehouse.servlet.FilterOptions;
import dev.gatehouse.testing.FakeEngine;
import dev.gatehouse.testing.TestPolicy;
import org.junit.jupiter.api.Test;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ReactiveGatehouse} on a request that is not Reactor Netty's own (Spring's mock request): the
 * portable path, where the upstream headers go through a request copy. The Reactor Netty path is the
 * one of the real-server tests (WebFluxServerTest, GatewayServerTest).
 */
class ReactiveGatehouseTest {

    private static final String TOR_EXIT = "192.0.2.66";

    private final Gatehouse gatehouse = Gatehouse.builder().engine(new FakeEngine().tor(TOR_EXIT)).policy(TestPolicy.torBlocking()).build();
    private final ClientIpResolver resolver = ClientIpResolver.trusting(TrustedProxies.loopback());

    private static MockServerWebExchange exchange(String forwardedFor, String... headers) {
        MockServerHttpRequest.BaseBuilder<?> request = MockServerHttpRequest.get("/hello")
                .remoteAddress(new InetSocketAddress("127.0.0.1", 40000)).header("X-Forwarded-For", forwardedFor);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return MockServerWebExchange.from(request);
    }

    private static ServerWebExchange run(ReactiveGatehouse reactive, MockServerWebExchange exchange) {
        AtomicReference<ServerWebExchange> next = new AtomicReference<>();
        reactive.filter(exchange, passed -> {
            next.set(passed);
            return Mono.empty();
        }).block();
        return next.get();
    }

    @Test
    void allow_portablePath_setsUpstreamHeaders_andRemovesForgedOnes() {
        ReactiveGatehouse reactive = new ReactiveGatehouse(gatehouse, resolver, FilterOptions.defaults());
        ServerWebExchange passed = run(reactive, exchange("198.51.100.7", "X-Gatehouse-Verdict", "forged", "x_gatehouse_client_ip", "forged"));
        assertThat(passed).isNotNull();
        assertThat(passed.getRequest().getHeaders().getFirst("X-Gatehouse-Verdict")).isEqualTo("allow");
        assertThat(passed.getRequest().getHeaders().getFirst("X-Gatehouse-Rule")).isEqualTo("default/allow");
        assertThat(passed.getRequest().getHeaders().containsHeader("x_gatehouse_client_ip")).isFalse();
        assertThat(passed.<Decision>getAttribute(Decision.REQUEST_ATTRIBUTE)).isNotNull();
        assertThat(passed.getResponse().getHeaders().containsHeader("X-Gatehouse-Explain")).isFalse();
    }

    @Test
    void allow_upstreamHeadersOff_nothingForged_andTheTrustedProxysRequestIdKept_passesTheSameExchange() {
        ReactiveGatehouse reactive = new ReactiveGatehouse(gatehouse, resolver, FilterOptions.builder().upstreamHeaders(false).build());
        MockServerWebExchange exchange = exchange("198.51.100.7", "X-Request-Id", "lb-0001");
        assertThat(run(reactive, exchange)).isSameAs(exchange);
        assertThat(exchange.getResponse().getHeaders().getFirst("X-Request-Id")).isEqualTo("lb-0001");
    }

    @Test
    void allow_withoutARequestId_theApplicationSeesTheGeneratedOne() {
        ReactiveGatehouse reactive = new ReactiveGatehouse(gatehouse, resolver, FilterOptions.builder().upstreamHeaders(false).build());
        MockServerWebExchange exchange = exchange("198.51.100.7");
        ServerWebExchange passed = run(reactive, exchange);
        String id = exchange.getResponse().getHeaders().getFirst("X-Request-Id");
        assertThat(id).isNotBlank();
        assertThat(passed.getRequest().getHeaders().getFirst("X-Request-Id")).isEqualTo(id);
    }

    @Test
    void explainHeader_onAllow_namesTheClientAndHowItWasFound() {
        ReactiveGatehouse reactive = new ReactiveGatehouse(gatehouse, resolver, FilterOptions.builder().explainHeader(true).build());
        MockServerWebExchange exchange = exchange("198.51.100.7");
        run(reactive, exchange);
        assertThat(exchange.getResponse().getHeaders().getFirst("X-Gatehouse-Explain"))
                .startsWith("allow default/allow; client=198.51.100.7 (").contains("X-Forwarded-For hop 1").contains("engine=");
    }

    @Test
    void explainHeader_onBlock_isOnTheRefusal_andTheChainIsNotCalled() {
        ReactiveGatehouse reactive = new ReactiveGatehouse(gatehouse, resolver, FilterOptions.builder().explainHeader(true).build());
        MockServerWebExchange exchange = exchange(TOR_EXIT);
        assertThat(run(reactive, exchange)).isNull();
        assertThat(exchange.getResponse().getStatusCode().value()).isEqualTo(403);
        assertThat(exchange.getResponse().getHeaders().getFirst("X-Gatehouse-Explain"))
                .startsWith("block rule/block-tor; client=" + TOR_EXIT).contains("trace=block-tor:match");
    }

    @Test
    void exchangeAlreadyDecided_isNotDecidedAgain() {
        ReactiveGatehouse reactive = new ReactiveGatehouse(gatehouse, resolver, FilterOptions.defaults());
        MockServerWebExchange exchange = exchange(TOR_EXIT);
        run(reactive, exchange);
        int decisions = (int) gatehouse.meterRegistry().find("gatehouse.decisions").counters().stream().mapToDouble(c -> c.count()).sum();
        MockServerWebExchange again = exchange(TOR_EXIT);
        again.getAttributes().put(Decision.REQUEST_ATTRIBUTE, exchange.getAttribute(Decision.REQUEST_ATTRIBUTE));
        assertThat(run(reactive, again)).isSameAs(again);
        assertThat((int) gatehouse.meterRegistry().find("gatehouse.decisions").counters().stream().mapToDouble(c -> c.count()).sum())
                .isEqualTo(decisions);
    }

    /** The steps are hooks: a subclass's requestFacts is the one decided on. */
    @Test
    void requestFactsHook_overridden_isUsed() {
        ReactiveGatehouse reactive = new ReactiveGatehouse(gatehouse, resolver, FilterOptions.defaults()) {
            @Override
            protected RequestFacts requestFacts(ServerHttpRequest request, IpAddress clientIp, IpAddress peer) {
                return super.requestFacts(request, IpAddress.parse(TOR_EXIT), peer);
            }
        };
        MockServerWebExchange exchange = exchange("198.51.100.7");
        assertThat(run(reactive, exchange)).isNull();
        assertThat(exchange.getResponse().getStatusCode().value()).isEqualTo(403);
    }
}
