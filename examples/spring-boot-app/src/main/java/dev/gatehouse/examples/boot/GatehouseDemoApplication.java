package dev.gatehouse.examples.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot web application protected by Gatehouse. It contains no Gatehouse code at all: the
 * starter registers the filter, and {@code application.yml} configures it.
 *
 * <pre>
 * java -jar examples/spring-boot-app/target/gatehouse-spring-boot-app.jar
 * </pre>
 */
@SpringBootApplication
public class GatehouseDemoApplication {

    public static void main(String[] args) {
        SpringApplication.run(GatehouseDemoApplication.class, args);
    }
}
