package dev.gatehouse.engine.embedded;

import dev.gatehouse.api.BotVerification;
import dev.gatehouse.api.BotVerifiedBy;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.crawler.CrawlerCatalog.Crawler;

import java.util.Objects;

/**
 * What the range data sets say about one block of addresses. Immutable and interned: every address
 * range with the same answer shares one instance, so the index stores an int per range, not an object.
 *
 * <p>Layering ({@link #overlay}) implements the precedence rules documented in {@code docs/data.md}:
 * a more specific prefix overrides a shorter one per signal; a named provider beats an unnamed one
 * (the X4BNet lists) at any depth; iCloud Private Relay overrides hosting and VPN ({@link #resolved}).
 */
final class Facts {

    static final Facts EMPTY = new Facts(null, null, false, null, false, null, null, false, null, null,
            false, null, null, false, null, null, false, null, null);

    final Boolean bogon; // null: no registry entry; FALSE: a globally reachable hole in a special-use block
    final String bogonSource;
    final boolean tor;
    final String torSource;
    final boolean hosting;
    final String hostingProvider;
    final String hostingSource;
    final boolean vpn;
    final String vpnProvider;
    final String vpnSource;
    final boolean relay;
    final String relayProvider;
    final String relaySource;
    final boolean proxy;
    final String proxyType;
    final String proxySource;
    final boolean attacker;
    final String attackerSource;
    final Crawler crawler;
    private int hash; // 0 until computed: interning hashes every answer of the ~100,000 intervals

    private Facts(Boolean bogon, String bogonSource, boolean tor, String torSource, boolean hosting, String hostingProvider,
                  String hostingSource, boolean vpn, String vpnProvider, String vpnSource, boolean relay, String relayProvider,
                  String relaySource, boolean proxy, String proxyType, String proxySource, boolean attacker,
                  String attackerSource, Crawler crawler) {
        this.bogon = bogon;
        this.bogonSource = bogonSource;
        this.tor = tor;
        this.torSource = torSource;
        this.hosting = hosting;
        this.hostingProvider = hostingProvider;
        this.hostingSource = hostingSource;
        this.vpn = vpn;
        this.vpnProvider = vpnProvider;
        this.vpnSource = vpnSource;
        this.relay = relay;
        this.relayProvider = relayProvider;
        this.relaySource = relaySource;
        this.proxy = proxy;
        this.proxyType = proxyType;
        this.proxySource = proxySource;
        this.attacker = attacker;
        this.attackerSource = attackerSource;
        this.crawler = crawler;
    }

    /** The facts one entry of a data set contributes. */
    static Facts of(DataSet.Kind kind, String label, String source, boolean negative) {
        return switch (kind) {
            case BOGON -> new Facts(!negative, source, false, null, false, null, null, false, null, null, false, null, null,
                    false, null, null, false, null, null);
            case TOR -> new Facts(null, null, true, source, false, null, null, false, null, null, false, null, null,
                    false, null, null, false, null, null);
            case HOSTING -> new Facts(null, null, false, null, true, label, source, false, null, null, false, null, null,
                    false, null, null, false, null, null);
            case VPN -> new Facts(null, null, false, null, false, null, null, true, label, source, false, null, null,
                    false, null, null, false, null, null);
            case RELAY -> new Facts(null, null, false, null, false, null, null, false, null, null, true, label, source,
                    false, null, null, false, null, null);
            case PROXY -> new Facts(null, null, false, null, false, null, null, false, null, null, false, null, null,
                    true, label, source, false, null, null);
            case ATTACKER -> new Facts(null, null, false, null, false, null, null, false, null, null, false, null, null,
                    false, null, null, true, source, null);
            case ASN, COUNTRY -> throw new IllegalArgumentException(kind + " data is not a prefix list");
            case CRAWLER -> throw new IllegalArgumentException("crawler files are folded in through the CrawlerCatalog");
        };
    }

    static Facts crawler(Crawler crawler) {
        return new Facts(null, null, false, null, false, null, null, false, null, null, false, null, null,
                false, null, null, false, null, Objects.requireNonNull(crawler, "crawler"));
    }

    /**
     * {@code top} laid over {@code base}: {@code top} is a more specific prefix, or a more authoritative
     * data set for the same prefix.
     */
    static Facts overlay(Facts base, Facts top) {
        if (base == EMPTY) {
            return top;
        }
        if (top == EMPTY) {
            return base;
        }
        boolean hostingNamed = top.hostingProvider != null || base.hostingProvider == null;
        boolean vpnNamed = top.vpnProvider != null || base.vpnProvider == null;
        boolean relayNamed = top.relayProvider != null || base.relayProvider == null;
        boolean proxyNamed = top.proxyType != null || base.proxyType == null;
        return new Facts(
                top.bogon != null ? top.bogon : base.bogon,
                top.bogon != null ? top.bogonSource : base.bogonSource,
                top.tor || base.tor,
                top.tor ? top.torSource : base.torSource,
                top.hosting || base.hosting,
                hostingNamed && top.hosting ? top.hostingProvider : base.hostingProvider,
                hostingNamed && top.hosting ? top.hostingSource : base.hostingSource,
                top.vpn || base.vpn,
                vpnNamed && top.vpn ? top.vpnProvider : base.vpnProvider,
                vpnNamed && top.vpn ? top.vpnSource : base.vpnSource,
                top.relay || base.relay,
                relayNamed && top.relay ? top.relayProvider : base.relayProvider,
                relayNamed && top.relay ? top.relaySource : base.relaySource,
                top.proxy || base.proxy,
                proxyNamed && top.proxy ? top.proxyType : base.proxyType,
                proxyNamed && top.proxy ? top.proxySource : base.proxySource,
                top.attacker || base.attacker,
                top.attacker ? top.attackerSource : base.attackerSource,
                top.crawler != null ? top.crawler : base.crawler);
    }

    /**
     * The answer given for an address: a special-use (bogon) address is only that, whatever a list says
     * (provider and community lists sometimes cover documentation or private blocks: {@code 2001:db8::1}
     * is no one's hosting); iCloud Private Relay egress carries real people, so a relay address is not
     * also reported as hosting or VPN (the X4BNet lists and CDN ranges include Apple's relay egress).
     * Tor, attacker and crawler facts are kept.
     */
    Facts resolved() {
        if (Boolean.TRUE.equals(bogon)) {
            return tor || hosting || vpn || relay || proxy || attacker || crawler != null
                    ? new Facts(Boolean.TRUE, bogonSource, false, null, false, null, null, false, null, null, false, null, null,
                            false, null, null, false, null, null)
                    : this;
        }
        if (!relay || (!hosting && !vpn)) {
            return this;
        }
        return new Facts(bogon, bogonSource, tor, torSource, false, null, null, false, null, null, relay, relayProvider,
                relaySource, proxy, proxyType, proxySource, attacker, attackerSource, crawler);
    }

    /** Writes these facts as signals; booleans only when true (absent means false). */
    void applyTo(Signals.Builder b) {
        if (Boolean.TRUE.equals(bogon)) {
            b.put(Signal.BOGON, Boolean.TRUE, bogonSource);
        }
        if (tor) {
            b.put(Signal.TOR, Boolean.TRUE, torSource);
        }
        if (hosting) {
            b.put(Signal.HOSTING, Boolean.TRUE, hostingSource);
            b.put(Signal.HOSTING_PROVIDER, hostingProvider, hostingSource);
        }
        if (vpn) {
            b.put(Signal.VPN, Boolean.TRUE, vpnSource);
            b.put(Signal.VPN_PROVIDER, vpnProvider, vpnSource);
        }
        if (relay) {
            b.put(Signal.RELAY, Boolean.TRUE, relaySource);
            b.put(Signal.RELAY_PROVIDER, relayProvider, relaySource);
        }
        if (proxy) {
            b.put(Signal.PROXY, Boolean.TRUE, proxySource);
            b.put(Signal.PROXY_TYPE, proxyType, proxySource);
        }
        if (attacker) {
            b.put(Signal.ATTACKER, Boolean.TRUE, attackerSource);
        }
        if (crawler != null) {
            b.put(Signal.KNOWN_BOT, Boolean.TRUE, CRAWLERS_SOURCE);
            b.put(Signal.BOT_NAME, crawler.name(), CRAWLERS_SOURCE);
            b.put(Signal.BOT_CATEGORY, crawler.category().id(), CRAWLERS_SOURCE);
            b.botVerification(BotVerification.VERIFIED, BotVerifiedBy.IP_RANGE, CRAWLERS_SOURCE);
        }
    }

    static final String CRAWLERS_SOURCE = "embedded:crawlers";

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        return o instanceof Facts f && hashCode() == f.hashCode() && Objects.equals(bogon, f.bogon) && Objects.equals(bogonSource, f.bogonSource)
                && tor == f.tor && Objects.equals(torSource, f.torSource)
                && hosting == f.hosting && Objects.equals(hostingProvider, f.hostingProvider)
                && Objects.equals(hostingSource, f.hostingSource)
                && vpn == f.vpn && Objects.equals(vpnProvider, f.vpnProvider) && Objects.equals(vpnSource, f.vpnSource)
                && relay == f.relay && Objects.equals(relayProvider, f.relayProvider) && Objects.equals(relaySource, f.relaySource)
                && proxy == f.proxy && Objects.equals(proxyType, f.proxyType) && Objects.equals(proxySource, f.proxySource)
                && attacker == f.attacker && Objects.equals(attackerSource, f.attackerSource)
                && Objects.equals(crawler, f.crawler);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = Objects.hashCode(bogon);
            for (Object part : new Object[] {bogonSource, hostingProvider, hostingSource, vpnProvider, vpnSource, relayProvider,
                    relaySource, proxyType, proxySource, attackerSource, torSource, crawler}) {
                h = 31 * h + Objects.hashCode(part);
            }
            h = 31 * h + (tor ? 1 : 0) + (hosting ? 2 : 0) + (vpn ? 4 : 0) + (relay ? 8 : 0) + (proxy ? 16 : 0) + (attacker ? 32 : 0);
            hash = h == 0 ? 1 : h;
        }
        return hash;
    }
}
