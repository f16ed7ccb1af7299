package dev.gatehouse.spring;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.Decision;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.servlet.FilterOptions;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.util.Objects;

/**
 * Gatehouse as a Spring Cloud Gateway {@link GlobalFilter}: every request the gateway routes is decided
 * before any route filter runs, with the WebFlux filter's steps ({@link ReactiveGatehouse}: same core,
 * same refusals, never blocking the event loop).
 * <ul>
 *   <li><b>allow</b>: the request is routed with the {@code X-Gatehouse-*} headers set (client-sent ones
 *       removed), so the services behind the gateway receive the decision as they would behind the
 *       Gatehouse proxy; the decision is also the exchange attribute {@value Decision#REQUEST_ATTRIBUTE}
 *       for the route's own filters;</li>
 *   <li><b>block / rate_limit</b>: answered by the gateway (403, 429 with {@code Retry-After}); the
 *       upstream never sees the request.</li>
 * </ul>
 * It runs at {@link #DEFAULT_ORDER}: before the gateway's own global filters that write the response
 * ({@code NettyWriteResponseFilter}, -1) and route ({@code RouteToRequestUrlFilter}, 10000; the routing
 * filters at the lowest precedence), after only the request-body cache filters at the highest precedence.
 */
public class GatehouseGlobalFilter implements GlobalFilter, Ordered {

    /** Before every routing and response-writing global filter of the gateway; see the class comment. */
    public static final int DEFAULT_ORDER = -10_000;

    private final ReactiveGatehouse gatehouse;
    private final int order;

    public GatehouseGlobalFilter(Gatehouse gatehouse, ClientIpResolver resolver, FilterOptions options) {
        this(new ReactiveGatehouse(gatehouse, resolver, options), DEFAULT_ORDER);
    }

    /** On a {@link ReactiveGatehouse} of your own, at {@code order} among the gateway's global filters. */
    public GatehouseGlobalFilter(ReactiveGatehouse gatehouse, int order) {
        this.gatehouse = Objects.requireNonNull(gatehouse, "gatehouse");
        this.order = order;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        return gatehouse.filter(exchange, chain::filter);
    }

    @Override
    public int getOrder() {
        return order;
    }

    /** The Gatehouse deciding for this filter. */
    public Gatehouse gatehouse() {
        return gatehouse.gatehouse();
    }
}
