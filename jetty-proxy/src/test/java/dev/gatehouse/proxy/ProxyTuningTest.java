package dev.gatehouse.proxy;

import dev.gatehouse.ratelimit.redis.RedisSettings;
import dev.gatehouse.settings.GatehouseSettings;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProxyTuningTest {

    @Test
    void invocationType_nonBlockingUnlessDispatchIsAskedFor() {
        assertThat(ProxyTuning.invocationType(null)).isEqualTo(InvocationType.NON_BLOCKING);
        assertThat(ProxyTuning.invocationType("false")).isEqualTo(InvocationType.NON_BLOCKING);
        assertThat(ProxyTuning.invocationType("true")).isEqualTo(InvocationType.BLOCKING);
        assertThat(ProxyTuning.INVOCATION_TYPE).isEqualTo(InvocationType.NON_BLOCKING); // the tests run without the property
    }

    @Test
    void mustDispatch_onlyWithTheRedisStore_whoseCallsWaitOnTheNetwork() {
        assertThat(ProxyTuning.mustDispatch(GatehouseSettings.custom().build())).isFalse();
        GatehouseSettings redis = GatehouseSettings.custom().rateLimit(new GatehouseSettings.RateLimitSettings(
                GatehouseSettings.RateLimitStoreKind.REDIS, 10, RedisSettings.defaults())).build();
        assertThat(ProxyTuning.mustDispatch(redis)).isTrue();
    }

    @Test
    void via_isTheVersionForHttp_theWholeProtocolOtherwise() {
        assertThat(ProxyTuning.via("HTTP/1.1", "gatehouse")).isEqualTo("1.1 gatehouse");
        assertThat(ProxyTuning.via("http/2.0", "gatehouse")).isEqualTo("2.0 gatehouse");
        assertThat(ProxyTuning.via("HTTP", "gatehouse")).isEqualTo("HTTP gatehouse");
        assertThat(ProxyTuning.via("SPDY/3", "gatehouse")).isEqualTo("SPDY/3 gatehouse");
    }

    @Test
    void appendVia_addsOrAppendsDroppingBlankValues() {
        HttpFields.Mutable none = HttpFields.build();
        ProxyTuning.appendVia(none, "1.1 gatehouse");
        assertThat(none.getValuesList(HttpHeader.VIA)).containsExactly("1.1 gatehouse");

        HttpFields.Mutable some = HttpFields.build().add(HttpHeader.VIA, "1.0 fred, , 1.1 p.example").add(HttpHeader.VIA, "1.1 other");
        ProxyTuning.appendVia(some, "1.1 gatehouse");
        assertThat(some.getValuesList(HttpHeader.VIA)).containsExactly("1.0 fred, 1.1 p.example, 1.1 other, 1.1 gatehouse");
    }

    @Test
    void appendForwarded_addsOrAppendsToTheElementsThere() {
        HttpFields.Mutable none = HttpFields.build();
        ProxyTuning.appendForwarded(none, "by=\"127.0.0.1\";for=\"10.0.0.1\";host=\"a\";proto=http");
        assertThat(none.getValuesList(HttpHeader.FORWARDED)).containsExactly("by=\"127.0.0.1\";for=\"10.0.0.1\";host=\"a\";proto=http");

        HttpFields.Mutable some = HttpFields.build().add(HttpHeader.FORWARDED, "for=192.0.2.60;proto=https");
        ProxyTuning.appendForwarded(some, "by=x");
        assertThat(some.getValuesList(HttpHeader.FORWARDED)).containsExactly("for=192.0.2.60;proto=https, by=x");
    }
}
