package dev.gatehouse.examples.webflux;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A reactive (WebFlux, Reactor Netty) application protected by Gatehouse. It contains no Gatehouse code:
 * the starter registers its WebFilter, and {@code application.yml} configures it.
 *
 * <pre>
 * java -jar examples/webflux-app/target/gatehouse-webflux-app.jar
 * </pre>
 */
@SpringBootApplication
public class GatehouseWebFluxApplication {

    public static void main(String[] args) {
        SpringApplication.run(GatehouseWebFluxApplication.class, args);
    }
}
