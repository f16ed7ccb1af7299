package dev.gatehouse.spring;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.Decision;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.servlet.FilterOptions;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.util.Objects;

/**
 * Gatehouse as a WebFlux {@link WebFilter}, for every request the application handles:
 * {@code resolveClientIp → requestFacts → decide → enforce} as {@link ReactiveGatehouse} does them (the
 * same steps as Spring Cloud Gateway's {@link GatehouseGlobalFilter}).
 * <ul>
 *   <li><b>allow</b> (and any shadowed decision): the decision is the exchange attribute
 *       {@value Decision#REQUEST_ATTRIBUTE}, the application sees the {@code X-Gatehouse-*} request
 *       headers (client-sent ones are removed) and the chain continues;</li>
 *   <li><b>block / rate_limit</b>: the refusal's status, headers and JSON or HTML body; the chain is not called.</li>
 * </ul>
 * It never blocks the event loop (see {@link ReactiveGatehouse}). To skip some requests, subclass it and
 * override {@link #filter} (calling {@code chain.filter(exchange)} for those).
 */
public class GatehouseWebFilter implements WebFilter, Ordered {

    private final ReactiveGatehouse gatehouse;
    private final int order;

    /**
     * @param order the filter's place among WebFilters; {@link GatehouseProperties#DEFAULT_FILTER_ORDER} runs before
     *              Spring Security's WebFilterChainProxy (-100)
     */
    public GatehouseWebFilter(Gatehouse gatehouse, ClientIpResolver resolver, FilterOptions options, int order) {
        this(new ReactiveGatehouse(gatehouse, resolver, options), order);
    }

    /** On a {@link ReactiveGatehouse} of your own (a subclass with other {@code resolveClientIp} or {@code requestFacts} steps). */
    public GatehouseWebFilter(ReactiveGatehouse gatehouse, int order) {
        this.gatehouse = Objects.requireNonNull(gatehouse, "gatehouse");
        this.order = order;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
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

    /** How client addresses are found. */
    public ClientIpResolver resolver() {
        return gatehouse.resolver();
    }

    /** How decisions are enforced. */
    public FilterOptions options() {
        return gatehouse.options();
    }
}
