package dev.gatehouse.proxy;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.component.ContainerLifeCycle;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The active health checks ({@code upstream-health.path}): every {@code interval}, a {@code GET} of the
 * path on every upstream; the outcome goes to {@link Upstreams#checked}. A 2xx or 3xx answer within
 * {@code timeout} passes; anything else (another status, a refused connection, a timeout) fails.
 *
 * <p>{@link #checkAll()} runs one round and is what tests call: the schedule is only the trigger.
 */
final class UpstreamHealthCheck extends ContainerLifeCycle {

    private final Upstreams upstreams;
    private final HttpClient client;
    private ScheduledExecutorService timer;

    /** With its own HTTP client, started and stopped with this (the proxy's exists only once the proxy runs). */
    UpstreamHealthCheck(Upstreams upstreams) {
        this.upstreams = Objects.requireNonNull(upstreams, "upstreams");
        this.client = new HttpClient();
        client.setConnectTimeout(upstreams.settings().health().timeout().toMillis());
        client.setFollowRedirects(false);
        client.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, "gatehouse-health-check"));
        if (!upstreams.settings().health().active()) {
            throw new IllegalStateException("upstream-health.path is not set: there is nothing to check");
        }
        addBean(client);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gatehouse-upstream-health");
            t.setDaemon(true);
            return t;
        });
        long interval = upstreams.settings().health().interval().toMillis();
        // the first round after one interval: until then every upstream counts as up, and passive marks cover a dead one
        timer.scheduleWithFixedDelay(() -> checkAll().join(), interval, interval, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() throws Exception {
        timer.shutdownNow();
        super.doStop();
    }

    /** One round: every upstream checked once; completes when all answered or timed out. */
    CompletableFuture<Void> checkAll() {
        List<CompletableFuture<Void>> checks = new ArrayList<>();
        for (Upstreams.Upstream upstream : upstreams.all()) {
            checks.add(check(upstream));
        }
        return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> check(Upstreams.Upstream upstream) {
        UpstreamSettings.Health health = upstreams.settings().health();
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            client.newRequest(upstream.origin.toString() + upstream.basePath + health.path())
                    .timeout(health.timeout().toMillis(), TimeUnit.MILLISECONDS)
                    .send(result -> {
                        int status = result.getResponse() == null ? 0 : result.getResponse().getStatus();
                        if (result.isFailed()) {
                            upstreams.checked(upstream, String.valueOf(result.getFailure()));
                        } else if (status >= 200 && status < 400) {
                            upstreams.checked(upstream, null);
                        } else {
                            upstreams.checked(upstream, "GET " + health.path() + " answered " + status);
                        }
                        done.complete(null);
                    });
        } catch (RuntimeException e) {
            upstreams.checked(upstream, String.valueOf(e));
            done.complete(null);
        }
        return done;
    }
}
