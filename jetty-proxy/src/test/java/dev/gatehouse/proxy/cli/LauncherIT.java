package dev.gatehouse.proxy.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bin/gatehouse}, the launcher the docs call {@code gatehouse}: it finds the jar and Java and runs it. */
class LauncherIT {

    private static final Path LAUNCHER = Path.of("..", "bin", "gatehouse").toAbsolutePath().normalize();

    private record Run(int exit, String output) {}

    private static Run run(Path launcher, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("GATEHOUSE_JAR");
        builder.environment().putAll(env);
        Process process = builder.redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }

    @Test
    void sourceCheckout_findsTheBuiltJar() throws Exception {
        Run run = run(LAUNCHER, Map.of(), "--version");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).startsWith("gatehouse ");
    }

    @Test
    void throughASymbolicLink_findsItsOwnHome(@TempDir Path dir) throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("gatehouse"), LAUNCHER);

        Run run = run(link, Map.of(), "--version");

        assertThat(run.exit()).as(run.output()).isZero();
    }

    @Test
    void installedLayout_libBesideBin(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.createDirectories(dir.resolve("lib"));
        Files.copy(LAUNCHER, bin.resolve("gatehouse"));
        Files.createSymbolicLink(dir.resolve("lib/gatehouse-proxy.jar"), Path.of("target", "gatehouse-proxy.jar").toAbsolutePath());

        Run run = run(bin.resolve("gatehouse"), Map.of(), "policy", "check", "--help");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("Usage: gatehouse policy check");
    }

    @Test
    void missingJar_saysWhereItLooked(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.copy(LAUNCHER, bin.resolve("gatehouse"));

        Run run = run(bin.resolve("gatehouse"), Map.of());
        Run named = run(LAUNCHER, Map.of("GATEHOUSE_JAR", dir.resolve("nope.jar").toString()));

        assertThat(run.exit()).isEqualTo(127);
        assertThat(run.output()).contains("cannot find gatehouse-proxy.jar", dir + "/lib");
        assertThat(named.exit()).isEqualTo(127);
        assertThat(named.output()).contains("GATEHOUSE_JAR=" + dir.resolve("nope.jar") + ": no such file");
    }
}
