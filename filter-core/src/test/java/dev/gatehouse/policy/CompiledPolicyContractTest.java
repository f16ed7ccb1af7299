package dev.gatehouse.policy;

import dev.gatehouse.api.Policy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The policy the YAML loader compiles passes the policy contract. */
class CompiledPolicyContractTest extends AbstractPolicyContractTest {

    static String yaml(int capacity) {
        return """
                default: allow
                limits:
                  hosting: {capacity: %d, refill: 1, period: 1h, key: ip}
                rules:
                  - name: limit-hosting
                    when: {hosting: true}
                    action: rate_limit
                    limit: hosting
                """.formatted(capacity);
    }

    @Override
    protected Policy policy(int capacity) {
        return PolicyLoader.builder().meterRegistry(new SimpleMeterRegistry()).build().parse(yaml(capacity), "contract.yaml");
    }
}
