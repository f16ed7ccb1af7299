package dev.gatehouse.spring;

import org.springframework.boot.test.context.SpringBootTest;

/** The starter on Spring MVC (Tomcat) on a random port. */
@SpringBootTest(classes = ServerTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.main.web-application-type=servlet", "gatehouse.trusted-proxies=loopback",
                "management.endpoint.health.show-details=always"})
class MvcServerTest extends AbstractServerTest {
}
