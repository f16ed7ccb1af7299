package dev.gatehouse.ratelimit.redis;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisSettingsTest {

    @Test
    void defaults_localRedisGatehousePrefix20msLocalFallback() {
        RedisSettings s = RedisSettings.defaults();
        assertThat(s.url()).isEqualTo("redis://127.0.0.1:6379");
        assertThat(s.passwordEnv()).isEmpty();
        assertThat(s.keyPrefix()).isEqualTo("gatehouse");
        assertThat(s.timeout()).isEqualTo(Duration.ofMillis(20));
        assertThat(s.fallback()).isEqualTo(RedisSettings.Fallback.LOCAL);
    }

    @Test
    void url_acceptsRedisTlsAndSentinel() {
        assertThat(RedisSettings.builder().url("rediss://cache.internal:6380/2").build().url()).isEqualTo("rediss://cache.internal:6380/2");
        assertThat(RedisSettings.builder().url("redis://:secret@10.0.0.5").build().url()).isEqualTo("redis://:secret@10.0.0.5");
        assertThat(RedisSettings.builder().url("redis-sentinel://10.0.0.1:26379,10.0.0.2:26379#mymaster").build().url())
                .startsWith("redis-sentinel://");
    }

    @Test
    void url_rejectsOtherSchemesAndMissingHost_namingTheKey() {
        assertThatThrownBy(() -> RedisSettings.builder().url("http://127.0.0.1:6379"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rate-limit.redis.url must start with redis:// or rediss:// (TLS), was 'http://127.0.0.1:6379'");
        assertThatThrownBy(() -> RedisSettings.builder().url("127.0.0.1:6379")).hasMessageContaining("rate-limit.redis.url");
        assertThatThrownBy(() -> RedisSettings.builder().url("redis:///0")).hasMessageContaining("rate-limit.redis.url must name a host");
        assertThatThrownBy(() -> RedisSettings.builder().url("redis-sentinel://10.0.0.1:26379"))
                .hasMessageContaining("#mymaster");
    }

    @Test
    void timeout_mustBePositiveAndAtMostTenSeconds() {
        assertThatThrownBy(() -> RedisSettings.builder().timeout(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("rate-limit.redis.timeout must be positive, was -5ms");
        assertThatThrownBy(() -> RedisSettings.builder().timeout(Duration.ZERO)).hasMessage("rate-limit.redis.timeout must be positive, was 0ms");
        assertThatThrownBy(() -> RedisSettings.builder().timeout(Duration.ofSeconds(11))).hasMessageContaining("at most 10s");
    }

    @Test
    void fallback_parsesTheThreeSpellings_andSuggestsOnTypos() {
        assertThat(RedisSettings.builder().fallback("allow").build().fallback()).isEqualTo(RedisSettings.Fallback.ALLOW);
        assertThat(RedisSettings.builder().fallback("BLOCK").build().fallback()).isEqualTo(RedisSettings.Fallback.BLOCK);
        assertThatThrownBy(() -> RedisSettings.builder().fallback("locale"))
                .hasMessage("rate-limit.redis.fallback must be one of local, allow, block, was 'locale' (did you mean 'local'?)");
    }

    @Test
    void keyPrefixAndPasswordEnv_areChecked() {
        assertThatThrownBy(() -> RedisSettings.builder().keyPrefix("my app")).hasMessageContaining("rate-limit.redis.key-prefix");
        assertThatThrownBy(() -> RedisSettings.builder().keyPrefix("")).hasMessageContaining("rate-limit.redis.key-prefix");
        assertThatThrownBy(() -> RedisSettings.builder().passwordEnv("not-a-var")).hasMessageContaining("rate-limit.redis.password-env");
    }

    @Test
    void password_comesFromTheNamedVariable_andAnUnsetVariableIsAStartUpError() {
        RedisSettings s = RedisSettings.builder().passwordEnv("GATEHOUSE_REDIS_PASSWORD").build();
        assertThat(s.password(Map.of("GATEHOUSE_REDIS_PASSWORD", "s3cret")::get)).hasValueSatisfying(p -> assertThat(new String(p)).isEqualTo("s3cret"));
        assertThatThrownBy(() -> s.password(Map.<String, String>of()::get))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("rate-limit.redis.password-env names the environment variable GATEHOUSE_REDIS_PASSWORD, which is not set");
        assertThat(RedisSettings.defaults().password(Map.<String, String>of()::get)).isEmpty();
    }

    @Test
    void aclUser_isTheLoneUserInfo_whenThePasswordComesFromTheEnvironment() {
        assertThat(RedisSettings.builder().url("rediss://gatehouse@h:6380").passwordEnv("P").build().aclUser()).contains("gatehouse");
        assertThat(RedisSettings.builder().url("rediss://gatehouse@h:6380").build().aclUser()).as("legacy redis://password@host").isEmpty();
        assertThat(RedisSettings.builder().url("redis://u:pw@h").passwordEnv("P").build().aclUser()).isEmpty();
        assertThat(RedisSettings.builder().url("redis://h").passwordEnv("P").build().aclUser()).isEmpty();
    }

    @Test
    void toString_masksAPasswordInTheUrl() {
        RedisSettings s = RedisSettings.builder().url("redis://app:s3cret@10.0.0.5:6379").build();
        assertThat(s.toString()).contains("redis://app:***@10.0.0.5:6379").doesNotContain("s3cret");
        assertThat(s.toBuilder().build()).isEqualTo(s);
    }
}
