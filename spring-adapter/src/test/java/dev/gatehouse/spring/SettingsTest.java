package dev.gatehouse.spring;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsTest {

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
