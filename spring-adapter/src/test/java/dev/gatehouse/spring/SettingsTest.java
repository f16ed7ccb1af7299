package dev.gatehouse.spring;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

import java.net.InetSocketAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsTest {

    @Test
    void dnsServers_literalsAndLocalhost_becomeSocketAddressesWithoutLookup() {
        GatehouseProperties p = new GatehouseProperties();
        p.setDnsServers(List.of("127.0.0.1:5353", "[::1]:53", "2001:db8::53", "192.0.2.53", "localhost:8600", " "));

        List<InetSocketAddress> servers = Settings.dnsServers(p);

        assertThat(servers).extracting(a -> a.getAddress().getHostAddress() + "/" + a.getPort()).containsExactly(
                "127.0.0.1/5353", "0:0:0:0:0:0:0:1/53", "2001:db8:0:0:0:0:0:53/53", "192.0.2.53/53", "127.0.0.1/8600");
        assertThat(servers).allSatisfy(a -> assertThat(a.isUnresolved()).isFalse());
    }

    @ParameterizedTest
    @ValueSource(strings = {"dns.google:53", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:x", "[::1", "[::1]x53"})
    void dnsServers_badEntry_namesThePropertyAndEntry(String entry) {
        GatehouseProperties p = new GatehouseProperties();
        p.setDnsServers(List.of(entry));

        assertThatThrownBy(() -> Settings.dnsServers(p))
                .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                .hasMessageContaining("gatehouse.dns-servers")
                .hasMessageContaining(entry);
    }

    @Test
    void urlPatterns_servletForms_areAccepted() {
        GatehouseProperties p = new GatehouseProperties();
        p.setUrlPatterns(List.of("/*", "/", "/api/*", "/login", "*.html"));

        assertThat(Settings.urlPatterns(p)).containsExactly("/*", "/", "/api/*", "/login", "*.html");
    }

    @ParameterizedTest
    @ValueSource(strings = {"api/*", "/api*", "*.", "*./x", "/a/*/b", " "})
    void urlPatterns_badPattern_isRefused(String pattern) {
        GatehouseProperties p = new GatehouseProperties();
        p.setUrlPatterns(List.of(pattern));

        assertThatThrownBy(() -> Settings.urlPatterns(p))
                .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                .hasMessageContaining("gatehouse.url-patterns");
    }

    @Test
    void urlPatterns_none_isRefused() {
        GatehouseProperties p = new GatehouseProperties();
        p.setUrlPatterns(List.of());

        assertThatThrownBy(() -> Settings.urlPatterns(p)).hasMessageContaining("at least one pattern");
    }
}
