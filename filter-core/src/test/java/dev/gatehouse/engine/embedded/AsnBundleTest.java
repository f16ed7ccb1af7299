package dev.gatehouse.engine.embedded;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The precompiled ASN bundle is exactly the CSVs it was compiled from (kept in the test resources). */
class AsnBundleTest {

    private static ParseSink csv;

    @BeforeAll
    static void parse() throws IOException, URISyntaxException {
        Path dir = Path.of(AsnBundleTest.class.getResource("/dev/gatehouse/engine/embedded/asn/asn-ipv4.csv.gz").toURI()).getParent();
        csv = AsnBundleCompiler.parseCsvs(dir);
    }

    @Test
    void bundle_sameBytesAsCompiledFromCsv() throws IOException {
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(expected)) {
            csv.asn.build().write(out);
        }
        byte[] bundled;
        try (InputStream in = FeedOpener.bundled(SnapshotLoader.ASN_BUNDLE).stream()) {
            bundled = in.readAllBytes();
        }
        assertThat(bundled).isEqualTo(expected.toByteArray());
    }

    @Test
    void csv_knownBadRowsReportedWithFileAndLine() {
        assertThat(csv.asn.size()).isEqualTo(515_156);
        assertThat(csv.problems).extracting(LoadReport.Problem::toString).containsExactly(
                "asn-ipv4.csv.gz:152463: AS number '4294967294' is not a number in 0..2147483647",
                "asn-ipv4.csv.gz:399116: range overlaps or is out of order with the previous one");
    }

    @Test
    void read_corruptHeader_rejected() {
        byte[] junk = {0x47, 0x48, 0x41, 0x53, 0x7f, 0x7f, 0x7f, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0};
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AsnTable.read(new java.io.DataInputStream(new java.io.ByteArrayInputStream(junk))))
                .isInstanceOf(IOException.class).hasMessageContaining("corrupt");
    }
}
