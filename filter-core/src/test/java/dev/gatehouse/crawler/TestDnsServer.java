package dev.gatehouse.crawler;

import dev.gatehouse.net.IpAddress;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A small authoritative DNS server for tests: UDP on 127.0.0.1, an ephemeral port, answers from an
 * in-memory zone built with dnsjava's message classes. Names it does not know get NXDOMAIN; names can
 * be set to answer SERVFAIL or never to answer, and the whole server can go silent. Every query is
 * recorded so tests can count lookups. Other modules use it through the filter-core test-jar.
 *
 * <pre>{@code
 * try (TestDnsServer dns = TestDnsServer.start()) {
 *     dns.ptr("66.249.66.1", "crawl-66-249-66-1.googlebot.com")
 *        .address("crawl-66-249-66-1.googlebot.com", "66.249.66.1");
 *     CrawlerVerifier verifier = CrawlerVerifier.builder().dnsServers(List.of(dns.address())).build();
 * }
 * }</pre>
 */
public final class TestDnsServer implements AutoCloseable {

    private final DatagramSocket socket;
    private final Thread thread;
    private final Map<String, List<Record>> zone = new ConcurrentHashMap<>(); // "name|TYPE" -> records
    private final Set<String> servfail = ConcurrentHashMap.newKeySet();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private final Set<String> silent = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean dropAll = new AtomicBoolean();
    private final List<String> queries = new CopyOnWriteArrayList<>();

    private TestDnsServer() throws SocketException {
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.thread = new Thread(this::serve, "test-dns-" + socket.getLocalPort());
        this.thread.setDaemon(true);
    }

    /** Starts a server on 127.0.0.1 and an ephemeral port. */
    public static TestDnsServer start() {
        try {
            TestDnsServer server = new TestDnsServer();
            server.thread.start();
            return server;
        } catch (SocketException e) {
            throw new IllegalStateException("cannot bind a UDP socket on loopback", e);
        }
    }

    /** Where to send queries. */
    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** Adds PTR records for {@code ip} (its in-addr.arpa / ip6.arpa name) pointing at {@code hostnames}. */
    public TestDnsServer ptr(String ip, String... hostnames) {
        Name owner = name(IpAddress.parse(ip).reverseName());
        for (String host : hostnames) {
            add(owner, Type.PTR, new PTRRecord(owner, DClass.IN, 300, name(host)));
        }
        return this;
    }

    /** Adds A or AAAA records (by the literal's family) for {@code hostname}. */
    public TestDnsServer address(String hostname, String... ips) {
        Name owner = name(hostname);
        for (String ip : ips) {
            IpAddress a = IpAddress.parse(ip);
            try {
                InetAddress inet = InetAddress.getByAddress(a.toBytes()); // raw bytes: no lookup
                add(owner, a.isV4() ? Type.A : Type.AAAA, a.isV4() ? new ARecord(owner, DClass.IN, 300, inet)
                        : new AAAARecord(owner, DClass.IN, 300, inet));
            } catch (IOException e) {
                throw new IllegalArgumentException(ip, e);
            }
        }
        return this;
    }

    /** Answers SERVFAIL for every query about {@code nameOrIp} (a host name, or an IP whose reverse name is meant). */
    public TestDnsServer servfail(String nameOrIp) {
        servfail.add(key(nameOrIp));
        return this;
    }

    /** Answers REFUSED (a resolver that will not serve us) for every query about {@code nameOrIp}. */
    public TestDnsServer refused(String nameOrIp) {
        refused.add(key(nameOrIp));
        return this;
    }

    /** Never answers queries about {@code nameOrIp}. */
    public TestDnsServer silent(String nameOrIp) {
        silent.add(key(nameOrIp));
        return this;
    }

    /** Drops every packet from now on (a dead resolver). */
    public TestDnsServer dropAll(boolean drop) {
        dropAll.set(drop);
        return this;
    }

    /** Every query received so far, as {@code name TYPE} (name lower-case with final dot). */
    public List<String> queries() {
        return List.copyOf(queries);
    }

    /** How many queries of {@code type} (e.g. {@code PTR}) were received for {@code nameOrIp}. */
    public long queryCount(String nameOrIp, String type) {
        String k = key(nameOrIp) + " " + type;
        return queries.stream().filter(k::equals).count();
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void serve() {
        byte[] buffer = new byte[4096];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                return; // closed
            }
            try {
                Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                Record question = query.getQuestion();
                String qname = question.getName().toString().toLowerCase(Locale.ROOT);
                queries.add(qname + " " + Type.string(question.getType()));
                if (dropAll.get() || silent.contains(qname)) {
                    continue;
                }
                byte[] wire = answer(query, question, qname).toWire(512);
                socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
            } catch (IOException | RuntimeException e) {
                // a malformed packet: ignore it, as a real server would
            }
        }
    }

    private Message answer(Message query, Record question, String qname) {
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        response.addRecord(question, Section.QUESTION);
        if (servfail.contains(qname)) {
            response.getHeader().setRcode(Rcode.SERVFAIL);
            return response;
        }
        if (refused.contains(qname)) {
            response.getHeader().setRcode(Rcode.REFUSED);
            return response;
        }
        List<Record> records = zone.get(qname + "|" + question.getType());
        if (records == null) {
            boolean nameExists = zone.keySet().stream().anyMatch(k -> k.startsWith(qname + "|"));
            response.getHeader().setRcode(nameExists ? Rcode.NOERROR : Rcode.NXDOMAIN);
            return response;
        }
        records.forEach(r -> response.addRecord(r, Section.ANSWER));
        return response;
    }

    private void add(Name owner, int type, Record record) {
        zone.computeIfAbsent(owner.toString().toLowerCase(Locale.ROOT) + "|" + type, k -> new CopyOnWriteArrayList<>()).add(record);
    }

    private static String key(String nameOrIp) {
        IpAddress ip = IpAddress.tryParse(nameOrIp);
        String n = ip != null ? ip.reverseName() : nameOrIp;
        return (n.endsWith(".") ? n : n + ".").toLowerCase(Locale.ROOT);
    }

    private static Name name(String text) {
        try {
            return Name.fromString(text.endsWith(".") ? text : text + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** The names in the zone, for diagnostics. */
    @Override
    public String toString() {
        return "TestDnsServer" + address() + new ArrayList<>(zone.keySet());
    }
}
