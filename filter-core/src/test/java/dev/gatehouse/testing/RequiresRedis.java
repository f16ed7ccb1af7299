package dev.gatehouse.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The annotated test class needs Redis on 127.0.0.1:6379: skipped with a message when it is absent,
 * failed when {@code GATEHOUSE_REQUIRE_SERVICES=1} ({@link Services#requireRedis()}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresRedis.Check.class)
public @interface RequiresRedis {

    /** Checks once per class, before anything else of the class runs. */
    final class Check implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            Services.requireRedis();
        }
    }
}
