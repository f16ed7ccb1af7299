package dev.gatehouse.engine.provider;

/** The example and error bodies of the five documents in /work/shared/seeds, verbatim where they are JSON. */
final class Seeds {

    private Seeds() {
    }

    // ---- IP Trust (000) ----
    static final String IPTRUST_PREMIUM = """
            {"ip": "74.148.39.34", "is_bogon": false,
             "asn": {"number": "AS8075", "name": "MICROSOFT-CORP-MSN-AS-BLOCK", "company": "Microsoft Corporation", "country": "US",
                     "route": "74.144.0.0/12", "rir": "ARIN", "domain": "www.microsoft.com", "type": "hosting",
                     "description": "Provides consumer and enterprise software...", "risk": 0.9, "risk_label": "very_high",
                     "risk_types": ["request_frequency", "repeated_abuse"]},
             "location": {"city": "Barcelona", "state": "Barcelona", "country": "Spain", "latitude": 41.389, "longitude": 2.159,
                          "meta": {"country_iso2": "ES", "country_iso3": "ESP", "country_numeric_code": "724", "country_phone_code": "34",
                                   "country_capital": "Madrid", "country_currency": "EUR", "country_currency_name": "Euro",
                                   "country_native": "España", "country_region": "Europe", "country_subregion": "Southern Europe",
                                   "country_emoji": "🇪🇸", "country_emoji_u": "U+1F1EA U+1F1F8"}},
             "company": {"name": "mawa-solutions GmbH", "type": "business", "domain": "www.mawa-solutions.com",
                         "description": "Provides SAP-based time-tracking..."},
             "known_bot": {"detected": true, "bot_type": "ai", "name": "chatgpt_user"},
             "hosting": {"detected": true, "domain": "www.microsoft.com", "name": "Microsoft Limited"},
             "abuse_contact": {"address": "One Microsoft Way, Redmond, WA 98052", "email": "abuse@microsoft.com", "name": "Microsoft Abuse Contact"},
             "tor_exit_node": {"detected": true},
             "privacy_relay": {"detected": true, "provider": "icloud_private_relay"},
             "proxy": {"detected": true, "type": "residential", "last_detected": "2025-11-15"},
             "vpn": {"detected": true, "provider": "nord_vpn", "last_detected": "2025-11-15"}}
            """;

    /** The Essential plan: only ip, is_bogon, asn (without type/risk) and location. */
    static final String IPTRUST_ESSENTIAL = """
            {"ip": "74.148.39.34", "is_bogon": false,
             "asn": {"number": "AS8075", "name": "MICROSOFT-CORP-MSN-AS-BLOCK", "company": "Microsoft Corporation", "country": "US",
                     "route": "74.144.0.0/12", "rir": "ARIN"},
             "location": {"city": "Barcelona", "state": "Barcelona", "country": "Spain", "latitude": 41.389, "longitude": 2.159,
                          "meta": {"country_iso2": "ES"}}}
            """;

    // ---- IPBot (001) ----
    static final String IPBOT_FULL = """
            {"ip": "203.0.113.1", "stack": "ipv4",
             "location": {"country": "United States", "country_code": "US", "region": "California", "city": "San Francisco", "timezone": "-08:00"},
             "network": {"asn": "AS15169", "org": "Example ISP Inc.", "category": "residential", "operator": "Example ISP",
                         "operator_type": "isp", "owner": "Example ISP Inc.",
                         "allocation": {"cidr": "203.0.113.0/24", "range": "203.0.113.0 - 203.0.113.255", "registry": "arin", "country": "US"}},
             "routing": {"origin_asn": "AS15169", "prefix": "203.0.113.0/24", "rpki_status": "unknown", "confidence": "low", "origin_conflict": false},
             "score": {"ip_score": 60, "risk_score": 40, "band": "fair", "verdict": "monitor", "recommended_action": "rate_limit"},
             "classification": {"usage_type": "vpn", "is_datacenter": false, "is_proxy": true, "is_privacy_relay": false,
                                "is_known_crawler": false, "is_verified_crawler": false, "is_mobile": false, "proxy_type": "vpn",
                                "confidence": "medium", "traits": ["proxy", "vpn"], "threat_level": "Low"},
             "evidence": {"signals": [{"category": "privacy", "label": "VPN", "severity": "medium", "confidence": "medium",
                                       "description": "This IP is associated with VPN traffic."}]}}
            """;
    static final String IPBOT_PROJECTED = """
            {"ip": "8.8.8.8",
             "location": {"country": "United States", "country_code": "US", "region": "California", "city": "Mountain View", "timezone": "-07:00"},
             "score": {"ip_score": 85, "risk_score": 15, "band": "good", "verdict": "allow", "recommended_action": "allow"}}
            """;
    static final String IPBOT_PRO_REQUIRED = """
            {"error": "RDAP contacts require a Pro API key", "code": "PRO_REQUIRED",
             "details": {"include": "rdap_contacts", "allowed_includes": ["rdap_contacts"]}}
            """;
    static final String IPBOT_INVALID_IP = """
            {"error": "Invalid IP address format", "code": "INVALID_IP", "details": {"provided": "invalid-ip"}}
            """;

    static String ipbotError(String code, String message) {
        return "{\"error\": \"" + message + "\", \"code\": \"" + code + "\"}";
    }

    // ---- ipinsights.io (002) ----
    static final String IPINSIGHTS_LOOKUP = """
            { "success": true, "data": { "ip": "8.8.8.8", "ip_version": 4, "type": "ipv4", "country_code": "US", "country_name": "United States",
              "region_name": "California", "city": "Mountain View", "latitude": 37.4056, "longitude": -122.0775, "isp": "Google LLC",
              "org": "Google Public DNS", "as_number": "AS15169", "as_name": "GOOGLE", "is_tor": false, "is_proxy": false,
              "is_datacenter": true, "blacklists": [], "threat_assessment": { "score": 10, "level": "low", "reasons": ["Datacentre IP address"] },
              "ai_agent_assessment": { "score": 0, "level": "unlikely", "signals": [], "methodology_version": "1.0" } },
              "queried_at": "2026-02-20T12:00:00Z" }
            """;
    static final String IPINSIGHTS_AI_AGENT = """
            { "success": true, "data": { "ip": "203.0.113.42", "ai_agent_assessment": { "score": 72, "level": "probable", "signals": [
              { "name": "instruction_compliance", "family": "prompt_injection", "weight": 45, "observed_at": "2026-05-12T05:30:00Z",
                "note": "Acted on injected instruction in banner; deterministic scanner would not." },
              { "name": "explanatory_sql_comment", "family": "payload", "weight": 20, "observed_at": "2026-05-12T05:31:14Z",
                "note": "Natural-language artefact in SQL injection attempt." },
              { "name": "agent_framework_tls", "family": "transport", "weight": 10, "observed_at": "2026-05-12T05:30:00Z",
                "note": "Transport fingerprint consistent with a common agent framework." } ], "methodology_version": "1.0" } },
              "queried_at": "2026-05-12T06:00:00Z" }
            """;
    static final String IPINSIGHTS_REPORT_CREATED = """
            { "success": true, "message": "Report received. Thank you for contributing.", "report_id": 18429, "weight": 1.00,
              "corroborated": false, "reputation": 1.00, "categories": ["ssh_bruteforce","port_scan"], "reported_at": "2026-05-12T06:49:10Z" }
            """;

    // ---- IPGeolocation.io (003) ----
    static final String IPGEO_SECURITY = """
            {"ip": "2.56.188.34", "security": {"threat_score": 80, "is_tor": false, "is_proxy": true, "proxy_provider_names": ["Zyte Proxy"],
             "proxy_confidence_score": 80, "proxy_last_seen": "2025-12-12", "is_residential_proxy": true, "is_vpn": true,
             "vpn_provider_names": ["Nord VPN"], "vpn_confidence_score": 80, "vpn_last_seen": "2026-01-19", "is_relay": false,
             "relay_provider_name": "", "is_anonymous": true, "is_known_attacker": true, "is_bot": false, "is_spam": false,
             "is_cloud_provider": true, "cloud_provider_name": "Packethub S.A."}}
            """;
    static final String IPGEO_BULK = "[" + IPGEO_SECURITY + ", {\"message\": \"'10.0.0.1' is a bogon IP address.\"}]";

    static String message(String text) {
        return "{\"message\": \"" + text + "\"}";
    }

    // ---- IPIntel.ai (004) ----
    static final String IPINTEL_IP = """
            {"ip": "20.204.24.249", "country": "India", "country_code": "IN", "region": "Maharashtra", "region_code": "MH", "city": "Pune",
             "isp": "Microsoft Corporation", "org": "Microsoft Azure Cloud (centralindia)", "asn": "AS8075", "as_name": "Microsoft Corporation",
             "latitude": "18.5144", "longitude": "73.864235", "timezone": "Asia\\/Kolkata", "reverse_dns": "", "is_tor_exit": false,
             "risk_score": 16, "threat_score": 22, "confidence_level": 100,
             "risk_summary": "This IP exhibits low-level activity that is occasionally associated with automated or non-human access.",
             "summary": "The IP exhibits suspicious behavior with a malformed user-agent indicating potential automation.",
             "ai_supernet_summary": "The subnet exhibits coordinated behavior.", "status": "safe",
             "badges": [{"flag": "spider", "label": "Spider", "emoji": "🕷️"}], "javascript_support": false,
             "user_agents": ["Mozilla\\/5.0 AppleWebKit\\/537.36 (KHTML, like Gecko); compatible; ChatGPT-User\\/1.0; +https:\\/\\/openai.com\\/bot"],
             "verified_bot": true, "verified_bot_name": "ChatGPT-User", "verified_bot_type": "AI bot", "api_plan": "Ghost",
             "api_usage": {"sec_limit": "1\\/2", "min_limit": "1\\/60", "day_limit": "8\\/500"}, "response_ms": 2.9}
            """;
    static final String IPINTEL_PLAN = """
            {"error": "Your plan (Oracle) does not include access to 'asn'.", "allowed_plans": ["Overseer"],
             "upgrade_hint": "Upgrade your plan to access this endpoint."}
            """;
    static final String IPINTEL_MISSING_KEY = "{\"error\": \"Missing API key\"}";
}
