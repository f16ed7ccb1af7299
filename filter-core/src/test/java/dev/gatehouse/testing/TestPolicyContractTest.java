package dev.gatehouse.testing;

import dev.gatehouse.api.Policy;
import dev.gatehouse.api.Signal;
import dev.gatehouse.policy.AbstractPolicyContractTest;

/** The policy double decides as a policy must; it keeps no buckets, so the token tests are skipped. */
class TestPolicyContractTest extends AbstractPolicyContractTest {

    @Override
    protected Policy policy(int capacity) {
        return TestPolicy.builder().rateLimit("limit-hosting", (request, signals) -> signals.isTrue(Signal.HOSTING), 60).build();
    }

    @Override
    protected boolean spendsTokens() {
        return false;
    }
}
