package dev.gatehouse.crawler;

import dev.gatehouse.RequestFacts;
import dev.gatehouse.engine.Enricher;
import dev.gatehouse.engine.Signals;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Checks User-Agent crawler claims. STUB: owned by the crawler work; replace wholesale (keep the builder). */
public final class CrawlerVerifier implements Enricher {

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public CompletionStage<Signals> enrich(RequestFacts facts, Signals known) {
        return CompletableFuture.completedFuture(known);
    }

    @Override
    public String name() {
        return "rdns";
    }

    public static final class Builder {
        /** Explicit DNS servers (e.g. 127.0.0.1:5353); empty = the system resolvers. */
        public Builder dnsServers(List<InetSocketAddress> servers) {
            return this;
        }

        public CrawlerVerifier build() {
            return new CrawlerVerifier();
        }
    }
}
