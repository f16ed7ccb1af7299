package dev.gatehouse.benchmarks;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.challenge.ChallengeOutcome;
import dev.gatehouse.challenge.ChallengeResponse;
import dev.gatehouse.challenge.ChallengeSettings;
import dev.gatehouse.challenge.Challenger;
import dev.gatehouse.net.IpAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the {@code challenge} verdict costs the server, per request, one thread:
 * <ul>
 *   <li>{@code issue}: a challenge page served (a signed nonce, the CSP nonce, the page rendered);</li>
 *   <li>{@code verify}: an answer checked at {@code /.gatehouse/challenge/verify} (nonce signature in
 *       constant time, one SHA-256 of the work, a pass signed, the redirect);</li>
 *   <li>{@code holdsPass}: the per-request check of a pass cookie (cookie parsed, HMAC recomputed), paid
 *       by every request that carries one, so {@code challenge_passed} is known to the policy;</li>
 *   <li>{@code baselineSha256}: one SHA-256 of a nonce-sized input, the unit of the client's work.</li>
 * </ul>
 * 64 pre-solved nonces (difficulty 16) are cycled through for {@code verify}.
 *
 * <p>Run (from the repository root):
 * <pre>
 * mvn -B -q -pl filter-core,benchmarks package dependency:build-classpath -Dmdep.outputFile=target/cp.txt -DskipTests
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/cp.txt) org.openjdk.jmh.Main ChallengeBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 * Results: docs/benchmarks.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChallengeBenchmark {

    private static final String UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
    private static final String ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    private static final int DIFFICULTY = 16;
    private static final int SOLVED = 64;

    private Challenger challenger;
    private Decision decision;
    private RequestFacts page;
    private RequestFacts verifyRequest;
    private RequestFacts withPass;
    private String[] answers;
    private int next;
    private MessageDigest sha256;
    private byte[] input;

    @Setup
    public void setUp() throws NoSuchAlgorithmException {
        // a failure budget no benchmark exhausts: issuing counts as a failure until the answer comes
        challenger = Challenger.create(ChallengeSettings.custom().secret("benchmark-secret-0123456789abcdef").difficulty(DIFFICULTY)
                .maxFailures(1_000_000).build(), new SimpleMeterRegistry());
        IpAddress ip = IpAddress.parse("203.0.113.7");
        decision = new Decision(Verdict.CHALLENGE, "rule/bench", new Decision.Response(403, Map.of(), "browser check",
                new Decision.Challenge(0, Verdict.BLOCK)), null, Signals.of(ip), List.of(), Decision.Timings.NONE);
        page = RequestFacts.builder(ip).path("/docs/page").userAgent(UA).header("Accept", ACCEPT).build();
        verifyRequest = RequestFacts.builder(ip).path(Challenger.VERIFY_PATH).userAgent(UA).header("Accept", ACCEPT).build();
        sha256 = MessageDigest.getInstance("SHA-256");
        answers = new String[SOLVED];
        Pattern nonceAttr = Pattern.compile("data-nonce=\"([^\"]+)\"");
        for (int i = 0; i < SOLVED; i++) {
            ChallengeResponse served = ((ChallengeOutcome.Page) challenger.enforce(decision, page, "q=" + i)).response();
            Matcher m = nonceAttr.matcher(new String(served.body(), StandardCharsets.UTF_8));
            m.find();
            String nonce = m.group(1);
            answers[i] = "nonce=" + URLEncoder.encode(nonce, StandardCharsets.UTF_8) + "&answer=" + solve(nonce) + "&return=%2Fdocs";
        }
        String setCookie = challenger.endpoint(verifyRequest, answers[0], true).headers().get("Set-Cookie");
        withPass = RequestFacts.builder(ip).path("/docs").userAgent(UA).header("Accept", ACCEPT)
                .header("Cookie", "theme=dark; " + setCookie.substring(0, setCookie.indexOf(';')) + "; lang=en").build();
        input = ("1.1796037765.16.1OgYSBtLOJ5y0Oye.nBT8ogS7WT7eRjTX3-C1WvmjVLGMfc6W7Bsw6Wq8lvo" + 123456).getBytes(StandardCharsets.UTF_8);
    }

    private long solve(String nonce) {
        for (long n = 0; ; n++) {
            byte[] h = sha256.digest((nonce + n).getBytes(StandardCharsets.UTF_8));
            if (h[0] == 0 && h[1] == 0) { // 16 leading zero bits
                return n;
            }
        }
    }

    @Benchmark
    public ChallengeOutcome issue() {
        return challenger.enforce(decision, page, "q=1");
    }

    @Benchmark
    public ChallengeResponse verify() {
        String answer = answers[next];
        next = (next + 1) % SOLVED;
        return challenger.endpoint(verifyRequest, answer, true);
    }

    @Benchmark
    public boolean holdsPass() {
        return challenger.holdsPass(withPass);
    }

    @Benchmark
    public byte[] baselineSha256() {
        return sha256.digest(input);
    }
}
