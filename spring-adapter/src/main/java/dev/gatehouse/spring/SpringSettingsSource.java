package dev.gatehouse.spring;

import dev.gatehouse.settings.GatehouseSettings;
import dev.gatehouse.settings.SettingsBinder;
import dev.gatehouse.settings.SettingsException;
import dev.gatehouse.settings.SettingsNode;
import dev.gatehouse.settings.SettingsSources;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The Spring front end of the core settings: the {@code gatehouse.*} properties of the
 * {@link Environment}, flattened to dotted names and handed to the core {@link SettingsBinder}, so a
 * block pasted from {@code gatehouse.yaml} under {@code gatehouse:} means exactly the same. It checks
 * nothing itself; a problem the binder finds becomes an {@link InvalidConfigurationPropertyValueException}
 * naming the property, which Spring Boot's failure report prints with the value's origin.
 *
 * <p>Property sources are read in Spring's order of precedence; a key (a list with all its items) comes
 * from the first source that has it. Environment variables are read for the core's single-valued keys
 * ({@code GATEHOUSE_BUDGET}, {@code GATEHOUSE_FAILMODE}, {@code GATEHOUSE_DATA_REFRESH}, …), as Spring maps them.
 */
final class SpringSettingsSource {

    static final String PREFIX = GatehouseProperties.PREFIX;
    private static final String DATA_URLS = "data.urls";
    private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of(PREFIX);
    /** Keys the starter itself reads (through {@link GatehouseProperties}); not core keys. */
    static final List<String> ADAPTER_KEYS = List.of("enabled", "url-patterns", "filter-order");
    /** Single-valued keys worth looking up in environment variables, which cannot be listed by name. */
    private static final List<String> ENV_KEYS = List.of("policy", "policy-reload", "budget", "fail-mode", "trusted-proxies",
            "forwarded-headers", "dns-servers", "data.directory", "data.refresh", "rate-limit.store", "rate-limit.max-keys",
            "explain-header", "upstream-headers", "decision-log.to", "decision-log.sample-allows");

    private SpringSettingsSource() {
    }

    /** The {@code gatehouse.*} tree of {@code environment}. */
    static SettingsNode.Mapping read(Environment environment) {
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> origins = new HashMap<>();
        Map<String, Integer> keyOwner = new HashMap<>(); // key without list indexes → the source that supplies it
        int index = 0;
        List<ConfigurationPropertySource> environmentVariables = new ArrayList<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            int sourceIndex = index++;
            if (source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource) {
                environmentVariables.add(source);
                continue;
            }
            if (!(source instanceof IterableConfigurationPropertySource iterable)) {
                continue;
            }
            rawDataUrls(source, values, origins);
            iterable.filter(ROOT::isAncestorOf).forEach(name -> {
                String dotted = dotted(name);
                if (dotted.startsWith(DATA_URLS + ".") || dotted.startsWith(DATA_URLS + "[")) {
                    return; // read raw, above: a name would lose the key's '/' characters
                }
                if (keyOwner.entrySet().stream().anyMatch(e -> e.getValue() != sourceIndex && overlaps(e.getKey(), dottedBase(dotted)))) {
                    return; // a source of higher precedence already sets this key
                }
                ConfigurationProperty property = iterable.getConfigurationProperty(name);
                if (property == null || values.containsKey(dotted)) {
                    return;
                }
                keyOwner.putIfAbsent(dottedBase(dotted), sourceIndex);
                values.put(dotted, property.getValue() == null ? "" : String.valueOf(property.getValue()));
                origins.put(dotted, property.getOrigin() != null ? property.getOrigin().toString() : PREFIX + "." + dotted);
            });
        }
        for (String key : ENV_KEYS) {
            if (values.keySet().stream().anyMatch(k -> overlaps(dottedBase(k), key))) {
                continue;
            }
            for (ConfigurationPropertySource source : environmentVariables) {
                ConfigurationProperty property = source.getConfigurationProperty(ConfigurationPropertyName.of(PREFIX + "." + key));
                if (property != null) {
                    values.put(key, String.valueOf(property.getValue()));
                    origins.put(key, property.getOrigin() != null ? property.getOrigin().toString() : "environment variable for " + PREFIX + "." + key);
                    break;
                }
            }
        }
        return SettingsSources.flat(values, name -> origins.getOrDefault(name, PREFIX + "." + name), PREFIX);
    }

    /**
     * The core settings of {@code environment}.
     *
     * @throws InvalidConfigurationPropertyValueException for the first problem (the others are in its reason)
     */
    static GatehouseSettings bind(Environment environment, Consumer<String> warnings) {
        SettingsNode.Mapping tree = read(environment);
        try {
            return SettingsBinder.bind(tree, ADAPTER_KEYS, warnings, environment::getProperty); // *-env keys: the process environment, or a property of that name
        } catch (SettingsException e) {
            SettingsException.Problem first = e.problems().get(0);
            StringBuilder reason = new StringBuilder(first.message());
            e.problems().stream().skip(1).forEach(p -> reason.append("\n  also: ").append(p));
            throw invalid(first.key(), valueAt(tree, first.key()), reason + " (at " + first.origin() + ")");
        }
    }

    static InvalidConfigurationPropertyValueException invalid(String key, Object value, String reason) {
        return new InvalidConfigurationPropertyValueException(key.isEmpty() ? PREFIX : PREFIX + "." + key, value, reason);
    }

    /**
     * {@code gatehouse.data.urls.*} from the source's own property names: the keys are data-set names such
     * as {@code crawlers/google/common-crawlers.json}, whose {@code /} a configuration property name drops.
     */
    @SuppressWarnings("unchecked")
    private static void rawDataUrls(ConfigurationPropertySource source, Map<String, Object> values, Map<String, String> origins) {
        if (!(source.getUnderlyingSource() instanceof EnumerablePropertySource<?> raw)) {
            return;
        }
        String prefix = PREFIX + "." + DATA_URLS;
        for (String name : raw.getPropertyNames()) {
            if (!name.startsWith(prefix + ".") && !name.startsWith(prefix + "[")) {
                continue;
            }
            String key = name.substring(prefix.length() + 1);
            if (name.charAt(prefix.length()) == '[' && key.endsWith("]")) {
                key = key.substring(0, key.length() - 1);
            }
            String dotted = DATA_URLS + "[" + key + "]";
            if (values.keySet().stream().anyMatch(k -> k.equals(dotted))) {
                continue;
            }
            Object value = raw.getProperty(name);
            values.put(dotted, value == null ? "" : String.valueOf(value));
            Origin origin = raw instanceof OriginLookup<?> lookup ? ((OriginLookup<String>) lookup).getOrigin(name) : null;
            origins.put(dotted, origin != null ? origin.toString() : name);
        }
    }

    /** The value written at a dotted key, as text (a list joined with ", "). */
    private static String valueAt(SettingsNode.Mapping tree, String key) {
        SettingsNode node = tree;
        for (String part : key.isEmpty() ? new String[0] : key.split("\\.")) {
            if (!(node instanceof SettingsNode.Mapping m) || m.get(part) == null) {
                return null;
            }
            node = m.get(part);
        }
        Object plain = node.plain();
        return plain instanceof List<?> list ? String.join(", ", list.stream().map(String::valueOf).toList()) : String.valueOf(plain);
    }

    /** {@code gatehouse.trusted-proxies[0]} → {@code trusted-proxies[0]}; a key with a dot is kept in brackets. */
    private static String dotted(ConfigurationPropertyName name) {
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < name.getNumberOfElements(); i++) {
            if (name.isNumericIndex(i)) {
                out.append('[').append(name.getElement(i, ConfigurationPropertyName.Form.ORIGINAL)).append(']');
                continue;
            }
            String element = name.getElement(i, ConfigurationPropertyName.Form.DASHED);
            if (element.contains(".")) {
                out.append('[').append(element).append(']');
            } else {
                out.append(out.isEmpty() ? "" : ".").append(element);
            }
        }
        return out.toString();
    }

    /** The key a flattened name belongs to: {@code trusted-proxies[1]} → {@code trusted-proxies}. */
    private static String dottedBase(String dotted) {
        int bracket = dotted.indexOf("[");
        return bracket < 0 ? dotted : dotted.substring(0, bracket);
    }

    private static boolean overlaps(String a, String b) {
        return a.equals(b) || a.startsWith(b + ".") || b.startsWith(a + ".");
    }
}
