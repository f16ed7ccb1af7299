package dev.gatehouse.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of the test's own on a free loopback port, without persistence, that the test can
 * kill and start again on the same port (Redis restarting under a running Gatehouse). Skips the test (or
 * fails it under {@code GATEHOUSE_REQUIRE_SERVICES=1}) when {@code redis-server} is not installed.
 *
 * <pre>{@code
 * try (TestRedisServer redis = TestRedisServer.start()) {
 *     ... redis.url() ...
 *     redis.kill();
 *     redis.restart();
 * }
 * }</pre>
 */
public final class TestRedisServer implements AutoCloseable {

    private final Path binary;
    private final int port;
    private final List<String> extraArgs;
    private Process process;

    private TestRedisServer(Path binary, int port, List<String> extraArgs) {
        this.binary = binary;
        this.port = port;
        this.extraArgs = extraArgs;
    }

    /** Starts a server on a free port and waits until it answers PING; {@code extraArgs} e.g. {@code "--requirepass", "s3cret"}. */
    public static TestRedisServer start(String... extraArgs) {
        Path binary = Services.requireCommand("redis-server");
        TestRedisServer server = new TestRedisServer(binary, freePort(), List.of(extraArgs));
        server.restart();
        return server;
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>} */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Kills the server abruptly (SIGKILL) and waits until it is gone: connections drop, nothing answers. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /** Starts the server again on the same port (empty: no persistence) and waits until it answers PING. */
    public void restart() {
        kill();
        try {
            List<String> command = new java.util.ArrayList<>(List.of(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no"));
            command.addAll(extraArgs);
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server", e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Services.redisReplies("127.0.0.1", port)) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new IllegalStateException("redis-server on port " + port + " did not answer PING within 10 s");
            }
            Thread.onSpinWait();
        }
    }

    @Override
    public void close() {
        kill();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
