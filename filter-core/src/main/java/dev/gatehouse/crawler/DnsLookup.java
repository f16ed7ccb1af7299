package dev.gatehouse.crawler;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;

/**
 * Asynchronous DNS queries with dnsjava: one {@link SimpleResolver} per server, a timeout per try,
 * and retries that rotate through the servers on a timeout, a network error or SERVFAIL. A query never
 * completes exceptionally: the outcome says what happened. Times and failures go to Micrometer.
 */
final class DnsLookup {

    /** How a query ended. {@code FAILED} means nothing can be concluded (timeout, SERVFAIL, refused, I/O). */
    enum Status { OK, NXDOMAIN, FAILED }

    /** The answer: PTR targets (lower case, no final dot) or A/AAAA addresses as text, and why it failed. */
    record Answer(Status status, List<String> values, String problem) {
        static Answer failed(String problem) {
            return new Answer(Status.FAILED, List.of(), problem);
        }
    }

    private final List<SimpleResolver> resolvers;
    private final int attempts;
    private final MeterRegistry registry;
    private final LongSupplier nanoTime;

    DnsLookup(List<InetSocketAddress> servers, Duration timeoutPerTry, int retries, MeterRegistry registry, LongSupplier nanoTime) {
        List<SimpleResolver> list = new ArrayList<>();
        for (InetSocketAddress server : servers) {
            SimpleResolver r = new SimpleResolver(server);
            r.setTimeout(timeoutPerTry);
            list.add(r);
        }
        this.resolvers = List.copyOf(list);
        this.attempts = retries + 1;
        this.registry = registry;
        this.nanoTime = nanoTime;
    }

    /** PTR query for an IP's reverse name ({@code 1.66.249.66.in-addr.arpa.}). */
    CompletableFuture<Answer> ptr(String reverseName) {
        return query(reverseName, Type.PTR);
    }

    /** A (IPv4) or AAAA (IPv6) query for a host name. */
    CompletableFuture<Answer> addresses(String hostname, boolean v6) {
        return query(hostname.endsWith(".") ? hostname : hostname + ".", v6 ? Type.AAAA : Type.A);
    }

    private CompletableFuture<Answer> query(String name, int type) {
        Name qname;
        try {
            qname = Name.fromString(name);
        } catch (TextParseException e) {
            return CompletableFuture.completedFuture(Answer.failed("invalid name " + name + ": " + e.getMessage()));
        }
        Message query = Message.newQuery(Record.newRecord(qname, type, DClass.IN));
        long start = nanoTime.getAsLong();
        return attempt(query, type, 0).thenApply(answer -> {
            record(type, answer, nanoTime.getAsLong() - start);
            return answer;
        });
    }

    private CompletableFuture<Answer> attempt(Message query, int type, int attempt) {
        SimpleResolver resolver = resolvers.get(attempt % resolvers.size());
        return resolver.sendAsync(query).toCompletableFuture()
                .handle((response, error) -> error != null ? Answer.failed(describe(error)) : interpret(response, type))
                .thenCompose(answer -> answer.status() == Status.FAILED && attempt + 1 < attempts
                        ? attempt(query, type, attempt + 1)
                        : CompletableFuture.completedFuture(answer));
    }

    private static Answer interpret(Message response, int type) {
        int rcode = response.getRcode();
        if (rcode == Rcode.NXDOMAIN) {
            return new Answer(Status.NXDOMAIN, List.of(), "NXDOMAIN");
        }
        if (rcode != Rcode.NOERROR) {
            return Answer.failed(Rcode.string(rcode));
        }
        List<String> values = new ArrayList<>();
        for (Record r : response.getSection(Section.ANSWER)) {
            if (r.getType() != type) {
                continue; // CNAMEs of a chain: the final records are in the same answer
            }
            if (r instanceof PTRRecord ptr) {
                if (ptr.getTarget().equals(Name.root)) {
                    continue; // a PTR to the root names no host (and would read as ".")
                }
                values.add(ptr.getTarget().toString(true).toLowerCase(Locale.ROOT));
            } else if (r instanceof ARecord a) {
                values.add(dev.gatehouse.net.IpAddress.of(a.getAddress()).toString());
            } else if (r instanceof AAAARecord aaaa) {
                values.add(dev.gatehouse.net.IpAddress.of(aaaa.getAddress()).toString());
            }
        }
        return new Answer(Status.OK, List.copyOf(values), null);
    }

    private static String describe(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof SocketTimeoutException || cause instanceof java.util.concurrent.TimeoutException) {
            return "timeout";
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    private void record(int type, Answer answer, long nanos) {
        String outcome = answer.status() == Status.FAILED ? reason(answer.problem()) : answer.status().name().toLowerCase(Locale.ROOT);
        Timer.builder("gatehouse.crawler.dns.duration")
                .description("DNS queries made for crawler verification, retries included")
                .tag("type", Type.string(type)).tag("outcome", outcome)
                .register(registry).record(Duration.ofNanos(nanos));
        if (answer.status() == Status.FAILED) {
            Counter.builder("gatehouse.crawler.dns.failures")
                    .description("DNS queries that gave no usable answer after all retries")
                    .tag("type", Type.string(type)).tag("reason", outcome)
                    .register(registry).increment();
        }
    }

    /** A bounded set of reasons for metric tags. */
    private static String reason(String problem) {
        if (problem == null) {
            return "error";
        }
        if (problem.equals("timeout")) {
            return "timeout";
        }
        if (problem.equals("SERVFAIL") || problem.equals("REFUSED")) {
            return problem.toLowerCase(Locale.ROOT);
        }
        return "error";
    }
}
