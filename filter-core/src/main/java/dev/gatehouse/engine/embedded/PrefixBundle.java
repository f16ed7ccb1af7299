package dev.gatehouse.engine.embedded;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bundled range lists precompiled ({@code prefixes.bin.gz}): per data set its id, date and parsed
 * prefixes as column arrays. A start reads this instead of parsing ~150,000 lines of vendor JSON and
 * text, which is most of a cold load. Operator files and URLs are always parsed; the vendor files stay
 * in the jar as the reference (and {@code PrefixBundleTest} checks the bundle matches them).
 */
final class PrefixBundle {

    static final String PATH = "prefixes.bin";
    private static final int MAGIC = 0x47485052; // "GHPR"

    /** One precompiled data set. */
    record Entry(Prefixes prefixes, Instant dataAsOf) {}

    private PrefixBundle() {
    }

    static void write(DataOutputStream out, Map<String, Entry> sets) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(sets.size());
        for (Map.Entry<String, Entry> e : sets.entrySet()) {
            Prefixes p = e.getValue().prefixes();
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue().dataAsOf().getEpochSecond());
            out.writeInt(e.getValue().dataAsOf().getNano());
            out.writeInt(p.size());
            ByteBuffer buf = ByteBuffer.allocate(20 * p.size());
            for (int i = 0; i < p.size(); i++) {
                buf.putLong(p.hi(i)).putLong(p.lo(i)).putInt(p.meta(i));
            }
            out.write(buf.array());
        }
    }

    static Map<String, Entry> read(DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("not a Gatehouse prefix bundle (bad magic)");
        }
        int count = in.readInt();
        if (count < 0 || count > 10_000) {
            throw new IOException("corrupt prefix bundle header");
        }
        Map<String, Entry> sets = new LinkedHashMap<>();
        for (int s = 0; s < count; s++) {
            String id = in.readUTF();
            long seconds = in.readLong();
            Instant asOf = Instant.ofEpochSecond(seconds, in.readInt());
            int n = in.readInt();
            if (n < 0 || n > 50_000_000) {
                throw new IOException("corrupt prefix bundle: " + n + " prefixes for " + id);
            }
            byte[] bytes = new byte[20 * n];
            in.readFully(bytes);
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            long[] hi = new long[n];
            long[] lo = new long[n];
            int[] meta = new int[n];
            for (int i = 0; i < n; i++) {
                hi[i] = buf.getLong();
                lo[i] = buf.getLong();
                meta[i] = buf.getInt();
            }
            sets.put(id, new Entry(Prefixes.of(hi, lo, meta), asOf));
        }
        return sets;
    }
}
