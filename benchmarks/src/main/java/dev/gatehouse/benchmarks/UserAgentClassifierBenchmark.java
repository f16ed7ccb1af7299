package dev.gatehouse.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.crawler.UserAgentClassifier;
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

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * How long it takes to say which crawler a User-Agent claims to be.
 *
 * <p>Input: a skewed mix like real traffic, 85 % ordinary browsers and 15 % crawlers (the real
 * User-Agents listed as {@code instances} in crawler-user-agents.json), 4,096 strings cycled in a fixed
 * shuffled order; each a distinct String instance (after the first pass their hash codes are cached,
 * so {@code classifier_cached} is a lower bound for a server, which hashes each request's new string once).
 * <ul>
 * <li>{@code classifier_cached}: {@link UserAgentClassifier#loadDefault()} (10,000-entry Caffeine cache; all hits);</li>
 * <li>{@code classifier_uncached}: the same automaton with the cache off: the cost of a new User-Agent;</li>
 * <li>{@code baseline_allRegexes}: the naive way, every pattern with {@code java.util.regex} until one matches.</li>
 * </ul>
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests && java -cp "benchmarks/target/classes:$(cat cp.txt)"
 * org.openjdk.jmh.Main UserAgentClassifierBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s}
 * (cp.txt from {@code mvn -pl benchmarks dependency:build-classpath -Dmdep.outputFile=cp.txt}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class UserAgentClassifierBenchmark {

    static final String[] BROWSERS = {
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1.1 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
            "Mozilla/5.0 (Linux; Android 14; SM-S928B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
            "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/27.0 Chrome/125.0.0.0 Mobile Safari/537.36",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/22B83 [FBAN/FBIOS;FBAV/490.0.0.33.109;FBBV/660000000;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/18.1;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5;FBRV/0]",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    };

    private static final int SIZE = 4096;

    private String[] inputs;
    private int next;
    private UserAgentClassifier cached;
    private UserAgentClassifier uncached;
    private Pattern[] allPatterns;

    @Setup
    public void setUp() throws IOException {
        JsonNode entries;
        try (InputStream in = new GZIPInputStream(UserAgentClassifierBenchmark.class.getResourceAsStream(
                "/dev/gatehouse/data/useragents/crawler-user-agents.json.gz"))) {
            entries = new ObjectMapper().readTree(in);
        }
        List<String> crawlers = new ArrayList<>();
        List<Pattern> patterns = new ArrayList<>();
        for (JsonNode e : entries) {
            patterns.add(Pattern.compile(e.path("pattern").asText()));
            e.path("instances").forEach(i -> crawlers.add(i.asText()));
        }
        allPatterns = patterns.toArray(new Pattern[0]);
        Random random = new Random(42);
        List<String> mix = new ArrayList<>(SIZE);
        for (int i = 0; i < SIZE; i++) {
            String ua = random.nextInt(100) < 85 ? BROWSERS[random.nextInt(BROWSERS.length)] : crawlers.get(random.nextInt(crawlers.size()));
            mix.add(new String(ua.toCharArray())); // a distinct instance, as each request brings its own
        }
        Collections.shuffle(mix, random);
        inputs = mix.toArray(new String[0]);
        cached = UserAgentClassifier.loadDefault();
        uncached = UserAgentClassifier.builder().cacheSize(0).build();
        for (String ua : inputs) {
            cached.classify(ua); // fill the cache
        }
    }

    private String nextInput() {
        String ua = inputs[next];
        next = (next + 1) & (SIZE - 1);
        return ua;
    }

    @Benchmark
    public Optional<UserAgentClassifier.BotClaim> classifier_cached() {
        return cached.classify(nextInput());
    }

    @Benchmark
    public Optional<UserAgentClassifier.BotClaim> classifier_uncached() {
        return uncached.classify(nextInput());
    }

    @Benchmark
    public int baseline_allRegexes() {
        String ua = nextInput();
        for (int i = 0; i < allPatterns.length; i++) {
            if (allPatterns[i].matcher(ua).find()) {
                return i;
            }
        }
        return -1;
    }
}
