package dev.gatehouse.policy;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signals;
import dev.gatehouse.net.IpAddress;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A valid policy as large as the loader accepts, and a {@code main} that compiles one in its own JVM
 * (the test runs it with {@code -Xmx256m}) and prints what it cost.
 */
final class LargePolicy {

    private LargePolicy() {
    }

    /** Distinct, reachable rules of the usual kinds until the text would pass {@code maxChars}. */
    static String generate(int maxChars) {
        StringBuilder b = new StringBuilder("default: allow\nrules:\n");
        String end = "  - name: block-tor\n    when: {tor: true}\n    action: block\n";
        for (int i = 0; ; i++) {
            String rule = switch (i % 4) {
                case 0 -> "  - name: net-" + i + "\n    when: {ip: [10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255) + "/32]}\n    action: block\n";
                case 1 -> "  - name: path-" + i + "\n    when: {request.path: /p/" + i + "/**}\n    action: block\n";
                case 2 -> "  - name: ua-" + i + "\n    when: {request.user_agent: {regex: \"bot" + i + "\"}}\n    action: block\n";
                default -> "  - name: asn-" + i + "\n    when: {asn: " + (64512 + i) + ", threat_score: \">= 50\"}\n    action: block\n";
            };
            if (b.length() + rule.length() + end.length() > maxChars) {
                return b.append(end).toString();
            }
            b.append(rule);
        }
    }

    /**
     * {@code LargePolicy FILE}: compiles FILE, evaluates and explains a request that reaches the default,
     * prints the figures. {@code LargePolicy --write FILE [CHARS]} writes a generated policy (default: the limit).
     */
    public static void main(String[] args) throws Exception {
        if (args[0].equals("--write")) {
            Files.writeString(Path.of(args[1]), generate(args.length > 2 ? Integer.parseInt(args[2]) : YamlNodes.MAX_CHARS));
            return;
        }
        Path file = Path.of(args[0]);
        long start = System.nanoTime();
        Policy policy = PolicyLoader.defaults().load(file);
        long compiled = System.nanoTime() - start;
        IpAddress ip = IpAddress.parse("192.0.2.1");
        Decision evaluated = policy.evaluate(RequestFacts.forIp(ip), Signals.of(ip));
        Decision explained = policy.explain(RequestFacts.forIp(ip), Signals.of(ip));
        System.gc();
        long retained = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf(Locale.ROOT, "bytes=%d rules=%d compile_ms=%d retained_mb=%d peak_mb=%d rule=%s trace=%d explained=%d%n",
                Files.size(file), ((CompiledPolicy) policy).ruleCount(), compiled / 1_000_000, retained >> 20, peak >> 20,
                evaluated.rule(), evaluated.trace().size(), explained.trace().size());
    }
}
