package dev.gatehouse.servlet;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Signal;
import dev.gatehouse.enforcement.GatehouseHeaders;
import dev.gatehouse.enforcement.RequestId;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The request as the application sees it after an allow: every client header whose name normalises to
 * the {@code X-Gatehouse-} prefix ({@link GatehouseHeaders#isReserved}) is hidden (an application must
 * be able to trust them), and the decision's own are shown. The decision's values are computed only
 * when the application asks for them.
 */
final class DecisionRequest extends HttpServletRequestWrapper {

    private final Decision decision; // null: only hide the client's
    private final String requestId; // null: the client's X-Request-Id as sent

    private DecisionRequest(HttpServletRequest request, Decision decision, String requestId) {
        super(request);
        this.decision = decision;
        this.requestId = requestId;
    }

    /** Wraps {@code request}; {@code decision} may be {@code null} to only hide the client's headers. */
    static DecisionRequest wrap(HttpServletRequest request, Decision decision) {
        return new DecisionRequest(request, decision, null);
    }

    /** As {@link #wrap(HttpServletRequest, Decision)}; {@code X-Request-Id} reads {@code requestId} (the client's is replaced). */
    static DecisionRequest wrap(HttpServletRequest request, Decision decision, String requestId) {
        return new DecisionRequest(request, decision, requestId);
    }

    private boolean isRequestId(String name) {
        return requestId != null && RequestId.HEADER.equalsIgnoreCase(name);
    }

    /** Our value for a reserved {@code name}, or {@code null}. */
    private String ours(String name) {
        if (decision == null) {
            return null;
        }
        if (sameName(name, GatehouseHeaders.VERDICT)) {
            return decision.verdict().id();
        }
        if (sameName(name, GatehouseHeaders.RULE)) {
            return decision.rule();
        }
        if (sameName(name, GatehouseHeaders.THREAT_SCORE)) {
            return Integer.toString(decision.signals().threatScore());
        }
        if (sameName(name, GatehouseHeaders.BOT)) {
            return GatehouseHeaders.bot(decision);
        }
        return null;
    }

    private static boolean sameName(String a, String b) {
        return GatehouseHeaders.sameName(a, b.toLowerCase(java.util.Locale.ROOT));
    }

    @Override
    public String getHeader(String name) {
        if (isRequestId(name)) {
            return requestId;
        }
        return GatehouseHeaders.isReserved(name) ? ours(name) : super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        if (isRequestId(name)) {
            return Collections.enumeration(List.of(requestId));
        }
        if (!GatehouseHeaders.isReserved(name)) {
            return super.getHeaders(name);
        }
        String value = ours(name);
        return Collections.enumeration(value == null ? List.of() : List.of(value));
    }

    @Override
    public Enumeration<String> getHeaderNames() {
        List<String> all = new ArrayList<>();
        Enumeration<String> original = super.getHeaderNames();
        while (original != null && original.hasMoreElements()) {
            String name = original.nextElement();
            if (!GatehouseHeaders.isReserved(name) && !isRequestId(name)) {
                all.add(name);
            }
        }
        if (requestId != null) {
            all.add(RequestId.HEADER);
        }
        if (decision != null) {
            GatehouseHeaders.forEach(decision, (name, value) -> all.add(name));
        }
        return Collections.enumeration(all);
    }

    @Override
    public int getIntHeader(String name) {
        if (!GatehouseHeaders.isReserved(name)) {
            return super.getIntHeader(name);
        }
        String value = getHeader(name);
        return value == null ? -1 : Integer.parseInt(value); // as the servlet API: NumberFormatException for a non-number
    }

    @Override
    public long getDateHeader(String name) {
        if (!GatehouseHeaders.isReserved(name)) {
            return super.getDateHeader(name);
        }
        if (getHeader(name) != null) {
            throw new IllegalArgumentException(name + " is not a date");
        }
        return -1;
    }
}
