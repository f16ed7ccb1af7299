package dev.gatehouse.net;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of {@code X-Forwarded-For} / {@code Forwarded} handling (Jazzer): the resolver,
 * the right-to-left list scanner and the hop parsers. Saved inputs live under
 * {@code src/test/resources/dev/gatehouse/net/ForwardingHeadersFuzzTestInputs/<method>/}; see
 * docs/reliability.md, "Fuzzing", for the fuzzing command.
 */
class ForwardingHeadersFuzzTest {

    private static final TrustedProxies TRUSTED = TrustedProxies.parse(List.of("10.0.0.0/8", "2001:db8::/32"));
    private static final IpAddress[] PEERS = {
            IpAddress.parse("10.0.0.1"), IpAddress.parse("2001:db8::1"), IpAddress.parse("203.0.113.9")};

    /**
     * Any headers from any peer: the resolver never throws; an untrusted peer is the client; an address
     * that is not one of our proxies is chosen only as the first untrusted hop (never after an unusable
     * entry, a hop limit or for lack of a header, which all fall back to a trusted address); the explain
     * line carries no control characters; and for quote-free {@code X-Forwarded-For} the choice equals a
     * plain left-to-right reference implementation of the documented rule.
     */
    @FuzzTest
    void resolve_anyHeaders_choosesOnlyAsDocumented(FuzzedDataProvider data) {
        IpAddress peer = PEERS[data.consumeInt(0, PEERS.length - 1)];
        ForwardedHeaders mode = ForwardedHeaders.values()[data.consumeInt(0, ForwardedHeaders.values().length - 1)];
        int maxHops = data.consumeInt(1, 8);
        List<String> xff = lines(data);
        List<String> forwarded = lines(data);
        ClientIpResolver resolver = ClientIpResolver.builder().trustedProxies(TRUSTED).headers(mode).maxHops(maxHops).build();

        ClientIpResolver.Resolution r = resolver.resolveExplained(peer, xff, forwarded);

        assertThat(resolver.resolve(peer, xff, forwarded)).isEqualTo(r.clientIp());
        assertThat(r.detail()).doesNotContainPattern("[\\x00-\\x1f\\x7f]");
        assertThat(r.hop()).isBetween(0, maxHops);
        if (!TRUSTED.isTrusted(peer)) {
            assertThat(r.reason()).isEqualTo(ClientIpResolver.Reason.UNTRUSTED_PEER);
            assertThat(r.clientIp()).isEqualTo(peer);
            return;
        }
        if (r.reason() == ClientIpResolver.Reason.FIRST_UNTRUSTED_HOP) {
            assertThat(TRUSTED.isTrusted(r.clientIp())).isFalse();
            assertThat(r.hop()).isPositive();
        } else {
            assertThat(TRUSTED.isTrusted(r.clientIp())).as("fallback %s must be one of our proxies", r).isTrue();
        }
        boolean readsXff = mode == ForwardedHeaders.X_FORWARDED_FOR
                || (mode == ForwardedHeaders.BOTH && forwarded.stream().allMatch(String::isBlank));
        if (readsXff && xff.stream().noneMatch(l -> l.indexOf('"') >= 0)) {
            assertThat(r.clientIp()).as("reference for %s", xff).isEqualTo(referenceXff(peer, xff, maxHops));
        }
    }

    /**
     * Any lines: the scanner ends, returns each element once from right to left, never an element longer
     * than the limit unless marked too long (and then nothing after it), and for lines without quotes
     * exactly the elements of a plain comma split.
     */
    @FuzzTest
    void scanner_anyLines_readsTheListBackwards(FuzzedDataProvider data) {
        int max = data.consumeInt(1, 40);
        List<String> lines = lines(data);
        ReverseListScanner scanner = new ReverseListScanner(lines, max);
        List<ReverseListScanner.Element> elements = new ArrayList<>();
        int bound = lines.stream().mapToInt(String::length).sum() + lines.size();
        for (ReverseListScanner.Element e = scanner.next(); e != null; e = scanner.next()) {
            elements.add(e);
            assertThat(elements.size()).as("elements of %s", lines).isLessThanOrEqualTo(bound);
            assertThat(e.text().length()).isLessThanOrEqualTo(max + 1);
            if (e.tooLong()) {
                assertThat(scanner.next()).isNull();
                break;
            }
        }
        assertThat(scanner.next()).isNull();
        if (lines.stream().noneMatch(l -> l.indexOf('"') >= 0)) {
            List<String> expected = new ArrayList<>();
            for (int i = lines.size() - 1; i >= 0; i--) {
                String[] parts = lines.get(i).split(",", -1);
                for (int k = parts.length - 1; k >= 0; k--) {
                    expected.add(parts[k]);
                }
            }
            for (int i = 0; i < elements.size(); i++) {
                String raw = expected.get(i);
                ReverseListScanner.Element e = elements.get(i);
                if (e.tooLong()) {
                    assertThat(raw.length()).as("too long: '%s'", raw).isGreaterThan(max);
                } else {
                    assertThat(raw.length()).isLessThanOrEqualTo(max);
                    assertThat(e.text()).isEqualTo(strip(raw));
                }
            }
            if (elements.isEmpty() || !elements.get(elements.size() - 1).tooLong()) {
                assertThat(elements).hasSize(expected.size());
            }
        }
    }

    /**
     * Any single entry: the hop parsers never throw and never resolve names; an entry read as an address
     * names that address literally (after brackets and a port are removed).
     */
    @FuzzTest
    void hop_anyEntry_isAnAddressOnlyWhenItSaysSo(byte[] input) {
        String entry = new String(input, StandardCharsets.UTF_8);
        Hop xff = Hop.fromXForwardedFor(entry);
        assertThat(xff.text()).isEqualTo(entry);
        if (xff.kind() == Hop.Kind.ADDRESS) {
            assertThat(xff.address()).isEqualTo(IpAddress.parse(literalOf(entry)));
        } else {
            assertThat(xff.address()).isNull();
        }
        Hop element = Hop.fromForwardedElement(entry);
        if (element.kind() == Hop.Kind.ADDRESS) {
            assertThat(entry.toLowerCase(Locale.ROOT)).contains("for=");
            assertThat(element.address()).isNotNull();
        } else {
            assertThat(element.address()).isNull();
        }
        Hop node = Hop.fromForwardedNode(entry);
        if (node.kind() == Hop.Kind.ADDRESS) {
            assertThat(node.address()).isEqualTo(IpAddress.parse(literalOf(entry)));
        }
    }

    /**
     * Finding, while writing the oracle of {@code resolve_anyHeaders_choosesOnlyAsDocumented} (whose input
     * {@code finding-xff-element-of-101-characters}, 101 characters of tabs around {@code 2001:db8::}
     * after a comma, first failed against a reference that was itself off by one): an element one character
     * over the limit was too long after a comma but read as usual at the start of a line, so a client
     * could put a 101-character entry first in a header line and have it read.
     */
    @Test
    void scanner_elementOneOverTheLimit_isTooLongWhereverItStands() {
        String over = " ".repeat(90) + "203.0.113.7";
        assertThat(over).hasSize(ClientIpResolver.MAX_ELEMENT_CHARS + 1);
        assertThat(new ReverseListScanner(List.of(over), 100).next().tooLong()).isTrue();
        assertThat(new ReverseListScanner(List.of("a," + over), 100).next().tooLong()).isTrue();
        assertThat(new ReverseListScanner(List.of(over.substring(1)), 100).next().tooLong()).isFalse();

        ClientIpResolver.Resolution r = ClientIpResolver.trusting(TRUSTED).resolveExplained(PEERS[0], List.of(over), List.of());
        assertThat(r.reason()).isEqualTo(ClientIpResolver.Reason.UNUSABLE_HOP);
        assertThat(r.clientIp()).isEqualTo(PEERS[0]);
    }

    private static List<String> lines(FuzzedDataProvider data) {
        int n = data.consumeInt(0, 3);
        List<String> lines = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            lines.add(data.consumeString(200));
        }
        return lines;
    }

    /** The rule of {@link ClientIpResolver}, written forwards and plainly, for X-Forwarded-For without quotes. */
    private static IpAddress referenceXff(IpAddress peer, List<String> lines, int maxHops) {
        List<String> raw = new ArrayList<>();
        for (String line : lines) {
            for (String part : line.split(",", -1)) {
                raw.add(part);
            }
        }
        IpAddress lastTrusted = peer;
        int examined = 0;
        for (int i = raw.size() - 1; i >= 0; i--) {
            String element = strip(raw.get(i));
            if (element.isEmpty() && raw.get(i).length() <= ClientIpResolver.MAX_ELEMENT_CHARS) {
                continue;
            }
            if (examined == maxHops) {
                return lastTrusted;
            }
            examined++;
            if (raw.get(i).length() > ClientIpResolver.MAX_ELEMENT_CHARS) { // white space included
                return lastTrusted;
            }
            Hop hop = Hop.fromXForwardedFor(element);
            if (hop.kind() != Hop.Kind.ADDRESS) {
                return lastTrusted;
            }
            if (!TRUSTED.isTrusted(hop.address())) {
                return hop.address();
            }
            lastTrusted = hop.address();
        }
        return lastTrusted;
    }

    /** The literal in {@code 1.2.3.4}, {@code 1.2.3.4:80}, {@code [::1]} or {@code [::1]:80}. */
    private static String literalOf(String entry) {
        if (entry.startsWith("[")) {
            return entry.substring(1, entry.indexOf(']'));
        }
        int colon = entry.indexOf(':');
        return colon >= 0 && entry.indexOf(':', colon + 1) < 0 ? entry.substring(0, colon) : entry;
    }

    private static String strip(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
            to--;
        }
        return s.substring(from, to);
    }
}
