package dev.gatehouse.proxy.cli;

import dev.gatehouse.net.HostPort;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.BindException;

import static org.assertj.core.api.Assertions.assertThat;

class PortInUseTest {

    private static final HostPort LISTEN = HostPort.parse("127.0.0.1:8080", -1);
    private static final HostPort ADMIN = HostPort.parse("127.0.0.1:9090", -1);

    @Test
    void describe_adminPortTaken_namesTheAdminOption() {
        IOException jetty = new IOException("Failed to bind to /127.0.0.1:9090", new BindException("Address already in use"));

        assertThat(PortInUse.describe(jetty, LISTEN, "--listen", ADMIN, "--admin HOST:PORT or --admin off"))
                .isEqualTo("cannot listen on 127.0.0.1:9090: address already in use (another process has the port);"
                        + " choose another with --admin HOST:PORT or --admin off");
    }

    @Test
    void describe_listenPortTaken_namesTheListenOption() {
        IOException jetty = new IOException("Failed to bind to /127.0.0.1:8080", new BindException("Address already in use"));

        assertThat(PortInUse.describe(jetty, LISTEN, "--listen HOST:PORT", ADMIN, "--admin")).endsWith("choose another with --listen HOST:PORT")
                .startsWith("cannot listen on 127.0.0.1:8080");
    }

    @Test
    void describe_otherFailure_isNotABindProblem() {
        assertThat(PortInUse.describe(new IOException("disk full"), LISTEN, "--listen", ADMIN, "--admin")).isNull();
    }
}
