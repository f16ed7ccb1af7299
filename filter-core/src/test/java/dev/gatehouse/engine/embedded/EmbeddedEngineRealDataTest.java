package dev.gatehouse.engine.embedded;

import dev.gatehouse.engine.Signal;
import dev.gatehouse.engine.Signals;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The bundled data, loaded once for the class: real addresses from each data set give the expected answers. */
class EmbeddedEngineRealDataTest {

    private static EmbeddedEngine engine;

    @BeforeAll
    static void load() {
        engine = EmbeddedEngine.loadDefault();
    }

    private static Signals lookup(String ip) {
        return engine.lookup(IpAddress.parse(ip));
    }

    @Test
    void loadReports_bundledData_everySetUsedWithoutFailure() {
        engine.loadReports().forEach(r -> System.out.println(r.dataSet() + " " + r.entries() + " bad=" + r.badLines() + " " + r.problems().stream().limit(3).toList() + " " + r.failure()));
        assertThat(engine.loadReports()).allSatisfy(r -> assertThat(r.used()).as(r.toString()).isTrue());
    }

    @Test
    void lookup_googleDns_asn15169() {
        Signals s = lookup("8.8.8.8");
        System.out.println(s + " " + s.sources());
        assertThat(s.value(Signal.ASN)).isEqualTo(15169);
        assertThat(s.string(Signal.AS_ORG)).containsIgnoringCase("google");
    }
}
