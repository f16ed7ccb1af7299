package dev.gatehouse.policy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyTestRunnerTest {

    private static final String POLICY = """
            default: allow
            limits:
              three: {capacity: 3, period: 1m}
            rules:
              - name: block-tor
                when: {tor: true}
                action: block
              - name: limit-vpn
                when: {vpn: true}
                action: rate_limit
                limit: three
            """;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    private int run(Path... paths) {
        return PolicyTestRunner.run(List.of(paths), new PrintStream(buffer, true, StandardCharsets.UTF_8));
    }

    private String output() {
        return buffer.toString(StandardCharsets.UTF_8);
    }

    private Path files(String tests) throws IOException {
        Files.writeString(dir.resolve("p.yaml"), POLICY);
        return Files.writeString(dir.resolve("p.test.yaml"), tests);
    }

    @Test
    void run_passingCases_returnsZero() throws IOException {
        Path tests = files("""
                policy: p.yaml
                tests:
                  - name: tor is blocked
                    given: {tor: true, request.path: /login}
                    expect: {verdict: block, rule: block-tor, status: 403}
                  - name: the fourth VPN request is limited
                    given: {ip: "2001:db8::1", vpn: true}
                    repeat: 4
                    expect: {verdict: rate_limit, rule: rule/limit-vpn, status: 429}
                  - name: others pass
                    expect: {verdict: allow, rule: default/allow}
                """);
        assertThat(run(tests)).isZero();
        assertThat(output()).contains("PASS").contains("3 passed, 0 failed");
    }

    @Test
    void run_failingCase_printsLocationExpectedActualAndTrace() throws IOException {
        Path tests = files("""
                policy: p.yaml
                tests:
                  - name: ok
                    given: {tor: true}
                    expect: {verdict: block}
                  - name: wrong on purpose
                    given: {vpn: true}
                    expect: {verdict: block, rule: limit-vpn}
                """);
        assertThat(run(tests)).isEqualTo(1);
        assertThat(output())
                .contains(tests + ":6:5: wrong on purpose")
                .contains("expected: block (rule/limit-vpn)")
                .contains("actual:   allow (rule/limit-vpn)")
                .contains("differs in: verdict")
                .contains("✘ block-tor: tor: true → absent, so false")
                .contains("✔ limit-vpn: vpn: true → was true (given)");
    }

    @Test
    void run_policyFile_runsItsSiblingTests_andDirectoriesAreSearched() throws IOException {
        files("""
                policy: p.yaml
                tests:
                  - name: tor
                    given: {tor: true}
                    expect: {verdict: block}
                """);
        assertThat(run(dir.resolve("p.yaml"))).isZero();
        assertThat(run(dir)).isZero();
    }

    @Test
    void run_invalidTestFile_countsAsFailureWithLocation() throws IOException {
        Path tests = files("""
                policy: p.yaml
                tests:
                  - name: typo
                    given: {tro: true}
                    expect: {verdict: blok}
                """);
        assertThat(run(tests)).isEqualTo(1);
        assertThat(output()).contains(":4:13: ").contains("did you mean 'tor'").contains(":5:23: ").contains("did you mean 'block'");
    }

    @Test
    void run_brokenPolicy_isReportedAsFailure() throws IOException {
        Files.writeString(dir.resolve("p.yaml"), "default: allow\nrules: {}\n");
        Path tests = Files.writeString(dir.resolve("p.test.yaml"), """
                policy: p.yaml
                tests:
                  - name: any
                    expect: {verdict: allow}
                """);
        assertThat(run(tests)).isEqualTo(1);
        assertThat(output()).contains("does not load").contains("p.yaml:2:8: ");
    }

    @Test
    void run_nothingFound_isAFailure() {
        assertThat(run(dir)).isEqualTo(1);
        assertThat(output()).contains("no policy test files");
    }

    @Test
    void run_rotateIp_sendsEachRepeatFromAnotherAddress() throws IOException {
        // limit three is keyed by ip (each address its own bucket): rotating, the fourth request still passes
        Path tests = files("""
                policy: p.yaml
                tests:
                  - name: four VPN requests from four addresses of a /64 are four clients under key ip
                    given: {vpn: true}
                    rotate_ip: 2001:db8:1:2::/64
                    repeat: 4
                    expect: {verdict: allow, rule: limit-vpn}
                  - name: the same from one address is limited
                    given: {ip: "2001:db8:1:2::1", vpn: true}
                    repeat: 4
                    expect: {verdict: rate_limit, rule: limit-vpn}
                """);
        assertThat(run(tests)).as(output()).isZero();
    }

    @Test
    void run_rotateIpMistakes_areReported() throws IOException {
        Path tests = files("""
                policy: p.yaml
                tests:
                  - name: a
                    given: {ip: 192.0.2.1}
                    rotate_ip: 192.0.2.0/24
                    expect: {verdict: allow}
                  - name: b
                    rotate_ip: 192.0.2.1/24
                    expect: {verdict: allow}
                """);
        assertThat(run(tests)).isEqualTo(1);
        assertThat(output()).contains("rotate_ip gives every request its address: drop given.ip").contains("tests[1].rotate_ip");
    }
}
