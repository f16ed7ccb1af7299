package dev.gatehouse.engine.embedded;

import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The precompiled range lists are exactly what parsing the bundled vendor files gives. */
class PrefixBundleTest {

    @Test
    void bundle_matchesParsedVendorFiles() throws IOException {
        Map<String, PrefixBundle.Entry> parsed = PrefixBundleCompiler.compile();
        Map<String, PrefixBundle.Entry> bundled;
        try (DataInputStream in = new DataInputStream(FeedOpener.bundled(PrefixBundle.PATH).stream())) {
            bundled = PrefixBundle.read(in);
        }
        assertThat(bundled.keySet()).as("rebuild prefixes.bin.gz with PrefixBundleCompiler").isEqualTo(parsed.keySet());
        parsed.forEach((id, expected) -> {
            PrefixBundle.Entry actual = bundled.get(id);
            assertThat(actual.dataAsOf()).as(id).isEqualTo(expected.dataAsOf());
            Prefixes a = actual.prefixes();
            Prefixes e = expected.prefixes();
            assertThat(a.size()).as(id + " size; rebuild prefixes.bin.gz with PrefixBundleCompiler").isEqualTo(e.size());
            for (int i = 0; i < e.size(); i++) {
                assertThat(new long[] {a.hi(i), a.lo(i), a.meta(i)}).as(id + " #" + i).containsExactly(e.hi(i), e.lo(i), e.meta(i));
            }
        });
    }

    @Test
    void read_badMagic_rejected() {
        assertThatThrownBy(() -> PrefixBundle.read(new DataInputStream(new java.io.ByteArrayInputStream(new byte[] {1, 2, 3, 4}))))
                .isInstanceOf(IOException.class).hasMessageContaining("bad magic");
    }
}
