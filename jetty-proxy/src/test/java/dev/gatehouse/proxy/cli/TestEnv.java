package dev.gatehouse.proxy.cli;

import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.Policy;
import dev.gatehouse.crawler.UserAgentClassifier;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.policy.PolicyException;
import dev.gatehouse.policy.PolicyProblem;
import dev.gatehouse.proxy.Doubles;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/** A CLI environment of doubles with captured output; change one part with the {@code with…} methods. */
final class TestEnv {

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    BiFunction<List<HostPort>, Duration, IntelligenceEngine> engines = (dns, budget) -> Doubles.engine();
    Supplier<Policy> defaultPolicy = Doubles::policy;
    Function<Path, Policy> policyFile = file -> Doubles.policy();
    Function<Path, List<PolicyProblem>> checker = file -> List.of();
    CliEnvironment.PolicyTests policyTests = (paths, o) -> 0;
    Function<String, UserAgentClassifier.Classification> userAgents = ua -> new UserAgentClassifier.Classification(null, null);
    CliEnvironment.ProxyStarter starter = config -> null;
    CliEnvironment.ProxyWaiter waiter = proxy -> { };
    String stdin = "";

    static PolicyException policyError(String file) {
        return new PolicyException(List.of(new PolicyProblem(file, 4, 7, "rules[0]", PolicyProblem.Kind.UNKNOWN_KEY,
                "unknown key 'whn' (did you mean 'when'?)")));
    }

    int run(String... args) {
        CliEnvironment env = new CliEnvironment(engines, defaultPolicy, policyFile, checker, policyTests, () -> userAgents,
                starter, waiter, Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return GatehouseCli.commandLine(env).execute(args);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
