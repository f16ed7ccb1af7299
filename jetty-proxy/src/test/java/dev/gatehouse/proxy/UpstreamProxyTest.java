package dev.gatehouse.proxy;

import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpURI;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.URI;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

class UpstreamProxyTest {

    @Test
    void rewrite_keepsPathAndQueryOnTheUpstream() {
        HttpURI rewritten = UpstreamProxy.rewrite(URI.create("http://10.0.0.5:3000"), HttpURI.from("http://proxy:8080/a/b?x=1&y=2"));

        assertThat(rewritten.toString()).isEqualTo("http://10.0.0.5:3000/a/b?x=1&y=2");
    }

    @Test
    void rewrite_prefixesTheUpstreamBasePath() {
        HttpURI rewritten = UpstreamProxy.rewrite(URI.create("https://app.internal/base/"), HttpURI.from("http://proxy/x"));

        assertThat(rewritten.toString()).isEqualTo("https://app.internal/base/x");
    }

    @Test
    void statusFor_timeoutIs504_otherFailuresAre502() {
        assertThat(UpstreamProxy.statusFor(new TimeoutException("total timeout"))).isEqualTo(504);
        assertThat(UpstreamProxy.statusFor(new ConnectException("refused"))).isEqualTo(502);
        assertThat(UpstreamProxy.statusFor(new IllegalStateException("bad response"))).isEqualTo(502);
    }

    @Test
    void clientFault_badMessageAnywhereInTheCauseChain_isItsStatus() {
        BadMessageException bad = new BadMessageException("bad chunk");

        assertThat(UpstreamProxy.clientFault(bad)).isEqualTo(400);
        assertThat(UpstreamProxy.clientFault(new java.io.IOException("wrapped", bad))).isEqualTo(400);
        assertThat(UpstreamProxy.clientFault(new ConnectException("refused"))).isZero();
        assertThat(UpstreamProxy.clientFault(new TimeoutException("idle"))).isZero();
    }

    @Test
    void isRefusedMethod_connectAndTrace() {
        assertThat(UpstreamProxy.isRefusedMethod("CONNECT")).isTrue();
        assertThat(UpstreamProxy.isRefusedMethod("trace")).isTrue();
        assertThat(UpstreamProxy.isRefusedMethod("GET")).isFalse();
        assertThat(UpstreamProxy.isRefusedMethod("OPTIONS")).isFalse();
    }
}
