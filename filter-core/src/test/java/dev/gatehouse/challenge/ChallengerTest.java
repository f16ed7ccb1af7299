package dev.gatehouse.challenge;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The challenge end to end in the core: page, verify endpoint, pass cookie, exemptions and the loop fallback. */
class ChallengerTest {

    static final String SECRET = "0123456789abcdef0123456789abcdef";
    static final String OLD_SECRET = "fedcba9876543210fedcba9876543210";
    static final String UA = "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36";
    static final String HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Challenger challenger = Challenger.create(settings(SECRET, null).build(), registry, clock, name -> null);

    static ChallengeSettings.Builder settings(String secret, String previous) {
        return ChallengeSettings.custom().secret(secret).previousSecret(previous).difficulty(8).maxFailures(3)
                .passLifetime(Duration.ofHours(1)).exemptPath("/api/public/");
    }

    static RequestFacts request(String ip, String method, String path, String accept, String cookie) {
        RequestFacts.Builder b = RequestFacts.builder(IpAddress.parse(ip)).method(method).path(path).userAgent(UA);
        b.header("Accept", accept);
        b.header("Cookie", cookie);
        return b.build();
    }

    static Decision challenge(int difficulty, Verdict fallback, Signals signals) {
        int status = fallback == Verdict.RATE_LIMIT ? 429 : 403;
        return new Decision(Verdict.CHALLENGE, "rule/check", new Decision.Response(status, Map.of(), "A browser check is required",
                new Decision.Challenge(difficulty, fallback)), null, signals, List.of(), Decision.Timings.NONE);
    }

    static Decision challenge(String ip) {
        return challenge(0, Verdict.BLOCK, Signals.of(IpAddress.parse(ip)));
    }

    static ChallengeResponse page(ChallengeOutcome outcome) {
        assertThat(outcome).isInstanceOf(ChallengeOutcome.Page.class);
        return ((ChallengeOutcome.Page) outcome).response();
    }

    static Decision refused(ChallengeOutcome outcome) {
        assertThat(outcome).isInstanceOf(ChallengeOutcome.Refuse.class);
        return ((ChallengeOutcome.Refuse) outcome).decision();
    }

    static String body(ChallengeResponse r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    /** What the page's worker does: the first counter whose hash has enough zero bits. */
    static String solve(String nonce, int difficulty) {
        for (long n = 0; ; n++) {
            if (Tokens.solves(nonce, Long.toString(n), difficulty)) {
                return Long.toString(n);
            }
        }
    }

    static String attr(String html, String name) {
        Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(html);
        assertThat(m.find()).as("page has %s", name).isTrue();
        return m.group(1).replace("&amp;", "&").replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">");
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Serves the page to {@code ip}, solves it and calls the verify endpoint from {@code verifyIp}. */
    private ChallengeResponse solveFrom(String ip, String verifyIp) {
        ChallengeResponse page = page(challenger.enforce(challenge(ip), request(ip, "GET", "/docs", HTML, null), "q=1"));
        String html = body(page);
        String nonce = attr(html, "data-nonce");
        int difficulty = Integer.parseInt(attr(html, "data-difficulty"));
        return challenger.endpoint(request(verifyIp, "GET", Challenger.VERIFY_PATH, HTML, null),
                "nonce=" + enc(nonce) + "&answer=" + solve(nonce, difficulty) + "&return=" + enc(attr(html, "data-return")), false);
    }

    private static String passCookie(ChallengeResponse verified) {
        String setCookie = verified.headers().get("Set-Cookie");
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    @Test
    void enforce_browserGet_servesThePageWithStrictHeaders() {
        ChallengeResponse page = page(challenger.enforce(challenge("203.0.113.7"), request("203.0.113.7", "GET", "/docs", HTML, null), "a=1&b=2"));

        assertThat(page.status()).isEqualTo(403);
        assertThat(page.contentType()).isEqualTo("text/html;charset=utf-8");
        assertThat(page.headers()).containsEntry("Cache-Control", "no-store").containsEntry("X-Content-Type-Options", "nosniff")
                .containsEntry("X-Frame-Options", "DENY");
        String csp = page.headers().get("Content-Security-Policy");
        String cspNonce = csp.replaceAll(".*script-src 'nonce-([^']+)'.*", "$1");
        assertThat(csp).contains("default-src 'none'").contains("worker-src blob:").contains("connect-src 'none'");
        String html = body(page);
        assertThat(html).contains("<script nonce=\"" + cspNonce + "\">").contains("<noscript>").contains("<progress")
                .contains("crypto.subtle").contains("new Worker").doesNotContain("http://").doesNotContain("https://")
                .doesNotContain(" src=\"");
        assertThat(attr(html, "data-difficulty")).isEqualTo("8");
        assertThat(attr(html, "data-return")).isEqualTo("/docs?a=1&b=2");
        assertThat(registry.get("gatehouse.challenge.issued").counter().count()).isEqualTo(1);
    }

    @Test
    void enforce_perRuleDifficulty_overridesTheSetting() {
        ChallengeResponse page = page(challenger.enforce(challenge(12, Verdict.BLOCK, Signals.of(IpAddress.parse("203.0.113.7"))),
                request("203.0.113.7", "GET", "/", HTML, null), null));
        assertThat(attr(body(page), "data-difficulty")).isEqualTo("12");
    }

    @Test
    void enforce_apiClient_gets403JsonSayingABrowserIsRequired() {
        Decision r = refused(challenger.enforce(challenge("203.0.113.7"), request("203.0.113.7", "GET", "/api", "application/json", null), null));
        assertThat(r.verdict()).isEqualTo(Verdict.CHALLENGE);
        assertThat(r.response().status()).isEqualTo(403);
        assertThat(r.response().message()).contains("web browser is required");

        Decision noAccept = refused(challenger.enforce(challenge("203.0.113.7"), request("203.0.113.7", "GET", "/", null, null), null));
        assertThat(noAccept.response().status()).isEqualTo(403);
        assertThat(registry.get("gatehouse.challenge.refused").counter().count()).isEqualTo(2);
    }

    @Test
    void enforce_postWithoutPass_isRefusedNotChallenged() {
        Decision r = refused(challenger.enforce(challenge("203.0.113.7"), request("203.0.113.7", "POST", "/form", HTML, null), null));
        assertThat(r.response().status()).isEqualTo(403);
        assertThat(r.response().message()).contains("request bodies are not kept");
    }

    @Test
    void verify_goodAnswer_setsABoundPassAndRedirectsToTheOriginalUrl() {
        ChallengeResponse verified = solveFrom("203.0.113.7", "203.0.113.7");

        assertThat(verified.status()).isEqualTo(303);
        assertThat(verified.headers()).containsEntry("Location", "/docs?q=1");
        assertThat(verified.headers().get("Set-Cookie")).startsWith("gatehouse_pass=").contains("HttpOnly").contains("SameSite=Lax")
                .contains("Max-Age=3600").doesNotContain("Secure");
        String cookie = passCookie(verified);

        // the pass lets a challenge decision through, on any address of the /24, with the same User-Agent
        assertThat(challenger.enforce(challenge("203.0.113.7"), request("203.0.113.7", "GET", "/docs", HTML, cookie), null)).isInstanceOf(ChallengeOutcome.Pass.class);
        assertThat(challenger.enforce(challenge("203.0.113.200"), request("203.0.113.200", "GET", "/x", HTML, cookie), null)).isInstanceOf(ChallengeOutcome.Pass.class);
        assertThat(challenger.holdsPass(request("203.0.113.99", "POST", "/form", HTML, "a=b; " + cookie + "; c=d"))).isTrue();
        assertThat(registry.get("gatehouse.challenge.passed").counter().count()).isEqualTo(1);
    }

    @Test
    void verify_replayFromAnotherNetwork_isRefused() {
        ChallengeResponse r = solveFrom("203.0.113.7", "198.51.100.7");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.headers()).doesNotContainKey("Set-Cookie");
        assertThat(body(r)).contains("bad signature");
    }

    @Test
    void verify_wrongAnswer_isRefused() {
        String html = body(page(challenger.enforce(challenge("203.0.113.7"), request("203.0.113.7", "GET", "/", HTML, null), null)));
        String nonce = attr(html, "data-nonce");
        String wrong = "0";
        while (Tokens.solves(nonce, wrong, 8)) {
            wrong = wrong + "0";
        }
        ChallengeResponse r = challenger.endpoint(request("203.0.113.7", "GET", Challenger.VERIFY_PATH, HTML, null),
                "nonce=" + enc(nonce) + "&answer=" + wrong + "&return=%2F", false);
        assertThat(r.status()).isEqualTo(403);
        assertThat(body(r)).contains("not solved");
    }

    @Test
    void verify_forgedOrTamperedNonce_isRefused() {
        String html = body(page(challenger.enforce(challenge("203.0.113.7"), request("203.0.113.7", "GET", "/", HTML, null), null)));
        String nonce = attr(html, "data-nonce");
        // lower the difficulty in the visible part: the signature no longer matches
        String[] parts = nonce.split("\\.");
        String tampered = parts[0] + "." + parts[1] + ".1." + parts[3] + "." + parts[4];
        ChallengeResponse r = challenger.endpoint(request("203.0.113.7", "GET", Challenger.VERIFY_PATH, HTML, null),
                "nonce=" + enc(tampered) + "&answer=" + solve(tampered, 1), false);
        assertThat(r.status()).isEqualTo(403);

        Tokens forger = new Tokens("another-secret-of-32-bytes-long!".getBytes(StandardCharsets.UTF_8), null);
        String forged = forger.issueNonce("203.0.113.0/24", UA, 1, clock.instant().plusSeconds(60));
        ChallengeResponse f = challenger.endpoint(request("203.0.113.7", "GET", Challenger.VERIFY_PATH, HTML, null),
                "nonce=" + enc(forged) + "&answer=" + solve(forged, 1), false);
        assertThat(f.status()).isEqualTo(403);
        assertThat(body(f)).contains("bad signature");
    }

    @Test
    void verify_expiredNonce_sendsTheBrowserBackForAFreshOne() {
        String html = body(page(challenger.enforce(challenge("203.0.113.7"), request("203.0.113.7", "GET", "/docs", HTML, null), null)));
        String nonce = attr(html, "data-nonce");
        clock.advance(ChallengeSettings.DEFAULT_NONCE_LIFETIME.plusSeconds(1));
        ChallengeResponse r = challenger.endpoint(request("203.0.113.7", "GET", Challenger.VERIFY_PATH, HTML, null),
                "nonce=" + enc(nonce) + "&answer=" + solve(nonce, 8) + "&return=%2Fdocs", false);
        assertThat(r.status()).isEqualTo(303);
        assertThat(r.headers()).containsEntry("Location", "/docs").doesNotContainKey("Set-Cookie");
    }

    @Test
    void verify_openRedirect_isTurnedIntoTheSiteRoot() {
        String html = body(page(challenger.enforce(challenge("203.0.113.7"), request("203.0.113.7", "GET", "/", HTML, null), null)));
        String nonce = attr(html, "data-nonce");
        for (String evil : List.of("https://evil.example/", "//evil.example/", "/\\evil.example", "/a\r\nSet-Cookie: x=y")) {
            ChallengeResponse r = challenger.endpoint(request("203.0.113.7", "GET", Challenger.VERIFY_PATH, HTML, null),
                    "nonce=" + enc(nonce) + "&answer=" + solve(nonce, 8) + "&return=" + enc(evil), true);
            assertThat(r.headers()).as(evil).containsEntry("Location", "/");
            assertThat(r.headers().get("Set-Cookie")).contains("; Secure");
        }
    }

    @Test
    void pass_expires_afterTheConfiguredLifetime() {
        String cookie = passCookie(solveFrom("203.0.113.7", "203.0.113.7"));
        clock.advance(Duration.ofMinutes(59));
        assertThat(challenger.holdsPass(request("203.0.113.7", "GET", "/", HTML, cookie))).isTrue();
        clock.advance(Duration.ofMinutes(1));
        assertThat(challenger.holdsPass(request("203.0.113.7", "GET", "/", HTML, cookie))).isFalse();
    }

    @Test
    void pass_isBoundToNetworkAndUserAgent() {
        String cookie = passCookie(solveFrom("203.0.113.7", "203.0.113.7"));
        assertThat(challenger.holdsPass(request("203.0.114.7", "GET", "/", HTML, cookie))).as("another /24").isFalse();
        RequestFacts otherUa = RequestFacts.builder(IpAddress.parse("203.0.113.7")).userAgent("curl/8.5").header("Cookie", cookie).build();
        assertThat(challenger.holdsPass(otherUa)).as("another User-Agent").isFalse();
    }

    @Test
    void pass_ipv6_isBoundToThe64() {
        String cookie = passCookie(solveFrom("2001:db8:1:2::10", "2001:db8:1:2:ffff::1"));
        assertThat(challenger.holdsPass(request("2001:db8:1:2:abcd::1", "GET", "/", HTML, cookie))).isTrue();
        assertThat(challenger.holdsPass(request("2001:db8:1:3::10", "GET", "/", HTML, cookie))).isFalse();
    }

    @Test
    void pass_forgedOrTampered_isRefused() {
        String cookie = passCookie(solveFrom("203.0.113.7", "203.0.113.7"));
        String token = cookie.substring(cookie.indexOf('=') + 1);
        String[] parts = token.split("\\.");
        String later = "gatehouse_pass=1." + (Long.parseLong(parts[1]) + 86_400) + "." + parts[2];
        assertThat(challenger.holdsPass(request("203.0.113.7", "GET", "/", HTML, later))).as("expiry pushed out").isFalse();
        assertThat(challenger.holdsPass(request("203.0.113.7", "GET", "/", HTML, "gatehouse_pass=1.99999999999.AAAA"))).isFalse();
        assertThat(challenger.holdsPass(request("203.0.113.7", "GET", "/", HTML, "gatehouse_pass=garbage"))).isFalse();
        Tokens forger = new Tokens("another-secret-of-32-bytes-long!".getBytes(StandardCharsets.UTF_8), null);
        String forged = "gatehouse_pass=" + forger.issuePass("203.0.113.0/24", UA, clock.instant().plusSeconds(600));
        assertThat(challenger.holdsPass(request("203.0.113.7", "GET", "/", HTML, forged))).isFalse();
    }

    @Test
    void keyRotation_passesOfThePreviousSecretStayValidUntilItIsDropped() {
        String cookie = passCookie(solveFrom("203.0.113.7", "203.0.113.7"));
        Challenger rotating = Challenger.create(settings(OLD_SECRET, SECRET).build(), registry, clock, name -> null);
        Challenger rotated = Challenger.create(settings(OLD_SECRET, null).build(), registry, clock, name -> null);

        assertThat(rotating.holdsPass(request("203.0.113.7", "GET", "/", HTML, cookie))).as("during the rotation").isTrue();
        assertThat(rotated.holdsPass(request("203.0.113.7", "GET", "/", HTML, cookie))).as("after it").isFalse();
        // what the rotating node signs, a node that already has only the new secret accepts
        Tokens newTokens = new Tokens(OLD_SECRET.getBytes(StandardCharsets.UTF_8), SECRET.getBytes(StandardCharsets.UTF_8));
        String fresh = "gatehouse_pass=" + newTokens.issuePass("203.0.113.0/24", UA, clock.instant().plusSeconds(600));
        assertThat(rotated.holdsPass(request("203.0.113.7", "GET", "/", HTML, fresh))).isTrue();
    }

    @Test
    void markPass_setsChallengePassedOnlyForAValidPass() {
        String cookie = passCookie(solveFrom("203.0.113.7", "203.0.113.7"));
        Signals none = Signals.of(IpAddress.parse("203.0.113.7"));
        assertThat(challenger.markPass(request("203.0.113.7", "GET", "/", HTML, cookie), none).isTrue(Signal.CHALLENGE_PASSED)).isTrue();
        assertThat(challenger.markPass(request("203.0.113.7", "GET", "/", HTML, null), none)).isSameAs(none);
    }

    @Test
    void enforce_verifiedCrawlerAndExemptPaths_areNeverChallenged() {
        Signals crawler = Signals.builder(IpAddress.parse("66.249.66.1")).put(Signal.BOT_VERIFIED, "verified", "rdns").build();
        assertThat(challenger.enforce(challenge(0, Verdict.BLOCK, crawler), request("66.249.66.1", "GET", "/", HTML, null), null)).isInstanceOf(ChallengeOutcome.Pass.class);
        for (String path : List.of("/.well-known/security.txt", "/robots.txt", "/api/public/status")) {
            assertThat(challenger.enforce(challenge("203.0.113.7"), request("203.0.113.7", "GET", path, HTML, null), null)).as(path).isInstanceOf(ChallengeOutcome.Pass.class);
        }
        assertThat(challenger.enforce(challenge("203.0.113.7"), request("203.0.113.7", "GET", "/api/private", HTML, null), null))
                .isInstanceOf(ChallengeOutcome.Page.class);
    }

    @Test
    void enforce_challengeLoop_endsInTheFallbackUntilTheNetworkStops() {
        Decision decision = challenge(0, Verdict.RATE_LIMIT, Signals.of(IpAddress.parse("203.0.113.7")));
        for (int i = 0; i < 3; i++) { // maxFailures = 3: three pages served, none answered
            assertThat(page(challenger.enforce(decision, request("203.0.113.7", "GET", "/", HTML, null), null)).status()).isEqualTo(403);
        }
        Decision fallback = refused(challenger.enforce(decision, request("203.0.113.9", "GET", "/", HTML, null), null));
        assertThat(fallback.verdict()).isEqualTo(Verdict.RATE_LIMIT);
        assertThat(fallback.response().status()).isEqualTo(429);
        assertThat(fallback.response().headers()).containsEntry("Retry-After", "600");
        assertThat(fallback.response().message()).contains("Too many failed browser checks");
        assertThat(registry.get("gatehouse.challenge.fallback").counter().count()).isEqualTo(1);

        clock.advance(ChallengeSettings.DEFAULT_FAILURE_WINDOW.plusSeconds(1));
        assertThat(body(page(challenger.enforce(decision, request("203.0.113.7", "GET", "/", HTML, null), null)))).contains("new Worker");
    }

    @Test
    void enforce_successfulAnswer_resetsTheNetworksFailures() {
        Decision decision = challenge("203.0.113.7");
        page(challenger.enforce(decision, request("203.0.113.7", "GET", "/", HTML, null), null));
        page(challenger.enforce(decision, request("203.0.113.7", "GET", "/", HTML, null), null));
        assertThat(solveFrom("203.0.113.7", "203.0.113.7").status()).isEqualTo(303); // the third page, then solved
        assertThat(body(page(challenger.enforce(decision, request("203.0.113.8", "GET", "/", HTML, null), null)))).contains("new Worker");
    }

    @Test
    void endpoint_otherPathsAndMethods_are404() {
        assertThat(challenger.endpoint(request("203.0.113.7", "GET", Challenger.ENDPOINT_PREFIX + "x", HTML, null), null, false).status())
                .isEqualTo(404);
        assertThat(challenger.endpoint(request("203.0.113.7", "POST", Challenger.VERIFY_PATH, HTML, null), null, false).status())
                .isEqualTo(404);
    }

    @Test
    void settings_badValues_nameTheSetting() {
        assertThatThrownBy(() -> ChallengeSettings.custom().secret("short")).hasMessageContaining("challenge.secret").hasMessageContaining("16");
        assertThatThrownBy(() -> ChallengeSettings.custom().difficulty(33)).hasMessageContaining("challenge.difficulty");
        assertThatThrownBy(() -> ChallengeSettings.custom().exemptPath("api")).hasMessageContaining("challenge.exempt-paths");
        assertThatThrownBy(() -> ChallengeSettings.custom().previousSecret(SECRET).build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ChallengeSettings.custom().passLifetime(Duration.ZERO)).hasMessageContaining("challenge.pass-lifetime");
    }

    @Test
    void leadingZeroBits_countsAcrossBytes() {
        assertThat(Tokens.leadingZeroBits(new byte[] {0, 0, 0x10, 1})).isEqualTo(19);
        assertThat(Tokens.leadingZeroBits(new byte[] {(byte) 0x80})).isZero();
        assertThat(Tokens.leadingZeroBits(new byte[] {0, 0})).isEqualTo(16);
    }
}
