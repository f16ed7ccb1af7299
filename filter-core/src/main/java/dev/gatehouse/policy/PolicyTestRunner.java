package dev.gatehouse.policy;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Policy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs policy test files ({@code *.test.yaml}, see {@code docs/policy.md}): each case gives signals and
 * request attributes and expects a verdict, a rule and optionally a status. Failures print the case's
 * {@code file:line}, expected against actual, and the decision's explained trace.
 *
 * <pre>{@code
 * int failures = PolicyTestRunner.run(List.of(Path.of("policies")), System.out);
 * }</pre>
 */
public final class PolicyTestRunner {

    static final String SUFFIX = ".test.yaml";

    /** Test cases run on a fixed clock, so rate-limit cases are repeatable. */
    static final Clock TEST_CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    private PolicyTestRunner() {
    }

    /**
     * Runs every test file found at {@code paths}: a {@code *.test.yaml} file, a policy file (its
     * sibling {@code NAME.test.yaml} runs), or a directory (searched for {@code *.test.yaml}).
     *
     * @return the number of failed cases (0 when all pass); an unreadable test file counts as one
     */
    public static int run(List<Path> paths, PrintStream out) {
        int failures = 0;
        int passed = 0;
        for (Path path : paths) {
            List<Path> files;
            try {
                files = testFiles(path);
            } catch (UncheckedIOException | IOException e) {
                out.println("FAIL " + path + ": cannot read: " + e.getMessage());
                failures++;
                continue;
            }
            if (files.isEmpty()) {
                out.println("FAIL " + path + ": no policy test files (*" + SUFFIX + ") found");
                failures++;
            }
            for (Path file : files) {
                FileResult result = runFile(file, out);
                failures += result.failed;
                passed += result.passed;
            }
        }
        out.println((failures == 0 ? "OK: " : "FAILED: ") + passed + " passed, " + failures + " failed");
        return failures;
    }

    private static List<Path> testFiles(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            try (Stream<Path> walk = Files.walk(path, 8)) {
                return walk.filter(p -> p.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(p)).sorted().toList();
            }
        }
        String name = path.getFileName().toString();
        if (!name.endsWith(SUFFIX) && (name.endsWith(".yaml") || name.endsWith(".yml"))) {
            Path sibling = path.resolveSibling(name.substring(0, name.lastIndexOf('.')) + SUFFIX);
            return Files.isRegularFile(sibling) ? List.of(sibling) : List.of();
        }
        if (!Files.isRegularFile(path)) {
            throw new IOException("no such file");
        }
        return List.of(path);
    }

    private record FileResult(int passed, int failed) {}

    private static FileResult runFile(Path file, PrintStream out) {
        PolicyTestFile tests;
        try {
            tests = PolicyTestFile.read(file);
        } catch (PolicyException e) {
            out.println("FAIL " + file + ": the test file is invalid");
            e.problems().forEach(p -> out.println("  " + p));
            return new FileResult(0, 1);
        }
        int passed = 0;
        int failed = 0;
        for (PolicyTestFile.Case c : tests.cases()) {
            // a fresh loader per case: empty buckets, so cases do not depend on each other's order
            PolicyLoader loader = PolicyLoader.builder().clock(TEST_CLOCK).meterRegistry(new SimpleMeterRegistry()).build();
            Policy policy;
            try {
                policy = loader.load(tests.policy());
            } catch (PolicyException e) {
                out.println("FAIL " + file + ": policy " + tests.policy() + " does not load");
                e.problems().forEach(p -> out.println("  " + p));
                return new FileResult(passed, failed + 1);
            }
            Decision decision = null;
            PolicyTestFile.Given last = null;
            for (int i = 0; i < c.repeat(); i++) {
                last = c.request(i);
                decision = policy.evaluate(last.request(), last.signals());
            }
            String mismatch = c.mismatch(decision);
            if (mismatch == null) {
                passed++;
                continue;
            }
            failed++;
            out.println("FAIL " + file + ":" + c.line() + ":" + c.column() + ": " + c.name());
            out.println("  expected: " + c.expectation());
            out.println("  actual:   " + describe(decision));
            out.println("  " + mismatch);
            if (c.rotateIp() != null) {
                out.println("  request " + c.repeat() + " of " + c.repeat() + " came from " + last.request().clientIp() + " (rotate_ip " + c.rotateIp() + ")");
            }
            out.println("  trace:");
            for (Decision.TraceStep step : policy.explain(last.request(), last.signals()).trace()) {
                out.println("    " + (step.matched() ? "✔ " : "✘ ") + step.rule() + ": " + step.detail());
            }
        }
        out.println((failed == 0 ? "PASS " : "FAIL ") + file + ": " + passed + " passed, " + failed + " failed");
        return new FileResult(passed, failed);
    }

    static String describe(Decision d) {
        String s = d.verdict().id() + " (" + d.rule() + ")";
        if (d.response().status() != 0) {
            s += " status " + d.response().status();
        }
        if (d.shadowed() != null) {
            s += ", shadowed " + d.shadowed().id();
        }
        return s;
    }

    static String ruleId(String rule) {
        return rule.contains("/") ? rule : "rule/" + rule;
    }
}
