package dev.gatehouse.proxy.cli;

import dev.gatehouse.policy.PolicyProblem;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code policy check FILE…} and {@code policy test PATH…}. */
@Command(name = "policy", description = "Check and test policy files.", mixinStandardHelpOptions = true)
final class PolicyCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: check or test");
    }

    /**
     * Validates files; prints {@code FILE:LINE:COLUMN: message} per problem, or {@code FILE: ok}. A
     * {@code *.test.yaml} file among them (as {@code policies/*.yaml} expands to) is a policy test file:
     * it is run as {@code policy test} would, not checked as a policy.
     */
    @Command(name = "check", description = "Validate policy files (*.test.yaml files among them are run as policy tests); exit 1 on any error.",
            mixinStandardHelpOptions = true)
    static final class Check implements Callable<Integer> {
        private final CliEnvironment env;

        @Parameters(arity = "1..*", paramLabel = "FILE", description = "policy files")
        List<Path> files;

        Check(CliEnvironment env) {
            this.env = env;
        }

        @Override
        public Integer call() {
            int errors = 0;
            for (Path file : files) {
                if (isTestFile(file)) {
                    errors += env.policyTests().run(List.of(file), env.out());
                    continue;
                }
                List<PolicyProblem> problems = env.policyChecker().apply(file);
                if (problems.isEmpty()) {
                    env.out().println(file + ": ok");
                } else {
                    problems.forEach(p -> env.out().println(p));
                    errors += problems.size();
                }
            }
            if (errors > 0) {
                env.err().println(errors + (errors == 1 ? " problem" : " problems") + " found");
            }
            return errors == 0 ? 0 : 1;
        }
    }

    static boolean isTestFile(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        return name.endsWith(".test.yaml") || name.endsWith(".test.yml");
    }

    /** Runs policy test files. */
    @Command(name = "test", description = "Run policy test files (files or directories); exit 1 on a failure.",
            mixinStandardHelpOptions = true)
    static final class Test implements Callable<Integer> {
        private final CliEnvironment env;

        @Parameters(arity = "1..*", paramLabel = "PATH", description = "test files or directories")
        List<Path> paths;

        Test(CliEnvironment env) {
            this.env = env;
        }

        @Override
        public Integer call() {
            return env.policyTests().run(paths, env.out()) > 0 ? 1 : 0;
        }
    }
}
