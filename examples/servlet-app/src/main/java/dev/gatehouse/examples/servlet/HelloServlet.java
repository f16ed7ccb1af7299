package dev.gatehouse.examples.servlet;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Signal;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * The application: it only runs for requests Gatehouse let through, and reads the decision that the
 * filter left on the request.
 */
public class HelloServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Decision decision = (Decision) request.getAttribute(Decision.REQUEST_ATTRIBUTE);
        response.setContentType("text/plain;charset=utf-8");
        if (decision == null) {
            response.getWriter().println("hello (no Gatehouse decision: is the filter mapped?)");
            return;
        }
        // e.g. a lighter page for datacenter traffic; here we only say what was decided
        String network = decision.signals().isTrue(Signal.HOSTING) ? "a hosting network" : "a regular network";
        response.getWriter().println("hello " + decision.signals().ip() + " from " + network
                + ": verdict " + decision.verdict() + ", rule " + decision.rule()
                + ", header X-Gatehouse-Verdict: " + request.getHeader("X-Gatehouse-Verdict"));
    }
}
