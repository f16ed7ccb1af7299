package dev.gatehouse.engine.provider;

import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Each adapter against a local server answering exactly as its document shows. */
class ProviderAdaptersTest {

    static Signals.SourceAnswer answer(Signals s, String provider) {
        return s.answers().stream().filter(a -> a.source().equals("provider:" + provider)).findFirst().orElseThrow();
    }

    static String problem(Signals s, String provider) {
        return s.sources().stream().filter(x -> x.name().equals("provider:" + provider)).findFirst().orElseThrow().problem();
    }

    @Nested
    class IpTrust {
        @Test
        void premiumExample_mapsEveryDocumentedField() throws Exception {
            try (Harness h = new Harness("iptrust")) {
                h.server.answer(200, Seeds.IPTRUST_PREMIUM);
                Signals s = h.enrich("74.148.39.34");
                assertThat(h.server.last().path()).isEqualTo("/ip/74.148.39.34");
                assertThat(h.server.last().header("X-API-Key")).isEqualTo(Harness.KEY);
                assertThat(s.value(Signal.ASN)).isEqualTo(8075);
                assertThat(s.value(Signal.AS_ORG)).isEqualTo("Microsoft Corporation");
                assertThat(s.value(Signal.AS_ROUTE)).isEqualTo("74.144.0.0/12");
                assertThat(s.value(Signal.COUNTRY)).isEqualTo("ES");
                assertThat(s.value(Signal.THREAT_SCORE)).isEqualTo(90); // AS risk 0.9 × 100
                assertThat(s.value(Signal.CONFIDENCE)).isEqualTo(IpTrustApi.AS_RISK_CONFIDENCE);
                assertThat(s.isTrue(Signal.TOR)).isTrue();
                assertThat(s.value(Signal.VPN_PROVIDER)).isEqualTo("nord_vpn");
                assertThat(s.value(Signal.PROXY_TYPE)).isEqualTo("residential");
                assertThat(s.value(Signal.RELAY_PROVIDER)).isEqualTo("icloud_private_relay");
                assertThat(s.value(Signal.HOSTING_PROVIDER)).isEqualTo("Microsoft Limited");
                assertThat(s.value(Signal.BOT_NAME)).isEqualTo("chatgpt_user");
                assertThat(s.value(Signal.BOT_CATEGORY)).isEqualTo("user_triggered");
                assertThat(s.value(Signal.BOT_VERIFIED)).isNull(); // IP Trust detects, it does not verify
                assertThat(s.observation(Signal.TOR).sources()).containsExactly("provider:iptrust");
                Map<String, Object> raw = answer(s, "iptrust").raw();
                assertThat(raw).containsEntry("asn.risk_label", "very_high").containsEntry("proxy.last_detected", "2025-11-15")
                        .doesNotContainKey("location.meta.country_emoji").doesNotContainKey("abuse_contact.email");
            }
        }

        @Test
        void essentialPlan_absentObjectsStayAbsentNotFalse() throws Exception {
            try (Harness h = new Harness("iptrust")) {
                h.server.answer(200, Seeds.IPTRUST_ESSENTIAL);
                Signals s = h.enrich("74.148.39.34");
                Signals.SourceAnswer a = answer(s, "iptrust");
                assertThat(a.values()).doesNotContainKeys(Signal.TOR, Signal.VPN, Signal.PROXY, Signal.HOSTING, Signal.THREAT_SCORE);
                assertThat(s.value(Signal.ASN)).isEqualTo(8075);
            }
        }

        @Test
        void status401_turnsTheProviderOffUntilConfigChanges() throws Exception {
            try (Harness h = new Harness("iptrust")) {
                h.server.answer(401, "{\"message\": \"Unauthorized\"}");
                Signals s = h.enrich("74.148.39.34");
                assertThat(s.notes()).anyMatch(n -> n.contains("401"));
                assertThat(h.health().state()).isEqualTo("off");
                assertThat(h.health().detail()).contains("API key rejected").doesNotContain(Harness.KEY);
                h.enrich("74.148.39.35");
                assertThat(h.server.requests()).isEqualTo(1);
            }
        }

        @ParameterizedTest
        @ValueSource(ints = {400})
        void status400_isNoDataForThatAddress_cachedNegatively(int status) throws Exception {
            try (Harness h = new Harness("iptrust")) {
                h.server.answer(status, "{\"message\": \"bad ip\"}");
                Signals s = h.enrich("74.148.39.34");
                assertThat(problem(s, "iptrust")).startsWith("no data: 400");
                h.enrich("74.148.39.34");
                assertThat(h.server.requests()).isEqualTo(1);
                h.advance(Duration.ofMinutes(11));
                h.enrich("74.148.39.34");
                assertThat(h.server.requests()).isEqualTo(2);
            }
        }

        @Test
        void status429_withRateLimitReset_pausesUntilThen_andIpv6IsAskedInThePath() throws Exception {
            try (Harness h = new Harness("iptrust")) {
                h.server.answer(FakeProvider.json(429, "{\"message\": \"Too many requests\"}", Map.of("X-RateLimit-Reset", "90")));
                h.enrich("2001:4860:4860::8888");
                assertThat(h.server.last().path()).isEqualTo("/ip/2001:4860:4860::8888");
                assertThat(h.health().state()).isEqualTo("paused");
                assertThat(h.health().detail()).contains("2026-11-30T10:01:30Z");
            }
        }

        @Test
        void status403_turnsOff_and500_isAnOutage() throws Exception {
            try (Harness h = new Harness("iptrust")) {
                h.server.answer(500, "{}");
                assertThat(h.enrich("74.148.39.34").notes()).anyMatch(n -> n.contains("500"));
                assertThat(h.health().state()).isEqualTo("up");
                h.server.answer(403, "{}");
                h.enrich("74.148.39.34");
                assertThat(h.health().state()).isEqualTo("off");
            }
        }
    }

    @Nested
    class IpBot {
        @Test
        void fullExample_mapsScoreClassificationEvidence_andProjects() throws Exception {
            try (Harness h = new Harness("ipbot")) {
                h.server.answer(200, Seeds.IPBOT_FULL);
                Signals s = h.enrich("8.8.4.4");
                assertThat(h.server.last().path()).isEqualTo("/v1/ip/8.8.4.4");
                assertThat(h.server.last().query()).isEqualTo("fields=" + IpBotApi.FIELDS.replace(",", "%2C"));
                assertThat(h.server.last().header("X-API-Key")).isEqualTo(Harness.KEY);
                assertThat(s.value(Signal.THREAT_SCORE)).isEqualTo(40);
                assertThat(s.value(Signal.CONFIDENCE)).isEqualTo(70);
                assertThat(s.isTrue(Signal.VPN)).isTrue();
                assertThat(s.isTrue(Signal.PROXY)).isFalse(); // proxy_type vpn is the VPN signal
                assertThat(s.value(Signal.ASN)).isEqualTo(15169);
                assertThat(s.value(Signal.AS_ROUTE)).isEqualTo("203.0.113.0/24");
                assertThat(s.value(Signal.COUNTRY)).isEqualTo("US");
                assertThat(answer(s, "ipbot").raw()).containsEntry("score.verdict", "monitor")
                        .containsEntry("score.recommended_action", "rate_limit");
                assertThat((java.util.List<?>) answer(s, "ipbot").raw().get("evidence.signals")).hasSize(1);
            }
        }

        @Test
        void projectedExample_andAnonymousUse_sendsNoKeyHeader() throws Exception {
            try (Harness h = new Harness("ipbot", b -> ProviderSettings.builder("ipbot").baseUrl(b.build().baseUrl())
                    .when(ProviderSettings.When.ALWAYS).timeout(Duration.ofSeconds(5)))) {
                h.server.answer(200, Seeds.IPBOT_PROJECTED);
                Signals s = h.enrich("8.8.8.8");
                assertThat(h.server.last().header("X-API-Key")).isNull();
                assertThat(s.value(Signal.THREAT_SCORE)).isEqualTo(15);
            }
        }

        @Test
        void invalidFields_asksWithoutProjectionNextTime() throws Exception {
            try (Harness h = new Harness("ipbot")) {
                h.server.answer(400, Seeds.ipbotError("INVALID_FIELDS", "The fields projection is empty or contains unknown fields."));
                h.enrich("8.8.8.8");
                h.server.answer(200, Seeds.IPBOT_PROJECTED);
                h.enrich("8.8.8.8");
                assertThat(h.server.last().query()).isNull();
            }
        }

        @Test
        void proRequired_isPlanGated_turnsOff() throws Exception {
            try (Harness h = new Harness("ipbot")) {
                h.server.answer(403, Seeds.IPBOT_PRO_REQUIRED);
                h.enrich("8.8.8.8");
                assertThat(h.health().state()).isEqualTo("off");
                assertThat(h.health().detail()).contains("plan lacks").contains("PRO_REQUIRED");
            }
        }

        @Test
        void invalidIp_isNoData_invalidKey_turnsOff_authDisabled_isOutage() throws Exception {
            try (Harness h = new Harness("ipbot")) {
                h.server.answer(400, Seeds.IPBOT_INVALID_IP);
                assertThat(problem(h.enrich("8.8.8.8"), "ipbot")).contains("INVALID_IP");
                h.server.answer(503, Seeds.ipbotError("AUTH_DISABLED", "Authentication not configured."));
                assertThat(h.enrich("8.8.4.4").notes()).anyMatch(n -> n.contains("AUTH_DISABLED"));
                assertThat(h.health().state()).isEqualTo("up");
                h.server.answer(401, Seeds.ipbotError("INVALID_API_KEY", "The API key is invalid or revoked."));
                h.enrich("1.1.1.1");
                assertThat(h.health().state()).isEqualTo("off");
            }
        }

        @Test
        void rateLimited_honoursRetryAfter() throws Exception {
            try (Harness h = new Harness("ipbot")) {
                h.server.answer(FakeProvider.json(429, Seeds.ipbotError("RATE_LIMITED", "Rate limit exceeded."), Map.of("Retry-After", "120")));
                h.enrich("8.8.8.8");
                assertThat(h.health().state()).isEqualTo("paused");
                h.enrich("8.8.4.4");
                assertThat(h.server.requests()).isEqualTo(1);
                h.advance(Duration.ofSeconds(121));
                h.server.answer(200, Seeds.IPBOT_PROJECTED);
                assertThat(h.enrich("8.8.4.4").value(Signal.THREAT_SCORE)).isEqualTo(15);
                assertThat(h.server.requests()).isEqualTo(2);
            }
        }
    }

    @Nested
    class IpInsights {
        @Test
        void lookupExample_mapsThreatAssessment() throws Exception {
            try (Harness h = new Harness("ipinsights")) {
                h.server.answer(200, Seeds.IPINSIGHTS_LOOKUP);
                Signals s = h.enrich("8.8.8.8");
                assertThat(h.server.last().path()).isEqualTo("/api/v1/lookup");
                assertThat(h.server.last().query()).isEqualTo("ip=8.8.8.8");
                assertThat(h.server.last().header("X-API-Key")).isEqualTo(Harness.KEY);
                assertThat(s.value(Signal.THREAT_SCORE)).isEqualTo(10);
                assertThat(s.isTrue(Signal.HOSTING)).isTrue();
                assertThat(s.value(Signal.HOSTING_PROVIDER)).isEqualTo("Google LLC");
                assertThat(answer(s, "ipinsights").values()).containsEntry(Signal.ATTACKER, false).containsEntry(Signal.TOR, false);
                assertThat(answer(s, "ipinsights").raw()).containsEntry("threat_assessment.level", "low");
                assertThat(s.value(Signal.ASN)).isEqualTo(15169);
            }
        }

        @Test
        void aiAgentExample_isAKnownAiBot() throws Exception {
            try (Harness h = new Harness("ipinsights")) {
                h.server.answer(200, Seeds.IPINSIGHTS_AI_AGENT);
                Signals s = h.enrich("8.8.8.8");
                assertThat(s.isTrue(Signal.KNOWN_BOT)).isTrue();
                assertThat(s.value(Signal.BOT_CATEGORY)).isEqualTo("ai");
                assertThat(answer(s, "ipinsights").raw()).containsEntry("ai_agent_assessment.score", 72L);
            }
        }

        @Test
        void status422_isNoData_andRemainingZero_pausesBeforeA429() throws Exception {
            try (Harness h = new Harness("ipinsights")) {
                h.server.answer(422, "{\"success\": false, \"error\": \"IP address is private or reserved\"}");
                assertThat(problem(h.enrich("8.8.8.8"), "ipinsights")).startsWith("no data: 422");
                h.server.answer(FakeProvider.json(200, Seeds.IPINSIGHTS_LOOKUP, Map.of("X-RateLimit-Limit", "600", "X-RateLimit-Remaining", "0")));
                assertThat(h.enrich("8.8.4.4").value(Signal.THREAT_SCORE)).isEqualTo(10);
                assertThat(h.health().state()).isEqualTo("paused");
                h.enrich("1.1.1.1");
                assertThat(h.server.requests()).isEqualTo(2);
            }
        }

        @Test
        void envelopeWithoutSuccess_isAnOutage() throws Exception {
            try (Harness h = new Harness("ipinsights")) {
                h.server.answer(200, "{\"success\": false}");
                assertThat(h.enrich("8.8.8.8").notes()).anyMatch(n -> n.contains("success"));
            }
        }
    }

    @Nested
    class IpGeolocation {
        @Test
        void securityExample_mapsEveryFlag_keyInQuery() throws Exception {
            try (Harness h = new Harness("ipgeolocation")) {
                h.server.answer(200, Seeds.IPGEO_SECURITY);
                Signals s = h.enrich("2.56.188.34");
                assertThat(h.server.last().path()).isEqualTo("/v3/security");
                assertThat(h.server.last().query()).contains("ip=2.56.188.34").contains("fields=security").contains("apiKey=" + Harness.KEY);
                assertThat(s.value(Signal.THREAT_SCORE)).isEqualTo(80);
                assertThat(s.value(Signal.CONFIDENCE)).isEqualTo(80);
                assertThat(s.isTrue(Signal.ATTACKER)).isTrue();
                assertThat(s.value(Signal.PROXY_TYPE)).isEqualTo("residential");
                assertThat(s.value(Signal.VPN_PROVIDER)).isEqualTo("Nord VPN");
                assertThat(s.value(Signal.HOSTING_PROVIDER)).isEqualTo("Packethub S.A.");
                assertThat(s.isTrue(Signal.RELAY)).isFalse();
                assertThat(answer(s, "ipgeolocation").raw()).containsEntry("security.is_anonymous", true);
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "Please provide an API key (as 'apiKey=YOUR_API_KEY' URL parameter) to use IPGeolocation API.",
                "Provided API key is not valid. Contact technical support for assistance at [email protected]",
                "IP Security API is not supported on your current subscription. This feature is available on paid subscriptions only.",
                "Your subscription has been paused. Please resume your subscription to use IPGeolocation API.",
                "Your subscription has expired. Please subscribe to a paid plan to continue using IPGeolocation API."})
        void every401_turnsOff(String message) throws Exception {
            try (Harness h = new Harness("ipgeolocation")) {
                h.server.answer(401, Seeds.message(message));
                h.enrich("2.56.188.34");
                assertThat(h.health().state()).isEqualTo("off");
                assertThat(h.health().detail()).doesNotContain(Harness.KEY);
            }
        }

        @ParameterizedTest
        @ValueSource(ints = {404, 423})
        void notInDatabase_orBogon_isNoData(int status) throws Exception {
            try (Harness h = new Harness("ipgeolocation")) {
                h.server.answer(status, Seeds.message("Provided IPv4 or IPv6 address does not exist in our database."));
                assertThat(problem(h.enrich("2.56.188.34"), "ipgeolocation")).startsWith("no data: " + status);
            }
        }

        @ParameterizedTest
        @ValueSource(ints = {405, 413, 415, 499, 500, 502, 503, 504, 505})
        void otherStatuses_areOutages_notOff(int status) throws Exception {
            try (Harness h = new Harness("ipgeolocation")) {
                h.server.answer(status, status == 413 ? "<html><body>413 Request Entity Too Large</body></html>" : Seeds.message("x"));
                assertThat(h.enrich("2.56.188.34").notes()).anyMatch(n -> n.contains(String.valueOf(status)));
                assertThat(h.health().state()).isEqualTo("up");
            }
        }

        @Test
        void status429_pausesAnHour() throws Exception {
            try (Harness h = new Harness("ipgeolocation")) {
                h.server.answer(429, Seeds.message("You have exceeded the limit of PLAN_USAGE_LIMIT requests per PLAN_INERVAL"));
                h.enrich("2.56.188.34");
                assertThat(h.health().detail()).contains("2026-11-30T11:00:00Z");
            }
        }
    }

    @Nested
    class IpIntel {
        @Test
        void ipExample_mapsThreatWithConfidence_andVerifiedBot() throws Exception {
            try (Harness h = new Harness("ipintel")) {
                h.server.answer(200, Seeds.IPINTEL_IP);
                Signals s = h.enrich("20.204.24.249");
                assertThat(h.server.last().path()).isEqualTo("/ip/20.204.24.249");
                assertThat(h.server.last().query()).isEqualTo("api_key=" + Harness.KEY);
                assertThat(s.value(Signal.THREAT_SCORE)).isEqualTo(22);
                assertThat(s.value(Signal.CONFIDENCE)).isEqualTo(100);
                assertThat(s.value(Signal.BOT_VERIFIED)).isEqualTo("verified");
                assertThat(s.value(Signal.BOT_VERIFIED_BY)).isEqualTo("provider");
                assertThat(s.value(Signal.BOT_NAME)).isEqualTo("ChatGPT-User");
                assertThat(s.value(Signal.BOT_CATEGORY)).isEqualTo("ai");
                assertThat(s.value(Signal.COUNTRY)).isEqualTo("IN");
                assertThat(answer(s, "ipintel").raw()).containsEntry("status", "safe").doesNotContainKey("api_usage.day_limit");
            }
        }

        @Test
        void verifiedBot_doesNotOverruleOurOwnVerification() throws Exception {
            try (Harness h = new Harness("ipintel")) {
                h.server.answer(200, Seeds.IPINTEL_IP);
                Signals known = Signals.builder(dev.gatehouse.net.IpAddress.parse("20.204.24.249"))
                        .put(Signal.BOT_VERIFIED, "spoofed", "rdns").build();
                Signals s = h.enrich(known);
                assertThat(s.value(Signal.BOT_VERIFIED)).isEqualTo("spoofed");
                assertThat(s.value(Signal.BOT_VERIFIED_BY)).isNull();
            }
        }

        @Test
        void dayCounterAtItsLimit_pausesUntilMidnightUtc() throws Exception {
            try (Harness h = new Harness("ipintel")) {
                h.server.answer(200, Seeds.IPINTEL_IP.replace("8\\/500", "500\\/500"));
                h.enrich("20.204.24.249");
                assertThat(h.health().state()).isEqualTo("paused");
                assertThat(h.health().detail()).contains("2026-12-01T00:00:00Z");
            }
        }

        @Test
        void status429_withMinuteCounterFull_pausesToTheNextMinute() throws Exception {
            try (Harness h = new Harness("ipintel")) {
                h.server.answer(429, "{\"error\": \"Rate limit exceeded\", \"api_usage\": {\"sec_limit\": \"1/2\", \"min_limit\": \"60/60\", \"day_limit\": \"80/500\"}}");
                h.enrich("20.204.24.249");
                assertThat(h.health().detail()).contains("2026-11-30T10:01:00Z");
            }
        }

        @Test
        void planGated403_and401MissingKey_turnOff() throws Exception {
            try (Harness h = new Harness("ipintel")) {
                h.server.answer(403, Seeds.IPINTEL_PLAN);
                h.enrich("20.204.24.249");
                assertThat(h.health().detail()).contains("plan lacks");
            }
            try (Harness h = new Harness("ipintel")) {
                h.server.answer(401, Seeds.IPINTEL_MISSING_KEY);
                h.enrich("20.204.24.249");
                assertThat(h.health().detail()).contains("API key rejected").contains("Missing API key");
            }
        }

        @Test
        void status404_isNoData() throws Exception {
            try (Harness h = new Harness("ipintel")) {
                h.server.answer(404, "{\"error\": \"No data\"}");
                assertThat(problem(h.enrich("20.204.24.249"), "ipintel")).startsWith("no data: 404");
            }
        }
    }
}
