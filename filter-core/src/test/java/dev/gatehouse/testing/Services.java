package dev.gatehouse.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * External services a test needs (Redis on 127.0.0.1:6379, a {@code redis-server} binary). Absent
 * locally, the test is skipped with a message that says what is missing; with
 * {@code GATEHOUSE_REQUIRE_SERVICES=1} (set by {@code .ci/run}) it fails instead, so CI can never pass
 * by skipping.
 *
 * <pre>{@code
 * @BeforeAll
 * static void redis() {
 *     Services.requireRedis();           // or annotate the class with @RequiresRedis
 * }
 * }</pre>
 */
public final class Services {

    /** The environment variable that turns a missing service from a skip into a failure. */
    public static final String REQUIRE_ENV = "GATEHOUSE_REQUIRE_SERVICES";

    public static final String REDIS_HOST = "127.0.0.1";
    public static final int REDIS_PORT = 6379;

    private Services() {
    }

    /** Whether CI asked for every service ({@code GATEHOUSE_REQUIRE_SERVICES=1}). */
    public static boolean required() {
        String v = System.getenv(REQUIRE_ENV);
        return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
    }

    /** Skips (locally) or fails (in CI) unless Redis answers PING on 127.0.0.1:6379. */
    public static void requireRedis() {
        require(redisAnswers(REDIS_HOST, REDIS_PORT), "Redis at " + REDIS_HOST + ":" + REDIS_PORT + " (start one: redis-server --save '' --appendonly no)");
    }

    /** Skips (locally) or fails (in CI) unless {@code command} is an executable on the PATH; returns its path. */
    public static Path requireCommand(String command) {
        Path found = which(command);
        require(found != null, "the command '" + command + "' on the PATH");
        return found;
    }

    /** Skips or fails, as above, when {@code available} is false; {@code what} names the missing service. */
    public static void require(boolean available, String what) {
        if (available) {
            return;
        }
        if (required()) {
            Assertions.fail(what + " is required (" + REQUIRE_ENV + "=1) but not available");
        }
        Assumptions.abort("skipped: needs " + what + "; set " + REQUIRE_ENV + "=1 to fail instead of skipping");
    }

    /** Whether a Redis at host:port answers PING within a second. */
    public static boolean redisAnswers(String host, int port) {
        return ping(host, port).startsWith("+PONG");
    }

    /** Whether a Redis at host:port replies at all (PONG, or an error such as NOAUTH when it wants a password). */
    public static boolean redisReplies(String host, int port) {
        String reply = ping(host, port);
        return reply.startsWith("+") || reply.startsWith("-");
    }

    private static String ping(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1_000);
            s.setSoTimeout(1_000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64];
            int n = in.read(buf);
            return n > 0 ? new String(buf, 0, n, StandardCharsets.US_ASCII) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static Path which(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
