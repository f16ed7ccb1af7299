package dev.gatehouse.spring;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What an operator reads when a {@code gatehouse.*} value is wrong: Spring Boot's failure report naming it. */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureTest {

    @Test
    void run_badTrustedProxy_reportsThePropertyValueAndReason(CapturedOutput output) {
        SpringApplicationBuilder application = new SpringApplicationBuilder(GatehouseFilterMockMvcTest.App.class)
                .web(WebApplicationType.SERVLET)
                .properties("server.port=0", "server.address=127.0.0.1", "gatehouse.trusted-proxies=lb.example.com");

        assertThatThrownBy(application::run).hasRootCauseInstanceOf(InvalidConfigurationPropertyValueException.class);

        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("Invalid value 'lb.example.com' for configuration property 'gatehouse.trusted-proxies'")
                .contains("hostnames are not accepted");
    }
}
