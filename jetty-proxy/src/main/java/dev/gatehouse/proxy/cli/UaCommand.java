package dev.gatehouse.proxy.cli;

import dev.gatehouse.crawler.UserAgentClassifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code ua}: one User-Agent per stdin line → {@code bot_name<TAB>bot_category}, or {@code -<TAB>-};
 * {@code --why} adds a third column: the token or pattern that decided, with its tier
 * ({@code catalog}, {@code browser}, {@code crawler-user-agents}, {@code gatehouse}, {@code isbot}), or {@code -}.
 */
@Command(name = "ua", mixinStandardHelpOptions = true,
        description = "Read User-Agent lines on stdin; print bot_name<TAB>bot_category (or -<TAB>-) for each.")
final class UaCommand implements Callable<Integer> {

    private final CliEnvironment env;

    @Option(names = "--why", description = "Add a column with the token or pattern that decided (browser allow-list included).")
    boolean why;

    UaCommand(CliEnvironment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws IOException {
        Function<String, UserAgentClassifier.Classification> classifier = env.userAgents().get();
        BufferedReader lines = new BufferedReader(new InputStreamReader(env.in(), StandardCharsets.UTF_8));
        String line;
        while ((line = lines.readLine()) != null) {
            UserAgentClassifier.Classification c = classifier.apply(line);
            String answer = c.claim() == null ? "-\t-" : c.claim().name() + "\t" + c.claim().category().id();
            if (why) {
                answer += "\t" + (c.decidedBy() == null ? "-" : c.decidedBy());
            }
            env.out().println(answer);
        }
        env.out().flush();
        return 0;
    }
}
