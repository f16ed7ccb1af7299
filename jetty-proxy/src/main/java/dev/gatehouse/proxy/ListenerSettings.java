package dev.gatehouse.proxy;

import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.TrustedProxies;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Where and how the proxy accepts connections: the plain listener, the TLS listener, HTTP/2, the
 * HTTP→HTTPS redirect, the PROXY protocol and how long a stop may drain requests in flight. Immutable;
 * made by {@link #builder()}, whose checks name the {@code gatehouse.yaml} key:
 *
 * <pre>{@code
 * listen: 127.0.0.1:8080
 * tls:
 *   listen: 127.0.0.1:8443
 *   certificate: /etc/letsencrypt/live/example.org/fullchain.pem
 *   private-key: /etc/letsencrypt/live/example.org/privkey.pem
 *   # or: keystore: gatehouse.p12 + keystore-password-env: GATEHOUSE_KEYSTORE_PASSWORD
 *   reload: true
 *   self-signed-if-missing: false   # development only: make a self-signed pair when both files are absent
 * http2: true
 * h2c: true
 * redirect-to-https: false
 * proxy-protocol: { enabled: false, trusted: [10.0.0.0/8] }
 * shutdown-timeout: 20s
 * }</pre>
 *
 * @param listen          the plain HTTP listener
 * @param tls             the HTTPS listener, or {@code null} for none
 * @param http2           offer HTTP/2 over TLS (ALPN {@code h2}); HTTP/1.1 stays available
 * @param h2c             accept cleartext HTTP/2 on the plain listener (prior knowledge or {@code Upgrade: h2c})
 * @param redirectToHttps answer every plain-listener request with a redirect to the TLS listener
 * @param proxyProtocol   the PROXY protocol (v1/v2) from load balancers
 * @param shutdownTimeout how long a stop lets requests in flight finish before connections are closed
 */
public record ListenerSettings(HostPort listen, Tls tls, boolean http2, boolean h2c, boolean redirectToHttps,
                               ProxyProtocol proxyProtocol, Duration shutdownTimeout) {

    public static final HostPort DEFAULT_LISTEN = HostPort.parse("127.0.0.1:8080", -1);
    public static final HostPort DEFAULT_TLS_LISTEN = HostPort.parse("127.0.0.1:8443", -1);
    /** Inside the 30 s Kubernetes and 90 s systemd give a process between SIGTERM and SIGKILL. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(20);

    /** Plain HTTP/1.1 (and h2c) on 127.0.0.1:8080, no TLS, no PROXY protocol. */
    public static final ListenerSettings DEFAULTS = builder().build();

    public ListenerSettings {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(proxyProtocol, "proxyProtocol");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.listen = listen;
        b.tls = tls;
        b.http2 = http2;
        b.h2c = h2c;
        b.redirectToHttps = redirectToHttps;
        b.proxyProtocol = proxyProtocol;
        b.shutdownTimeout = shutdownTimeout;
        return b;
    }

    /**
     * The HTTPS listener's key material: PEM files (a certificate chain and its private key, as certbot
     * writes {@code fullchain.pem} and {@code privkey.pem}) or a PKCS#12/JKS keystore.
     *
     * @param listen              where HTTPS clients connect
     * @param certificate         PEM certificate chain, leaf first; {@code null} when a keystore is used
     * @param privateKey          PEM private key (PKCS#8, or traditional RSA / EC); {@code null} with a keystore
     * @param keystore            PKCS#12 or JKS file; {@code null} when PEM files are used
     * @param keystorePasswordEnv the environment variable holding the keystore password ({@code null} = none)
     * @param reload              watch the files and load a renewed certificate without a restart
     * @param selfSignedIfMissing  development only: when both PEM files are absent, make a self-signed
     *                            certificate for localhost, 127.0.0.1 and ::1 and write it there (with a warning)
     */
    public record Tls(HostPort listen, Path certificate, Path privateKey, Path keystore, String keystorePasswordEnv,
                      boolean reload, boolean selfSignedIfMissing) {

        /** Without {@code self-signed-if-missing} (the production default). */
        public Tls(HostPort listen, Path certificate, Path privateKey, Path keystore, String keystorePasswordEnv, boolean reload) {
            this(listen, certificate, privateKey, keystore, keystorePasswordEnv, reload, false);
        }

        public Tls {
            Objects.requireNonNull(listen, "tls.listen");
            boolean pem = certificate != null || privateKey != null;
            if (pem && keystore != null) {
                throw new IllegalStateException("tls: give either certificate + private-key (PEM) or keystore, not both");
            }
            if (!pem && keystore == null) {
                throw new IllegalStateException("tls: needs certificate + private-key (PEM files) or keystore");
            }
            if (pem && (certificate == null || privateKey == null)) {
                throw new IllegalStateException("tls: " + (certificate == null ? "certificate" : "private-key")
                        + " is missing (PEM needs both certificate and private-key)");
            }
            if (keystorePasswordEnv != null && keystore == null) {
                throw new IllegalStateException("tls.keystore-password-env is only for a keystore");
            }
            if (selfSignedIfMissing && !pem) {
                throw new IllegalStateException("tls.self-signed-if-missing needs certificate + private-key (the PEM files to write)");
            }
            if (keystorePasswordEnv != null && keystorePasswordEnv.isBlank()) {
                throw new IllegalArgumentException("tls.keystore-password-env must not be blank");
            }
        }

        /** PEM files. */
        public static Tls pem(HostPort listen, Path certificate, Path privateKey, boolean reload) {
            return new Tls(listen, Objects.requireNonNull(certificate, "tls.certificate"),
                    Objects.requireNonNull(privateKey, "tls.private-key"), null, null, reload);
        }

        /** A PKCS#12 or JKS keystore; its password in the environment variable {@code passwordEnv} (or {@code null}). */
        public static Tls keystore(HostPort listen, Path keystore, String passwordEnv, boolean reload) {
            return new Tls(listen, null, null, Objects.requireNonNull(keystore, "tls.keystore"), passwordEnv, reload);
        }

        /** The files whose change means a new certificate. */
        List<Path> files() {
            return keystore != null ? List.of(keystore) : List.of(certificate, privateKey);
        }
    }

    /**
     * The PROXY protocol (HAProxy's, v1 text and v2 binary) on both listeners. Only a connection from a
     * {@code trusted} peer may send the header, and then the address in it becomes the socket peer; from
     * any other peer the header is not looked for, so it fails as a malformed request (plain: 400,
     * TLS: handshake failure).
     *
     * @param enabled whether to look for the header at all
     * @param trusted the load balancers allowed to send it
     */
    public record ProxyProtocol(boolean enabled, TrustedProxies trusted) {
        public static final ProxyProtocol OFF = new ProxyProtocol(false, TrustedProxies.none());

        public ProxyProtocol {
            Objects.requireNonNull(trusted, "proxy-protocol.trusted");
        }

        /**
         * Enabled for the peers in {@code trusted} (CIDRs, addresses, {@code loopback}, {@code private}).
         *
         * @throws IllegalArgumentException on a bad entry, or an empty list (nobody could send the header)
         */
        public static ProxyProtocol trusting(List<String> trusted) {
            if (trusted.stream().allMatch(t -> t == null || t.isBlank() || t.strip().equalsIgnoreCase("none"))) {
                throw new IllegalArgumentException("proxy-protocol.trusted must name the load balancers that send the header"
                        + " (CIDRs or addresses), was " + trusted);
            }
            try {
                return new ProxyProtocol(true, TrustedProxies.parse(trusted));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("proxy-protocol.trusted: " + e.getMessage(), e);
            }
        }
    }

    /** Builds {@link ListenerSettings}; each value is checked when set, conflicts when built. */
    public static final class Builder {
        private HostPort listen = DEFAULT_LISTEN;
        private Tls tls;
        private boolean http2 = true;
        private boolean h2c = true;
        private boolean redirectToHttps;
        private ProxyProtocol proxyProtocol = ProxyProtocol.OFF;
        private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;

        private Builder() {
        }

        /** {@code listen}: the plain HTTP listener. */
        public Builder listen(HostPort listen) {
            this.listen = Objects.requireNonNull(listen, "listen");
            return this;
        }

        /** {@code tls}: the HTTPS listener, or {@code null} for none. */
        public Builder tls(Tls tls) {
            this.tls = tls;
            return this;
        }

        /** {@code http2}: offer h2 over TLS (default true). */
        public Builder http2(boolean http2) {
            this.http2 = http2;
            return this;
        }

        /** {@code h2c}: cleartext HTTP/2 on the plain listener (default true). */
        public Builder h2c(boolean h2c) {
            this.h2c = h2c;
            return this;
        }

        /** {@code redirect-to-https}: the plain listener only redirects (308) to the TLS listener. */
        public Builder redirectToHttps(boolean redirectToHttps) {
            this.redirectToHttps = redirectToHttps;
            return this;
        }

        /** {@code proxy-protocol}. */
        public Builder proxyProtocol(ProxyProtocol proxyProtocol) {
            this.proxyProtocol = Objects.requireNonNull(proxyProtocol, "proxy-protocol");
            return this;
        }

        /** {@code shutdown-timeout}: how long a stop drains requests in flight (0 = cut them at once). */
        public Builder shutdownTimeout(Duration shutdownTimeout) {
            Objects.requireNonNull(shutdownTimeout, "shutdown-timeout");
            if (shutdownTimeout.isNegative()) {
                throw new IllegalArgumentException("shutdown-timeout must not be negative, was " + shutdownTimeout);
            }
            this.shutdownTimeout = shutdownTimeout;
            return this;
        }

        /** @throws IllegalStateException when {@code redirect-to-https} is set without {@code tls} */
        public ListenerSettings build() {
            if (redirectToHttps && tls == null) {
                throw new IllegalStateException("redirect-to-https needs a tls listener to redirect to");
            }
            if (tls != null && listen.port() != 0 && tls.listen().equals(listen)) {
                throw new IllegalStateException("tls.listen must differ from listen, both were " + listen);
            }
            return new ListenerSettings(listen, tls, http2, h2c, redirectToHttps, proxyProtocol, shutdownTimeout);
        }
    }
}
