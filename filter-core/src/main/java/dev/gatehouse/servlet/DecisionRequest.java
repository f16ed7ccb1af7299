package dev.gatehouse.servlet;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Signal;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The request as the application sees it after an allow: {@code X-Gatehouse-*} headers sent by the
 * client are hidden (an application must be able to trust them), and the decision's own are added.
 */
final class DecisionRequest extends HttpServletRequestWrapper {

    static final String PREFIX = "x-gatehouse-";
    static final String VERDICT = "X-Gatehouse-Verdict";
    static final String RULE = "X-Gatehouse-Rule";
    static final String THREAT_SCORE = "X-Gatehouse-Threat-Score";
    static final String BOT = "X-Gatehouse-Bot";

    private final Map<String, String> ours; // lower-case name -> value
    private final Map<String, String> names; // lower-case name -> display name

    private DecisionRequest(HttpServletRequest request, Map<String, String> ours, Map<String, String> names) {
        super(request);
        this.ours = ours;
        this.names = names;
    }

    /** Wraps {@code request}; {@code decision} may be {@code null} to only hide the client's headers. */
    static DecisionRequest wrap(HttpServletRequest request, Decision decision) {
        Map<String, String> ours = new LinkedHashMap<>();
        Map<String, String> names = new LinkedHashMap<>();
        if (decision != null) {
            put(ours, names, VERDICT, decision.verdict().id());
            put(ours, names, RULE, decision.rule());
            put(ours, names, THREAT_SCORE, String.valueOf(decision.signals().threatScore()));
            String bot = decision.signals().string(Signal.BOT_NAME);
            if (bot != null) {
                put(ours, names, BOT, bot);
            }
        }
        return new DecisionRequest(request, ours, names);
    }

    private static void put(Map<String, String> ours, Map<String, String> names, String name, String value) {
        ours.put(name.toLowerCase(Locale.ROOT), value);
        names.put(name.toLowerCase(Locale.ROOT), name);
    }

    private static boolean isOurs(String name) {
        return name != null && name.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
    }

    @Override
    public String getHeader(String name) {
        return isOurs(name) ? ours.get(name.toLowerCase(Locale.ROOT)) : super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        if (!isOurs(name)) {
            return super.getHeaders(name);
        }
        String value = ours.get(name.toLowerCase(Locale.ROOT));
        return Collections.enumeration(value == null ? List.of() : List.of(value));
    }

    @Override
    public Enumeration<String> getHeaderNames() {
        List<String> all = new ArrayList<>();
        Enumeration<String> original = super.getHeaderNames();
        while (original != null && original.hasMoreElements()) {
            String name = original.nextElement();
            if (!isOurs(name)) {
                all.add(name);
            }
        }
        all.addAll(names.values());
        return Collections.enumeration(all);
    }

    @Override
    public int getIntHeader(String name) {
        if (!isOurs(name)) {
            return super.getIntHeader(name);
        }
        String value = getHeader(name);
        return value == null ? -1 : Integer.parseInt(value); // as the servlet API: NumberFormatException for a non-number
    }

    @Override
    public long getDateHeader(String name) {
        if (!isOurs(name)) {
            return super.getDateHeader(name);
        }
        if (getHeader(name) != null) {
            throw new IllegalArgumentException(name + " is not a date");
        }
        return -1;
    }
}
