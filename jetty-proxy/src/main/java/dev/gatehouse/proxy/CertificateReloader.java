package dev.gatehouse.proxy;

import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Watches the TLS listener's files and, when they change, loads them and swaps them into the running
 * {@link SslContextFactory} ({@link SslContextFactory#reload}): new handshakes get the new certificate,
 * open connections keep theirs, nothing restarts.
 *
 * <p>Why not Jetty's {@code KeyStoreScanner}: it watches one keystore file, while a PEM pair is two
 * files read into an in-memory keystore, and certbot renews by re-pointing symbolic links
 * ({@code live/x/fullchain.pem → ../../archive/x/fullchain7.pem}). This watcher polls the files
 * through their links (modification time, size and link target), so both layouts work. A change that
 * does not load (a renewal caught between writing the certificate and the key: the key check fails)
 * keeps the certificate in use and is retried when the files change again.
 */
final class CertificateReloader extends AbstractLifeCycle {

    private static final Logger log = LoggerFactory.getLogger(CertificateReloader.class);

    private final ListenerSettings.Tls tls;
    private final SslContextFactory.Server sslContextFactory;
    private final Duration interval;
    private final Function<String, String> environment;
    private final Object lock = new Object();
    private ScheduledExecutorService scheduler;
    private List<Object> seen;
    private volatile int reloads;
    private volatile int failures;

    CertificateReloader(ListenerSettings.Tls tls, SslContextFactory.Server sslContextFactory, Duration interval,
                        Function<String, String> environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
        this.tls = Objects.requireNonNull(tls, "tls");
        this.sslContextFactory = Objects.requireNonNull(sslContextFactory, "sslContextFactory");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("certificate check interval must be positive, was " + interval);
        }
        this.interval = interval;
    }

    /** How many times a changed certificate was loaded. */
    int reloads() {
        return reloads;
    }

    /** How many changes did not load (the previous certificate stayed). */
    int failures() {
        return failures;
    }

    @Override
    protected void doStart() {
        seen = fingerprint();
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gatehouse-tls-reload");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        scheduler.shutdownNow();
    }

    /** Loads the files if they changed since the last look. */
    void check() {
        synchronized (lock) {
            List<Object> now = fingerprint();
            if (now.equals(seen)) {
                return;
            }
            seen = now;
            try {
                TlsKeyMaterial.Loaded loaded = TlsKeyMaterial.load(tls, environment);
                sslContextFactory.reload(loaded::applyTo);
                reloads++;
                log.info("TLS certificate reloaded from {}: {}", tls.files(), describe(loaded.store()));
            } catch (Exception e) {
                failures++;
                log.warn("TLS files {} changed but did not load; still serving the previous certificate: {}",
                        tls.files(), e.toString());
            }
        }
    }

    /** Modification time, size and real path of each file, through symbolic links; a missing file counts too. */
    private List<Object> fingerprint() {
        List<Object> parts = new ArrayList<>();
        for (Path file : tls.files()) {
            try {
                parts.add(file.toRealPath());
                parts.add(Files.getLastModifiedTime(file));
                parts.add(Files.size(file));
            } catch (IOException e) {
                parts.add("missing " + file);
            }
        }
        return parts;
    }

    /** {@code serial 1002, CN=example.org, valid until …} for the log. */
    static String describe(KeyStore store) {
        try {
            for (String alias : java.util.Collections.list(store.aliases())) {
                if (store.getCertificate(alias) instanceof X509Certificate leaf) {
                    return "serial " + leaf.getSerialNumber() + ", " + leaf.getSubjectX500Principal()
                            + ", valid until " + leaf.getNotAfter().toInstant();
                }
            }
        } catch (java.security.KeyStoreException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
        return "(no certificate)";
    }
}
