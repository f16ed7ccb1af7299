package dev.gatehouse.crawler;

import dev.gatehouse.api.BotVerification;
import dev.gatehouse.api.BotVerifiedBy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.net.IpAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Paths that need no DNS: the resolver address below must never be asked (a query there could not answer). */
class CrawlerVerifierTest {

    private static final InetSocketAddress NOWHERE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CrawlerVerifier verifier = CrawlerVerifier.builder()
            .dnsServers(List.of(NOWHERE)).dnsTimeout(Duration.ofSeconds(5)).timeout(Duration.ofSeconds(5))
            .meterRegistry(registry).build();

    private Signals enrich(String ip, String ua, Signals known) {
        RequestFacts facts = RequestFacts.builder(IpAddress.parse(ip)).userAgent(ua).build();
        return verifier.enrich(facts, known).toCompletableFuture().orTimeout(2, TimeUnit.SECONDS).join();
    }

    private Signals enrich(String ip, String ua) {
        return enrich(ip, ua, Signals.of(IpAddress.parse(ip)));
    }

    @Test
    void enrich_browserFromGoogleRange_namedByRangeWithoutClaim() {
        Signals s = enrich("66.249.66.1", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36");

        assertThat(s.value(Signal.BOT_NAME)).isEqualTo("Googlebot");
        assertThat(s.value(Signal.BOT_VERIFIED)).isEqualTo("verified");
        assertThat(s.value(Signal.BOT_VERIFIED_BY)).isEqualTo("ip_range");
        assertThat(s.value(Signal.UA_CLAIMS_BOT)).isNull();
        assertThat(s.observation(Signal.BOT_NAME).sources()).containsExactly("embedded:crawlers");
    }

    @Test
    void enrich_browserFromOrdinaryAddress_signalsPassUnchanged() {
        Signals known = Signals.of(IpAddress.parse("192.0.2.1"));
        Signals s = enrich("192.0.2.1", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", known);

        assertThat(s).isSameAs(known); // no copy, and no bot_verified=none credited to rdns
        assertThat(s.value(Signal.BOT_VERIFIED)).isNull();
        assertThat(s.botVerification()).isEqualTo(BotVerification.NONE);
        assertThat(s.sources()).isEmpty();
    }

    @Test
    void enrich_noClaimAndEngineAlreadyDecided_leavesSignalsAlone() {
        IpAddress ip = IpAddress.parse("192.0.2.2");
        Signals known = Signals.builder(ip).put(Signal.KNOWN_BOT, true, "embedded:crawlers")
                .put(Signal.BOT_VERIFIED, "verified", "embedded:crawlers").build();

        assertThat(enrich("192.0.2.2", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", known)).isSameAs(known);
    }

    @Test
    void enrich_gptbotOutsideOpenAiRanges_spoofedWithoutDns() {
        Signals s = enrich("192.0.2.3", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.3; +https://openai.com/gptbot)");

        assertThat(s.value(Signal.BOT_NAME)).isEqualTo("GPTBot");
        assertThat(s.value(Signal.BOT_CATEGORY)).isEqualTo("ai");
        assertThat(s.value(Signal.BOT_VERIFIED)).isEqualTo("spoofed");
        assertThat(s.notes()).anySatisfy(n -> assertThat(n).contains("documents no reverse-DNS scheme"));
        assertThat(registry.get("gatehouse.crawler.verifications").tags("bot", "GPTBot", "outcome", "spoofed", "method", "none")
                .counter().count()).isEqualTo(1.0);
    }

    @Test
    void enrich_gptbotFromOpenAiRange_verifiedByIpRange() {
        Signals s = enrich("20.171.206.1", "Mozilla/5.0 (compatible; GPTBot/1.3; +https://openai.com/gptbot)");

        assertThat(s.value(Signal.BOT_VERIFIED)).isEqualTo("verified");
        assertThat(s.value(Signal.BOT_VERIFIED_BY)).isEqualTo("ip_range");
    }

    @Test
    void enrich_claimThatCannotBeChecked_unknownWithNote() {
        Signals s = enrich("192.0.2.4", "Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)");

        assertThat(s.value(Signal.BOT_NAME)).isEqualTo("MJ12bot");
        assertThat(s.value(Signal.BOT_CATEGORY)).isEqualTo("seo");
        assertThat(s.value(Signal.BOT_VERIFIED)).isEqualTo("unknown");
        assertThat(s.notes()).anySatisfy(n -> assertThat(n).contains("cannot be checked"));
    }

    @Test
    void enrich_claimContradictsEngineRangeAnswer_claimWinsAndIsSpoofed() {
        // the address is Googlebot's, the User-Agent says ClaudeBot
        IpAddress ip = IpAddress.parse("66.249.66.1");
        Signals known = Signals.builder(ip).put(Signal.BOT_NAME, "Googlebot", "embedded:crawlers")
                .put(Signal.BOT_VERIFIED, "verified", "embedded:crawlers").put(Signal.BOT_VERIFIED_BY, "ip_range", "embedded:crawlers").build();

        Signals s = enrich("66.249.66.1", "Mozilla/5.0 (compatible; ClaudeBot/1.0; +claudebot@anthropic.com)", known);

        assertThat(s.value(Signal.BOT_NAME)).isEqualTo("ClaudeBot");
        assertThat(s.value(Signal.BOT_VERIFIED)).isEqualTo("spoofed");
        assertThat(s.value(Signal.BOT_VERIFIED_BY)).isNull();
    }

    @Test
    void enrich_providerAlreadyVerifiedSameVendor_keepsProvider() {
        IpAddress ip = IpAddress.parse("192.0.2.5");
        Signals known = Signals.builder(ip).put(Signal.BOT_NAME, "Googlebot", "provider:iptrust")
                .put(Signal.BOT_VERIFIED, "verified", "provider:iptrust").put(Signal.BOT_VERIFIED_BY, "provider", "provider:iptrust").build();

        Signals s = enrich("192.0.2.5", "Googlebot-Image/1.0", known);

        assertThat(s.value(Signal.BOT_NAME)).isEqualTo("Googlebot-Image");
        assertThat(s.value(Signal.BOT_VERIFIED)).isEqualTo("verified");
        assertThat(s.value(Signal.BOT_VERIFIED_BY)).isEqualTo("provider");
        assertThat(s.botVerifiedBy()).isEqualTo(BotVerifiedBy.PROVIDER);
    }

    @Test
    void name_isRdns() {
        assertThat(verifier.name()).isEqualTo("rdns");
    }

    @Test
    void builder_badSettings_namedInTheMessage() {
        assertThatThrownBy(() -> CrawlerVerifier.builder().timeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> CrawlerVerifier.builder().dnsRetries(9))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dnsRetries").hasMessageContaining("9");
        assertThatThrownBy(() -> CrawlerVerifier.builder().dnsServers(List.of(InetSocketAddress.createUnresolved("dns.example", 53))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dnsServers");
        assertThatThrownBy(() -> CrawlerVerifier.builder().dnsServers(List.of(NOWHERE))
                .verifiedTtl(Duration.ofMinutes(1)).spoofedTtl(Duration.ofHours(1)).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("verifiedTtl >= spoofedTtl");
        assertThatThrownBy(() -> CrawlerVerifier.builder().dnsServers(List.of(NOWHERE))
                .catalog(CrawlerCatalog.loadDefault()).catalogSource(CrawlerCatalog::loadDefault).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("catalogSource");
    }
}
