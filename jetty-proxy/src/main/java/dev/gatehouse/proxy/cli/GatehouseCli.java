package dev.gatehouse.proxy.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * {@code java -jar gatehouse-proxy.jar <command>}: the proxy ({@code demo}, {@code run}) and the tools
 * around it ({@code lookup}, {@code explain}, {@code policy check}, {@code policy test}, {@code ua}).
 * Exit codes: 0 success, 1 a failure the command reports (a policy error, a failed test), 2 a usage
 * error (unknown option, invalid IP address).
 */
@Command(name = "gatehouse", mixinStandardHelpOptions = true, versionProvider = GatehouseCli.Version.class,
        description = "Bot defense for the JVM: IP intelligence, YAML policies, verdicts.",
        subcommands = CommandLine.HelpCommand.class)
public final class GatehouseCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        // one line per log record (the JDK's default spends two, the first only on the time and class),
        // unless the operator chose a format
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT %4$s %3$s: %5$s%6$s%n");
        }
        System.exit(commandLine(CliEnvironment.real()).execute(args));
    }

    /** The command tree on {@code env}; tests call {@code execute} on it. */
    static CommandLine commandLine(CliEnvironment env) {
        CommandLine cli = new CommandLine(new GatehouseCli())
                .addSubcommand("demo", new DemoCommand(env))
                .addSubcommand("run", new RunCommand(env))
                .addSubcommand("lookup", new LookupCommand(env))
                .addSubcommand("explain", new ExplainCommand(env))
                .addSubcommand("policy", new CommandLine(new PolicyCommand())
                        .addSubcommand("check", new PolicyCommand.Check(env))
                        .addSubcommand("test", new PolicyCommand.Test(env)))
                .addSubcommand("ua", new UaCommand(env))
                .addSubcommand("prewarm", new PrewarmCommand(env));
        cli.setOut(new PrintWriter(env.out(), true));
        cli.setErr(new PrintWriter(env.err(), true));
        cli.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("error: " + e.getMessage());
            if (e instanceof CommandLine.UnmatchedArgumentException unmatched) {
                String suggestion = suggestion(unmatched);
                if (suggestion != null) {
                    err.println("did you mean '" + suggestion + "'?");
                }
            }
            err.println("(see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            err.println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        });
        return cli;
    }

    /** The command or option closest to a mistyped one ({@code rnu} → {@code run}, {@code --upstrem} → {@code --upstream}). */
    static String suggestion(CommandLine.UnmatchedArgumentException e) {
        if (e.getUnmatched().isEmpty()) {
            return null;
        }
        String given = e.getUnmatched().get(0);
        CommandLine.Model.CommandSpec spec = e.getCommandLine().getCommandSpec();
        java.util.List<String> known = new java.util.ArrayList<>();
        if (given.startsWith("-")) {
            given = given.contains("=") ? given.substring(0, given.indexOf('=')) : given;
            spec.options().forEach(o -> known.addAll(java.util.List.of(o.names())));
        } else {
            known.addAll(spec.subcommands().keySet());
        }
        String closest = dev.gatehouse.text.DidYouMean.closest(given, known);
        if (closest == null && !e.getSuggestions().isEmpty()) {
            closest = e.getSuggestions().get(0);
        }
        return closest;
    }

    /** The version from the jar's manifest, when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = GatehouseCli.class.getPackage().getImplementationVersion();
            return new String[] {"gatehouse " + (v == null ? "(development build)" : v)};
        }
    }
}
