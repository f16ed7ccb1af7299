package dev.gatehouse.proxy.cli;

import dev.gatehouse.crawler.UserAgentClassifier;
import picocli.CommandLine.Command;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;

/** {@code ua}: one User-Agent per stdin line → {@code bot_name<TAB>bot_category}, or {@code -<TAB>-}. */
@Command(name = "ua", mixinStandardHelpOptions = true,
        description = "Read User-Agent lines on stdin; print bot_name<TAB>bot_category (or -<TAB>-) for each.")
final class UaCommand implements Callable<Integer> {

    private final CliEnvironment env;

    UaCommand(CliEnvironment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws IOException {
        Function<String, Optional<UserAgentClassifier.BotClaim>> classifier = env.userAgents().get();
        BufferedReader lines = new BufferedReader(new InputStreamReader(env.in(), StandardCharsets.UTF_8));
        String line;
        while ((line = lines.readLine()) != null) {
            env.out().println(classifier.apply(line)
                    .map(claim -> claim.name() + "\t" + claim.category())
                    .orElse("-\t-"));
        }
        env.out().flush();
        return 0;
    }
}
