package dev.gatehouse.proxy;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.RefusalBody;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.net.IpAddress;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Puts Gatehouse in front of the handler it wraps (normally the reverse proxy): every request is
 * decided before it is passed on.
 *
 * <p>{@link #handle} reads as the request flow: {@code resolveClientIp → decide → enforce}. Deciding is
 * asynchronous: the Jetty thread returns at once and the request continues when the decision's future
 * completes, so a slow engine never holds a server thread. Enforcing means: {@code allow} → the wrapped
 * handler sees the request with the {@code X-Gatehouse-*} headers set (those the client sent are always
 * removed first); {@code rate_limit} / {@code block} → the status, headers and a small body (JSON or HTML
 * by {@code Accept}) from the decision.
 */
public final class GatehouseHandler extends Handler.Wrapper {

    /** The headers Gatehouse sets on requests it passes on; the same names are stripped from clients. */
    public static final List<String> UPSTREAM_HEADERS =
            List.of("X-Gatehouse-Verdict", "X-Gatehouse-Rule", "X-Gatehouse-Threat-Score", "X-Gatehouse-Bot");

    private static final Logger log = LoggerFactory.getLogger(GatehouseHandler.class);
    private static final Set<String> UPSTREAM_HEADERS_LOWER =
            Set.copyOf(UPSTREAM_HEADERS.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());

    private static final IpAddress LOCAL_PEER = IpAddress.parse("127.0.0.1");
    /** The verdict header of an allowed request, one field per verdict: no string or field built per request. */
    private static final Map<Verdict, HttpField> VERDICT_FIELDS = verdictFields();

    private final Gatehouse gatehouse;
    private final ClientIpResolver clientIpResolver;
    private final Counter forwarded;
    private final Counter refused;

    /**
     * @param gatehouse        the decision pipeline
     * @param clientIpResolver which peers may speak for the client in {@code X-Forwarded-For} / {@code Forwarded}
     * @param next             where allowed requests go (the reverse proxy)
     */
    public GatehouseHandler(Gatehouse gatehouse, ClientIpResolver clientIpResolver, Handler next) {
        super(Objects.requireNonNull(next, "next"));
        this.gatehouse = Objects.requireNonNull(gatehouse, "gatehouse");
        this.clientIpResolver = Objects.requireNonNull(clientIpResolver, "clientIpResolver");
        MeterRegistry registry = gatehouse.meterRegistry();
        this.forwarded = Counter.builder("gatehouse.proxy.requests").tag("outcome", "forwarded")
                .description("Requests the proxy passed upstream or refused").register(registry);
        this.refused = Counter.builder("gatehouse.proxy.requests").tag("outcome", "refused")
                .description("Requests the proxy passed upstream or refused").register(registry);
    }

    @Override
    public boolean handle(Request clientToProxyRequest, Response proxyToClientResponse, Callback proxyToClientCallback) {
        IpAddress peer = peerAddress(clientToProxyRequest.getConnectionMetaData().getRemoteSocketAddress());
        IpAddress clientIp = resolveClientIp(clientToProxyRequest, peer);
        RequestFacts facts = requestFacts(clientToProxyRequest, clientIp, peer);
        gatehouse.decide(facts).whenComplete((decision, failure) ->
                enforce(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, decision, failure));
        return true;
    }

    /** The client address: the socket peer, or what a trusted peer says in its forwarding headers. */
    IpAddress resolveClientIp(Request clientToProxyRequest, IpAddress peer) {
        HttpFields headers = clientToProxyRequest.getHeaders();
        return clientIpResolver.resolve(peer,
                headers.getValuesList(HttpHeader.X_FORWARDED_FOR),
                headers.getValuesList(HttpHeader.FORWARDED));
    }

    static IpAddress peerAddress(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return IpAddress.of(inet.getAddress());
        }
        // A Unix-domain socket (or anything without an IP) is a peer on this host.
        return LOCAL_PEER;
    }

    static RequestFacts requestFacts(Request clientToProxyRequest, IpAddress clientIp, IpAddress peer) {
        String path = clientToProxyRequest.getHttpURI().getCanonicalPath();
        RequestFacts.Builder facts = RequestFacts.builder(clientIp)
                .peerIp(peer)
                .method(clientToProxyRequest.getMethod())
                .host(clientToProxyRequest.getHeaders().get(HttpHeader.HOST))
                .path(path == null ? clientToProxyRequest.getHttpURI().getPath() : path);
        for (HttpField field : clientToProxyRequest.getHeaders()) {
            String name = field.getLowerCaseName(); // Jetty's own for known headers: no lower-casing per request
            if (!UPSTREAM_HEADERS_LOWER.contains(name)) {
                facts.header(name, field.getValue());
            }
        }
        return facts.build();
    }

    private void enforce(Request clientToProxyRequest, Response proxyToClientResponse, Callback proxyToClientCallback,
                         Decision decision, Throwable failure) {
        try {
            if (decision == null) {
                // Gatehouse.decide never fails; if it ever does, pass the request on undecided rather than hang it.
                log.error("no decision for {}; passing it on", clientToProxyRequest.getHttpURI(), failure);
                forward(new UpstreamRequest(clientToProxyRequest, null), proxyToClientResponse, proxyToClientCallback);
            } else if (decision.verdict() == Verdict.ALLOW) {
                // within a rate limit: the client still learns its quota (RateLimit-Policy / RateLimit)
                decision.response().headers().forEach(proxyToClientResponse.getHeaders()::put);
                forward(new UpstreamRequest(clientToProxyRequest, decision), proxyToClientResponse, proxyToClientCallback);
            } else {
                refuse(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, decision);
            }
        } catch (Throwable x) {
            log.warn("could not enforce the decision for {}", clientToProxyRequest.getHttpURI(), x);
            Response.writeError(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, x);
        }
    }

    private void forward(Request proxyToServerBound, Response proxyToClientResponse, Callback proxyToClientCallback) throws Exception {
        forwarded.increment();
        if (!super.handle(proxyToServerBound, proxyToClientResponse, proxyToClientCallback)) {
            Response.writeError(proxyToServerBound, proxyToClientResponse, proxyToClientCallback, HttpStatus.NOT_FOUND_404);
        }
    }

    private void refuse(Request clientToProxyRequest, Response proxyToClientResponse, Callback proxyToClientCallback, Decision decision) {
        refused.increment();
        int status = refusalStatus(decision);
        RefusalBody.Rendered body = RefusalBody.render(decision, clientToProxyRequest.getHeaders().get(HttpHeader.ACCEPT));
        proxyToClientResponse.setStatus(status);
        HttpFields.Mutable headers = proxyToClientResponse.getHeaders();
        decision.response().headers().forEach(headers::put);
        headers.put(HttpHeader.CONTENT_TYPE, body.contentType());
        headers.put(HttpHeader.CACHE_CONTROL, "no-store");
        byte[] bytes = body.body().getBytes(StandardCharsets.UTF_8);
        headers.put(HttpHeader.CONTENT_LENGTH, String.valueOf(bytes.length));
        proxyToClientResponse.write(true, ByteBuffer.wrap(bytes), proxyToClientCallback);
    }

    /** The decision's status, or the verdict's usual one when the policy left it out. */
    static int refusalStatus(Decision decision) {
        int status = decision.response().status();
        if (status >= 400 && status <= 599) {
            return status;
        }
        return decision.verdict() == Verdict.RATE_LIMIT ? HttpStatus.TOO_MANY_REQUESTS_429 : HttpStatus.FORBIDDEN_403;
    }

    private static Map<Verdict, HttpField> verdictFields() {
        Map<Verdict, HttpField> fields = new EnumMap<>(Verdict.class);
        for (Verdict verdict : Verdict.values()) {
            fields.put(verdict, new HttpField("X-Gatehouse-Verdict", verdict.id()));
        }
        return fields;
    }

    /** Adds the {@code X-Gatehouse-*} headers of an allowed request to {@code headers}. */
    static void putUpstreamHeaders(Decision decision, HttpFields.Mutable headers) {
        headers.put(VERDICT_FIELDS.get(decision.verdict()));
        headers.put("X-Gatehouse-Rule", decision.rule());
        headers.put("X-Gatehouse-Threat-Score", Integer.toString(decision.signals().threatScore()));
        String bot = decision.signals().string(Signal.BOT_NAME);
        if (bot != null) {
            StringBuilder value = new StringBuilder(bot);
            String category = decision.signals().string(Signal.BOT_CATEGORY);
            if (category != null) {
                value.append("; category=").append(category);
            }
            String verified = decision.signals().string(Signal.BOT_VERIFIED);
            if (verified != null) {
                value.append("; verified=").append(verified);
            }
            headers.put("X-Gatehouse-Bot", value.toString());
        }
    }

    /**
     * The client's request as the upstream should see it: client-sent X-Gatehouse-* removed, ours set,
     * and the socket peer appended to {@code X-Forwarded-For} (as nginx's {@code $proxy_add_x_forwarded_for}
     * does), so an upstream that trusts only Gatehouse and takes the rightmost untrusted hop gets the
     * real client, never a value the client wrote. Jetty appends the peer to {@code Forwarded} itself.
     */
    static final class UpstreamRequest extends Request.Wrapper {
        private final HttpFields headers;

        /** @param decision whose headers to set; {@code null} (no decision) sets none */
        UpstreamRequest(Request clientToProxyRequest, Decision decision) {
            super(clientToProxyRequest);
            HttpFields clientHeaders = clientToProxyRequest.getHeaders();
            HttpFields.Mutable copy = HttpFields.build(clientHeaders.size() + UPSTREAM_HEADERS.size() + 1);
            StringBuilder forwardedFor = null;
            for (HttpField field : clientHeaders) {
                if (field.getHeader() == HttpHeader.X_FORWARDED_FOR) {
                    forwardedFor = forwardedFor == null ? new StringBuilder(field.getValue()) : forwardedFor.append(", ").append(field.getValue());
                } else if (!UPSTREAM_HEADERS_LOWER.contains(field.getLowerCaseName())) {
                    copy.add(field);
                }
            }
            String peer = peerAddress(clientToProxyRequest.getConnectionMetaData().getRemoteSocketAddress()).toString();
            copy.add(HttpHeader.X_FORWARDED_FOR, forwardedFor == null ? peer : forwardedFor.append(", ").append(peer).toString());
            if (decision != null) {
                putUpstreamHeaders(decision, copy);
            }
            this.headers = copy.asImmutable();
        }

        @Override
        public HttpFields getHeaders() {
            return headers;
        }
    }
}
