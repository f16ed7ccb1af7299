package dev.gatehouse.proxy;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.TrustedProxies;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The proxy alone in a small JVM, for {@link StreamingIT}: {@code java -Xmx64m … StreamingProxyMain UPSTREAM_URL}.
 * Prints {@code PORT n}; then on standard input {@code RESET} resets the heap pools' peaks, {@code HEAP}
 * prints {@code HEAP usedAfterGc peakSinceReset} (bytes), {@code QUIT} stops.
 */
public final class StreamingProxyMain {

    private StreamingProxyMain() {
    }

    public static void main(String[] args) throws Exception {
        Gatehouse gatehouse = Gatehouse.builder().engine(Doubles.engine()).policy(Doubles.policy())
                .budget(Duration.ofSeconds(1)).meterRegistry(new SimpleMeterRegistry()).build();
        try (GatehouseProxy proxy = GatehouseProxy.builder()
                .listeners(ListenerSettings.builder().listen(HostPort.parse("127.0.0.1:0", -1)).shutdownTimeout(Duration.ZERO).build())
                .upstream(URI.create(args[0]))
                .gatehouse(gatehouse)
                .trustedProxies(TrustedProxies.none())
                .start()) {
            System.out.println("PORT " + proxy.port());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null && !line.equals("QUIT"); ) {
                if (line.equals("RESET")) {
                    System.gc();
                    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
                    System.out.println("OK");
                } else if (line.equals("HEAP")) {
                    long peak = 0;
                    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                        if (pool.getType() == MemoryType.HEAP) {
                            peak += pool.getPeakUsage().getUsed();
                        }
                    }
                    System.gc();
                    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                    System.out.println("HEAP " + used + " " + peak);
                }
                System.out.flush();
            }
        }
    }
}
