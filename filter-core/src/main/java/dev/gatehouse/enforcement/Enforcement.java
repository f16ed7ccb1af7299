package dev.gatehouse.enforcement;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.challenge.ChallengeOutcome;
import dev.gatehouse.challenge.Challenger;
import dev.gatehouse.net.IpAddress;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;

/**
 * The enforcement rules the servlet filter and the proxy share, free of any server API: whether a
 * decision lets the request through, the refusal it becomes ({@link Refusal}), the decision used when
 * none arrived in time, and how a socket peer becomes an address. The adapters translate these onto
 * their own request and response types and decide nothing themselves.
 */
public final class Enforcement {

    /** The rule of the decision made when no decision arrived within budget + margin. */
    public static final String RULE_TIMEOUT = "error/timeout";
    /** The rule of the decision made for a peer that is not an IP address (a Unix-domain socket …). */
    public static final String RULE_PEER_NOT_IP = "error/peer-not-ip";
    /** The answer when failing closed. */
    public static final Decision.Response FAIL_CLOSED = new Decision.Response(503, Map.of(), "Service unavailable");
    /**
     * Stands for a peer that has no IP address in the decision's signals. {@code 0.0.0.0} is never a
     * loopback address nor in a trusted-proxy list, so it can never be believed as one.
     */
    public static final IpAddress NO_ADDRESS = IpAddress.parse("0.0.0.0");

    private Enforcement() {
    }

    /** Whether the request goes on to the application: an allow, or a refusal only shadowed. */
    public static boolean passes(Decision decision) {
        return decision.verdict() == Verdict.ALLOW || decision.shadowed() != null;
    }

    /**
     * What the adapter answers instead of passing the request on, or {@code null} to pass it on: nothing
     * for a passing decision; for a {@code challenge}, the challenge page, the refusal of a client that
     * cannot take it (an API client, a {@code POST}, a network that keeps failing), or nothing (a valid
     * pass, a verified crawler, an exempt path); for a block or a rate limit, its {@link Refusal}.
     *
     * @param facts      the request, or {@code null} when there is none (a peer that is not an IP address)
     * @param rawQuery   the query string without {@code ?}, or {@code null}; kept in the challenge's return address
     * @param base       where the application is mounted (a servlet context path), {@code ""} at the root
     * @param challenger serves challenges ({@code Gatehouse.challenger()})
     */
    public static Refusal answer(Decision decision, RequestFacts facts, String rawQuery, String base, Challenger challenger) {
        return answer(decision, facts, rawQuery, base, challenger, null, Pages.defaults());
    }

    /**
     * As {@link #answer(Decision, RequestFacts, String, String, Challenger)}, the refusal rendered on
     * {@code pages} with {@code requestId} (page, JSON and {@code X-Request-Id}).
     */
    public static Refusal answer(Decision decision, RequestFacts facts, String rawQuery, String base, Challenger challenger,
                                 String requestId, Pages pages) {
        if (passes(decision)) {
            return null;
        }
        String accept = facts == null ? null : facts.header("accept");
        if (decision.verdict() != Verdict.CHALLENGE || facts == null) {
            return Refusal.of(decision, accept, requestId, pages);
        }
        ChallengeOutcome outcome = challenger.enforce(decision, facts, rawQuery, base);
        if (outcome instanceof ChallengeOutcome.Page page) {
            return Refusal.of(page.response());
        }
        if (outcome instanceof ChallengeOutcome.Refuse refuse) {
            return Refusal.of(refuse.decision(), accept, requestId, pages);
        }
        return null; // ChallengeOutcome.Pass
    }

    /**
     * The answer of the challenge's own endpoint, for a request whose path {@link Challenger#isEndpoint is
     * one}: answered before any decision (the verify redirect with the pass cookie, or a refusal).
     *
     * @param secure whether the request came over HTTPS (the pass cookie is then {@code Secure})
     */
    public static Refusal challengeEndpoint(Challenger challenger, RequestFacts facts, String rawQuery, boolean secure) {
        return Refusal.of(challenger.endpoint(facts, rawQuery, secure));
    }

    /** The decision's status, or the verdict's usual one (429 for a rate limit, 403 otherwise) when the policy left it out. */
    public static int refusalStatus(Decision decision) {
        int status = decision.response().status();
        if (status >= 400 && status <= 599) {
            return status;
        }
        return decision.verdict() == Verdict.RATE_LIMIT ? 429 : 403;
    }

    /**
     * The decision when the pipeline gave none: fail-open allows (rule {@code rule}, threat score 0),
     * fail-closed refuses with {@link #FAIL_CLOSED} (503). {@code why} goes to the trace and the notes.
     *
     * @param client the client address, or {@code null} when there is none ({@link #NO_ADDRESS} is recorded)
     */
    public static Decision undecided(boolean failOpen, IpAddress client, String rule, String why) {
        Signals known = Signals.builder(client == null ? NO_ADDRESS : client).note(why).build();
        List<Decision.TraceStep> trace = List.of(new Decision.TraceStep(rule, true, why));
        return failOpen
                ? new Decision(Verdict.ALLOW, rule, Decision.Response.PASS, null, known, trace, Decision.Timings.NONE)
                : new Decision(Verdict.BLOCK, rule, FAIL_CLOSED, null, known, trace, Decision.Timings.NONE);
    }

    /** The decision for a peer that is not an IP address: nothing to look up and nobody to trust; the fail mode decides. */
    public static Decision peerNotIp(boolean failOpen) {
        return undecided(failOpen, null, RULE_PEER_NOT_IP, "the peer is not an IP address; fail-" + (failOpen ? "open" : "closed"));
    }

    /**
     * The socket peer's address, or {@code null} when the peer is not an IP address (a Unix-domain
     * socket, an unresolved name). Never a guess: such a peer is never taken for loopback.
     */
    public static IpAddress peer(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return IpAddress.of(inet.getAddress());
        }
        return null;
    }

    /** The peer address as a servlet container reports it ({@code getRemoteAddr()}, IPv6 possibly bracketed), or {@code null}. */
    public static IpAddress peer(String remoteAddr) {
        if (remoteAddr == null) {
            return null;
        }
        String remote = remoteAddr;
        if (remote.length() > 2 && remote.startsWith("[") && remote.endsWith("]")) {
            remote = remote.substring(1, remote.length() - 1);
        }
        return IpAddress.tryParse(remote);
    }
}
