package dev.gatehouse.challenge;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.gatehouse.api.BotVerification;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.Cidr;
import dev.gatehouse.net.IpAddress;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Serves the {@code challenge} verdict, the same for the proxy, the servlet filter and Spring:
 * <ol>
 *   <li>{@link #markPass}: before the policy runs, a client holding a valid pass cookie gets the signal
 *       {@code challenge_passed: true}, so later rules can relax;</li>
 *   <li>{@link #enforce}: for a {@code challenge} decision, lets through a client with a valid pass, a
 *       verified crawler, {@code /.well-known/}, {@code /robots.txt} and the configured exempt paths;
 *       serves the page to {@code GET}/{@code HEAD} requests that accept HTML; refuses the others (403
 *       JSON for API clients: a browser is required); and gives the rule's fallback verdict to a network
 *       that keeps failing;</li>
 *   <li>{@link #endpoint}: {@code /.gatehouse/challenge/verify} checks the answer (signature in constant
 *       time, expiry, network and User-Agent binding, the work itself), sets the pass cookie and redirects
 *       to the original path with a {@code GET} (a request body is never replayed).</li>
 * </ol>
 * Nothing is kept per client but the bounded failure counts: nonces and passes are signed, so a fleet
 * sharing the secret accepts each other's.
 */
public final class Challenger {

    private static final Logger log = LoggerFactory.getLogger(Challenger.class);

    /** Every path under this prefix is Gatehouse's own, answered by {@link #endpoint}. */
    public static final String ENDPOINT_PREFIX = "/.gatehouse/challenge/";
    public static final String VERIFY_PATH = ENDPOINT_PREFIX + "verify";
    static final int IPV4_NETWORK = 24;
    static final int IPV6_NETWORK = 64;

    private final ChallengeSettings settings;
    private final Tokens tokens;
    private final Clock clock;
    private final Cache<String, AtomicInteger> failures; // network → challenges served / answers failed since the last pass
    private final Counter issued;
    private final Counter passed;
    private final Counter exempt;
    private final Counter fallbacks;
    private final Counter refusedNotBrowser;
    private final MeterRegistry registry;
    private final AtomicBoolean warnedEphemeral = new AtomicBoolean();

    private Challenger(ChallengeSettings settings, MeterRegistry registry, Clock clock, Function<String, String> env) {
        this.settings = settings;
        this.clock = clock;
        this.registry = registry;
        this.tokens = new Tokens(secret(settings, env), previousSecret(settings, env));
        Ticker ticker = () -> {
            Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        };
        this.failures = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(settings.failureWindow())
                .ticker(ticker)
                .build();
        this.issued = counter("gatehouse.challenge.issued", "Challenge pages served");
        this.passed = counter("gatehouse.challenge.passed", "Challenges solved: a pass was set");
        this.exempt = counter("gatehouse.challenge.exempt", "Challenge decisions let through: a verified crawler or an exempt path");
        this.fallbacks = counter("gatehouse.challenge.fallback", "Challenge decisions answered with the rule's fallback: the network kept failing");
        this.refusedNotBrowser = counter("gatehouse.challenge.refused", "Challenge decisions refused: not a GET/HEAD of HTML");
    }

    private Counter counter(String name, String description) {
        return Counter.builder(name).description(description).register(registry);
    }

    /**
     * A challenger for {@code settings}, reading {@code secret-env} / {@code previous-secret-env} from the process environment.
     *
     * @throws IllegalStateException when {@code secret-env} names a variable that is unset or too short
     */
    public static Challenger create(ChallengeSettings settings, MeterRegistry registry) {
        return create(settings, registry, Clock.systemUTC(), System::getenv);
    }

    /** With a clock tests move by hand and the environment to read secrets from. */
    public static Challenger create(ChallengeSettings settings, MeterRegistry registry, Clock clock, Function<String, String> env) {
        return new Challenger(Objects.requireNonNull(settings, "settings"), Objects.requireNonNull(registry, "registry"),
                Objects.requireNonNull(clock, "clock"), Objects.requireNonNull(env, "env"));
    }

    private static byte[] secret(ChallengeSettings settings, Function<String, String> env) {
        if (settings.secret() != null) {
            return settings.secret();
        }
        if (settings.secretEnv() != null) {
            String value = env.apply(settings.secretEnv());
            if (value == null || value.isEmpty()) {
                throw new IllegalStateException("challenge.secret-env: the environment variable " + settings.secretEnv() + " is not set");
            }
            return ChallengeSettings.checkSecret("challenge.secret-env ($" + settings.secretEnv() + ")", value);
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        return random;
    }

    private static byte[] previousSecret(ChallengeSettings settings, Function<String, String> env) {
        if (settings.previousSecret() != null) {
            return settings.previousSecret();
        }
        if (settings.previousSecretEnv() != null) {
            String value = env.apply(settings.previousSecretEnv());
            // unset or empty: the rotation is over (or not begun), which is not an error
            return value == null || value.isEmpty() ? null
                    : ChallengeSettings.checkSecret("challenge.previous-secret-env ($" + settings.previousSecretEnv() + ")", value);
        }
        return null;
    }

    public ChallengeSettings settings() {
        return settings;
    }

    /** The network a pass is bound to: the client's /24 (IPv4) or /64 (IPv6), so a phone hopping addresses keeps it. */
    static String network(IpAddress ip) {
        return Cidr.of(ip, ip.isV4() ? IPV4_NETWORK : IPV6_NETWORK).toString();
    }

    // ---- before the policy

    /** Whether the request carries a pass cookie valid now for its network and User-Agent. */
    public boolean holdsPass(RequestFacts facts) {
        String pass = cookie(facts, settings.cookieName());
        return pass != null && tokens.checkPass(pass, network(facts.clientIp()), facts.userAgent(), clock.instant()) == Tokens.Check.VALID;
    }

    /** {@code signals} with {@code challenge_passed: true} when the client holds a valid pass; the same signals otherwise. */
    public Signals markPass(RequestFacts facts, Signals signals) {
        return holdsPass(facts) ? signals.toBuilder().put(Signal.CHALLENGE_PASSED, Boolean.TRUE, "challenge").build() : signals;
    }

    // ---- after the policy

    /**
     * Whether {@code path} belongs to the challenge itself ({@link #endpoint} answers it, before any policy):
     * {@link #ENDPOINT_PREFIX} at the root, or under a servlet context path ({@code /shop/.gatehouse/challenge/…}).
     */
    public static boolean isEndpoint(String path) {
        return path != null && path.contains(ENDPOINT_PREFIX);
    }

    /**
     * What to do with a {@code challenge} decision: let it through, serve the page, or refuse it.
     *
     * @param rawQuery the request's query string (without {@code ?}), or {@code null}; kept in the return address
     */
    public ChallengeOutcome enforce(Decision decision, RequestFacts facts, String rawQuery) {
        return enforce(decision, facts, rawQuery, "");
    }

    /**
     * As {@link #enforce(Decision, RequestFacts, String)}, for an application mounted at {@code base} (a
     * servlet context path such as {@code /shop}; {@code ""} at the root): the page answers to
     * {@code base + }{@link #VERIFY_PATH}, which the adapter in front of that application receives.
     */
    public ChallengeOutcome enforce(Decision decision, RequestFacts facts, String rawQuery, String base) {
        if (decision.verdict() != Verdict.CHALLENGE) {
            throw new IllegalArgumentException("not a challenge decision: " + decision.verdict());
        }
        String exemption = exemption(facts, decision.signals());
        if (exemption != null) {
            exempt.increment();
            return new ChallengeOutcome.Pass(exemption);
        }
        if (holdsPass(facts)) {
            return new ChallengeOutcome.Pass("holds a valid pass");
        }
        String network = network(facts.clientIp());
        AtomicInteger failed = failures.getIfPresent(network);
        if (failed != null && failed.get() >= settings.maxFailures()) {
            fallbacks.increment();
            failures.asMap().computeIfPresent(network, (k, v) -> v); // a client still trying keeps its fallback
            return new ChallengeOutcome.Refuse(fallback(decision));
        }
        String accept = facts.header("accept");
        boolean getOrHead = facts.method().equals("GET") || facts.method().equals("HEAD");
        if (!getOrHead || !acceptsHtml(accept)) {
            refusedNotBrowser.increment();
            return new ChallengeOutcome.Refuse(refusal(decision, getOrHead ? "A web browser is required: this address is protected by a browser check that needs"
                    + " JavaScript" : "A browser check is required: open this site's pages in a web browser first, then retry (request"
                    + " bodies are not kept across the check)"));
        }
        if (settings.ephemeralSecret() && warnedEphemeral.compareAndSet(false, true)) {
            log.warn("challenge: serving challenges with no secret configured (challenge.secret-env); passes are signed with a key"
                    + " made for this process, so they end at a restart and are not accepted by other nodes");
        }
        fail(network);
        issued.increment();
        int difficulty = decision.response().challenge() == null || decision.response().challenge().difficulty() == 0
                ? settings.difficulty() : decision.response().challenge().difficulty();
        String nonce = tokens.issueNonce(network, facts.userAgent(), difficulty, clock.instant().plus(settings.nonceLifetime()));
        String returnTo = facts.path() + (rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery);
        ChallengePage.Rendered page = ChallengePage.render(nonce, difficulty, safeBase(base) + VERIFY_PATH, safeReturn(returnTo));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Cache-Control", "no-store");
        headers.put("Content-Security-Policy", page.contentSecurityPolicy());
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("X-Frame-Options", "DENY");
        headers.put("Referrer-Policy", "same-origin");
        headers.put("X-Robots-Tag", "noindex");
        return new ChallengeOutcome.Page(ChallengeResponse.of(403, headers, "text/html;charset=utf-8", page.html()));
    }

    /**
     * Answers a request to {@link #ENDPOINT_PREFIX}: {@code verify?nonce=…&answer=…&return=…} sets the pass
     * and redirects (303) to {@code return}; a wrong, forged or foreign answer is refused (403), an expired
     * one is sent back for a fresh challenge. Any other path under the prefix is 404.
     *
     * @param secure whether the request came over HTTPS (the cookie is then {@code Secure})
     */
    public ChallengeResponse endpoint(RequestFacts facts, String rawQuery, boolean secure) {
        if (!facts.path().endsWith(VERIFY_PATH) || !(facts.method().equals("GET") || facts.method().equals("HEAD"))) {
            return plain(404, "Not found");
        }
        Map<String, String> query = query(rawQuery);
        String nonce = query.get("nonce");
        String returnTo = safeReturn(query.getOrDefault("return", "/"));
        String network = network(facts.clientIp());
        Instant now = clock.instant();
        Tokens.Nonce checked = tokens.checkNonce(nonce, network, facts.userAgent(), now);
        Tokens.Check outcome = checked.check() == Tokens.Check.VALID && !Tokens.solves(nonce, query.get("answer"), checked.difficulty())
                ? Tokens.Check.NOT_SOLVED : checked.check();
        if (outcome == Tokens.Check.VALID) {
            failures.invalidate(network);
            passed.increment();
            registry.counter("gatehouse.challenge.verified", "outcome", "valid").increment();
            String pass = tokens.issuePass(network, facts.userAgent(), now.plus(settings.passLifetime()));
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Location", returnTo);
            headers.put("Cache-Control", "no-store");
            headers.put("Set-Cookie", settings.cookieName() + "=" + pass + "; Path=/; Max-Age=" + settings.passLifetime().toSeconds()
                    + "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : ""));
            return redirect(headers, returnTo);
        }
        fail(network);
        registry.counter("gatehouse.challenge.verified", "outcome", outcome.name().toLowerCase(Locale.ROOT)).increment();
        if (outcome == Tokens.Check.EXPIRED) {
            return redirect(Map.of("Location", returnTo, "Cache-Control", "no-store"), returnTo);
        }
        return plain(403, "The browser check failed (" + outcome.name().toLowerCase(Locale.ROOT).replace('_', ' ')
                + "). Go back and reload the page to try again.");
    }

    /** A 303 with a one-line body for the rare client that does not follow it. */
    private static ChallengeResponse redirect(Map<String, String> headers, String to) {
        String html = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>303</title></head><body><p><a href=\""
                + ChallengePage.escape(to) + "\">Continue</a></p></body></html>\n";
        return ChallengeResponse.of(303, headers, "text/html;charset=utf-8", html);
    }

    private void fail(String network) {
        failures.asMap().compute(network, (k, v) -> {
            AtomicInteger n = v == null ? new AtomicInteger() : v;
            n.incrementAndGet();
            return n; // compute writes, so the window restarts at each failure
        });
    }

    /** Why this request is never challenged, or {@code null}. */
    private String exemption(RequestFacts facts, Signals signals) {
        if (signals.botVerification() == BotVerification.VERIFIED) {
            return "verified crawler";
        }
        String path = facts.path();
        for (String prefix : ChallengeSettings.ALWAYS_EXEMPT) {
            if (path.startsWith(prefix)) {
                return "exempt path " + prefix;
            }
        }
        for (String prefix : settings.exemptPaths()) {
            if (path.startsWith(prefix)) {
                return "exempt path " + prefix;
            }
        }
        return null;
    }

    private Decision fallback(Decision decision) {
        Decision.Challenge challenge = decision.response().challenge();
        Verdict verdict = challenge == null ? Verdict.BLOCK : challenge.fallback();
        Map<String, String> headers = new LinkedHashMap<>(decision.response().headers());
        if (verdict == Verdict.RATE_LIMIT) {
            headers.put("Retry-After", Long.toString(settings.failureWindow().toSeconds()));
        }
        int status = decision.response().status() >= 400 ? decision.response().status() : verdict == Verdict.RATE_LIMIT ? 429 : 403;
        return new Decision(verdict, decision.rule(), new Decision.Response(status, headers,
                "Too many failed browser checks from your network; try again later"), null, decision.signals(), decision.trace(),
                decision.timings());
    }

    /** A refusal keeping the verdict {@code challenge}, so logs and the JSON body say why; never the fallback's 429. */
    private static Decision refusal(Decision decision, String message) {
        int status = decision.response().status() >= 400 && decision.response().status() != 429 ? decision.response().status() : 403;
        return new Decision(Verdict.CHALLENGE, decision.rule(), new Decision.Response(status, decision.response().headers(), message),
                null, decision.signals(), decision.trace(), decision.timings());
    }

    private static ChallengeResponse plain(int status, String message) {
        String html = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + status + "</title></head><body><p>"
                + ChallengePage.escape(message) + "</p></body></html>\n";
        return ChallengeResponse.of(status, Map.of("Cache-Control", "no-store"), "text/html;charset=utf-8", html);
    }

    /** Whether a client names HTML among what it accepts (a browser does on navigation; an API client does not). */
    static boolean acceptsHtml(String accept) {
        if (accept == null) {
            return false;
        }
        for (String range : accept.split(",", 64)) {
            String[] parts = range.split(";");
            String type = parts[0].strip().toLowerCase(Locale.ROOT);
            if ((type.equals("text/html") || type.equals("application/xhtml+xml")) && !zeroQuality(parts)) {
                return true;
            }
        }
        return false;
    }

    private static boolean zeroQuality(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip().replace(" ", "");
            if (p.matches("[qQ]=0(\\.0*)?")) {
                return true;
            }
        }
        return false;
    }

    private static String safeBase(String base) {
        if (base == null || base.isEmpty() || base.equals("/")) {
            return "";
        }
        String b = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        return safeReturn(b).equals(b) ? b : "";
    }

    /** A same-site path to return to; anything else (a scheme, {@code //host}, a backslash, a control character) becomes {@code /}. */
    static String safeReturn(String target) {
        if (target == null || target.isEmpty() || target.charAt(0) != '/' || target.length() > 4096) {
            return "/";
        }
        if (target.startsWith("//") || target.startsWith("/\\")) {
            return "/";
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\') {
                return "/";
            }
        }
        return target;
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.length() > 8192) {
            return out;
        }
        for (String pair : rawQuery.split("&", 16)) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            try {
                out.putIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // a malformed escape: the parameter is left out and the check fails as malformed
            }
        }
        return out;
    }

    /** The value of cookie {@code name} in the request's {@code Cookie} headers, or {@code null}. */
    static String cookie(RequestFacts facts, String name) {
        for (String header : facts.headers("cookie")) {
            int from = 0;
            while (from < header.length()) {
                int end = header.indexOf(';', from);
                if (end < 0) {
                    end = header.length();
                }
                String pair = header.substring(from, end).strip();
                if (pair.length() > name.length() && pair.startsWith(name) && pair.charAt(name.length()) == '=') {
                    return pair.substring(name.length() + 1);
                }
                from = end + 1;
            }
        }
        return null;
    }
}
