package dev.gatehouse.policy;

import dev.gatehouse.api.Policy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The hot-reloading policy (a file, read once here) passes the policy contract. */
class ReloadablePolicyContractTest extends AbstractPolicyContractTest {

    @TempDir
    Path dir;

    private ReloadablePolicy policy;

    @Override
    protected Policy policy(int capacity) {
        try {
            Path file = Files.writeString(dir.resolve("policy.yaml"), CompiledPolicyContractTest.yaml(capacity));
            policy = ReloadablePolicy.manual(file, PolicyLoader.builder().meterRegistry(new SimpleMeterRegistry()).build());
            return policy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterEach
    void close() {
        policy.close();
    }
}
