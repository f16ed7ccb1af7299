package dev.gatehouse.proxy.cli;

import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.Policy;
import dev.gatehouse.crawler.UserAgentClassifier;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.policy.PolicyLoader;
import dev.gatehouse.policy.PolicyProblem;
import dev.gatehouse.policy.PolicyTestRunner;
import dev.gatehouse.proxy.GatehouseFactory;
import dev.gatehouse.proxy.GatehouseProxy;
import dev.gatehouse.proxy.ProxyConfig;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the commands depend on, gathered so that tests can swap in doubles: the engine, the policies,
 * the policy checker and test runner, the User-Agent classifier, how a started proxy is waited on, and
 * the standard streams.
 */
record CliEnvironment(
        BiFunction<List<HostPort>, Duration, IntelligenceEngine> engines,
        Supplier<Policy> defaultPolicy,
        Function<Path, Policy> policyFile,
        Function<Path, List<PolicyProblem>> policyChecker,
        PolicyTests policyTests,
        Supplier<Function<String, UserAgentClassifier.Classification>> userAgents,
        ProxyStarter proxyStarter,
        ProxyWaiter proxyWaiter,
        Clock clock,
        InputStream in,
        PrintStream out,
        PrintStream err) {

    /** Runs policy test files; returns the number of failures. */
    @FunctionalInterface
    interface PolicyTests {
        int run(List<Path> paths, PrintStream out);
    }

    /** Builds and starts the production proxy from a config. */
    @FunctionalInterface
    interface ProxyStarter {
        GatehouseProxy start(ProxyConfig config) throws Exception;
    }

    /** Waits until a started proxy should stop (the real one: until the process is stopped). */
    @FunctionalInterface
    interface ProxyWaiter {
        void await(GatehouseProxy proxy) throws Exception;
    }

    /** The real product, on the process's streams. */
    static CliEnvironment real() {
        return new CliEnvironment(
                (dnsServers, budget) -> GatehouseFactory.engine(dnsServers, budget, io.micrometer.core.instrument.Metrics.globalRegistry),
                GatehouseFactory::bundledDefaultPolicy,
                file -> PolicyLoader.defaults().load(file),
                file -> PolicyLoader.defaults().check(file),
                PolicyTestRunner::run,
                () -> UserAgentClassifier.loadDefault()::explain,
                GatehouseFactory::start,
                GatehouseProxy::join,
                Clock.systemUTC(),
                System.in,
                System.out,
                System.err);
    }
}
