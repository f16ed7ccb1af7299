package dev.gatehouse.crawler;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gatehouse.net.IpAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of DNS answer handling (Jazzer): {@link DnsLookup} and {@link ForwardConfirmedRdns}
 * receive hostile replies from a loopback UDP server that answers every query with what the fuzzer
 * made. {@code DnsLookup} interprets dnsjava messages only as they come off the wire, so the wire is the
 * seam. {@link TestDnsServer} answers from a well-formed zone; this server answers with anything. Saved
 * inputs live under {@code src/test/resources/dev/gatehouse/crawler/DnsAnswerFuzzTestInputs/<method>/};
 * see docs/reliability.md, "Fuzzing", for the fuzzing command.
 */
class DnsAnswerFuzzTest {

    private static final IpAddress CLIENT = IpAddress.parse("192.0.2.1");
    private static final String SUFFIX = "example.com";
    /** Every query ends well before this: a reply that cannot be used fails the query at once or times out per try. */
    private static final long BOUND_SECONDS = 10;

    private static final AnyReplyServer SERVER = AnyReplyServer.start();
    private static final DnsLookup DNS = new DnsLookup(List.of(SERVER.address()), Duration.ofMillis(300), 0,
            new SimpleMeterRegistry(), System::nanoTime);

    @AfterAll
    static void stop() {
        SERVER.close();
    }

    /**
     * Any reply built from dnsjava records (any rcode, records of the asked type or not, for the asked
     * name or not, PTR targets with any labels): the lookup completes, normally, within its time; PTR
     * values are lower case without the final dot, A/AAAA values are canonical addresses of the asked
     * family; forward-confirmed reverse DNS completes normally and confirms only a name under the
     * documented suffix that resolves back to the address.
     */
    @FuzzTest
    void lookup_anyStructuredReply_completesWithSaneValues(FuzzedDataProvider data) throws Exception {
        byte rcode = data.consumeByte((byte) 0, (byte) 15);
        boolean echoQuestion = data.consumeBoolean();
        List<RecordSpec> specs = new ArrayList<>();
        int n = data.consumeInt(0, 6);
        for (int i = 0; i < n; i++) {
            specs.add(new RecordSpec(data.consumeInt(0, 5), data.consumeBoolean(), data.consumeString(80),
                    data.consumeBytes(16)));
        }
        SERVER.reply(queryWire -> structuredReply(queryWire, rcode, echoQuestion, specs));
        check();
    }

    /**
     * Any bytes as the reply (with the query's id, so dnsjava does not drop it as a stray): the lookup
     * completes normally within its time, whatever dnsjava makes of the bytes.
     */
    @FuzzTest
    void lookup_anyWireReply_completes(byte[] reply) throws Exception {
        SERVER.reply(queryWire -> {
            byte[] out = reply.length >= 2 ? reply.clone() : Arrays.copyOf(reply, 2);
            out[0] = queryWire[0];
            out[1] = queryWire[1];
            return out;
        });
        check();
    }

    /**
     * Finding of {@code lookup_anyStructuredReply_completesWithSaneValues} (saved as {@code finding-ptr-to-the-root}):
     * a PTR record whose target is the root came out as the host name {@code "."}. It names no host and is
     * now skipped, so the address has no PTR name and the claim is refuted.
     */
    @Test
    void ptr_toTheRoot_namesNoHost() throws Exception {
        SERVER.reply(queryWire -> structuredReply(queryWire, (byte) 0, true, List.of(new RecordSpec(0, true, "", new byte[0]))));

        DnsLookup.Answer ptr = DNS.ptr(CLIENT.reverseName()).get(BOUND_SECONDS, TimeUnit.SECONDS);

        assertThat(ptr.status()).isEqualTo(DnsLookup.Status.OK);
        assertThat(ptr.values()).isEmpty();
        assertThat(new ForwardConfirmedRdns(DNS).check(CLIENT, List.of(SUFFIX)).get(BOUND_SECONDS, TimeUnit.SECONDS).result())
                .isEqualTo(ForwardConfirmedRdns.Result.REFUTED);
    }

    private static void check() throws Exception {
        DnsLookup.Answer ptr = DNS.ptr(CLIENT.reverseName()).get(BOUND_SECONDS, TimeUnit.SECONDS);
        assertThat(ptr.status()).isNotNull();
        if (ptr.status() == DnsLookup.Status.OK) {
            assertThat(ptr.values()).allSatisfy(v -> {
                assertThat(v).isEqualTo(v.toLowerCase(Locale.ROOT));
                assertThat(v).doesNotEndWith(".");
            });
        } else {
            assertThat(ptr.values()).isEmpty();
        }
        for (boolean v6 : new boolean[] {false, true}) {
            DnsLookup.Answer forward = DNS.addresses("crawl.example.com", v6).get(BOUND_SECONDS, TimeUnit.SECONDS);
            for (String value : forward.values()) {
                IpAddress a = IpAddress.parse(value);
                assertThat(a.toString()).isEqualTo(value);
                if (!v6) {
                    assertThat(a.isV4()).isTrue();
                }
            }
        }
        ForwardConfirmedRdns.Outcome outcome = new ForwardConfirmedRdns(DNS).check(CLIENT, List.of(SUFFIX))
                .get(BOUND_SECONDS, TimeUnit.SECONDS);
        assertThat(outcome.result()).isNotNull();
        if (outcome.result() == ForwardConfirmedRdns.Result.CONFIRMED) {
            assertThat(ForwardConfirmedRdns.isUnder(outcome.hostname(), SUFFIX)).as(outcome.toString()).isTrue();
        } else {
            assertThat(outcome.hostname()).isNull();
        }
    }

    /** One answer record to render for whatever query arrives. */
    private record RecordSpec(int type, boolean forAskedName, String label, byte[] bytes) {}

    private static byte[] structuredReply(byte[] queryWire, byte rcode, boolean echoQuestion, List<RecordSpec> specs) {
        Message query;
        try {
            query = new Message(queryWire);
        } catch (IOException e) {
            return new byte[0];
        }
        Record question = query.getQuestion();
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setRcode(rcode);
        if (echoQuestion) {
            response.addRecord(question, Section.QUESTION);
        }
        for (RecordSpec spec : specs) {
            Name owner = spec.forAskedName() ? question.getName() : name("other." + SUFFIX);
            Record record = switch (spec.type()) {
                case 0 -> new PTRRecord(owner, DClass.IN, 60, spec.label().isEmpty() ? Name.root : name(spec.label()));
                case 1 -> new PTRRecord(owner, DClass.IN, 60, name(spec.label() + "." + SUFFIX));
                case 2 -> new ARecord(owner, DClass.IN, 60, address(Arrays.copyOf(spec.bytes(), 4)));
                case 3 -> new AAAARecord(owner, DClass.IN, 60, address(Arrays.copyOf(spec.bytes(), 16)));
                case 4 -> new CNAMERecord(owner, DClass.IN, 60, name(spec.label() + "." + SUFFIX));
                default -> new TXTRecord(owner, DClass.IN, 60, spec.label());
            };
            if (record != null && (spec.type() < 2 ? question.getType() == Type.PTR : true)) {
                response.addRecord(record, Section.ANSWER);
            }
        }
        return response.toWire(65_535);
    }

    private static Name name(String text) {
        try {
            return Name.fromString(text.endsWith(".") ? text : text + ".");
        } catch (TextParseException | RuntimeException e) {
            return Name.root;
        }
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes); // raw bytes: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A UDP server on loopback that answers every query with {@code reply(query bytes)}. */
    private static final class AnyReplyServer implements AutoCloseable {
        private final DatagramSocket socket;
        private volatile UnaryOperator<byte[]> reply = q -> new byte[0];

        private AnyReplyServer(DatagramSocket socket) {
            this.socket = socket;
        }

        static AnyReplyServer start() {
            try {
                AnyReplyServer server = new AnyReplyServer(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
                Thread thread = new Thread(server::serve, "fuzz-dns");
                thread.setDaemon(true);
                thread.start();
                return server;
            } catch (SocketException e) {
                throw new IllegalStateException("cannot bind a UDP socket on loopback", e);
            }
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        void reply(UnaryOperator<byte[]> reply) {
            this.reply = reply;
        }

        private void serve() {
            byte[] buffer = new byte[4096];
            while (!socket.isClosed()) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                    byte[] wire = reply.apply(Arrays.copyOf(packet.getData(), packet.getLength()));
                    if (wire.length > 0) {
                        socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
                    }
                } catch (IOException | RuntimeException e) {
                    if (socket.isClosed()) {
                        return;
                    }
                }
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
