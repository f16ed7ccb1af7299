package dev.gatehouse.spring;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

import java.util.List;

/**
 * The starter's own settings (not core ones), checked as they are turned into the filter registration.
 * Every bad value becomes an {@link InvalidConfigurationPropertyValueException} naming the property, the
 * value and the reason; Spring Boot's failure analyzer prints it, with the value's origin.
 */
final class Settings {

    private Settings() {
    }

    /**
     * The servlet URL patterns: {@code /exact}, {@code /prefix/*}, {@code *.ext} or {@code /}.
     * Checked here because the container would only reject them later, with less context; they are
     * the starter's own setting, not a core one.
     */
    static List<String> urlPatterns(GatehouseProperties p) {
        List<String> patterns = p.getUrlPatterns() == null ? List.of() : p.getUrlPatterns();
        if (patterns.isEmpty()) {
            throw invalid("url-patterns", "", "at least one pattern is required (/* for every request)");
        }
        for (String pattern : patterns) {
            String why = urlPatternProblem(pattern);
            if (why != null) {
                throw invalid("url-patterns", String.join(", ", patterns), "'" + pattern + "' " + why);
            }
        }
        return List.copyOf(patterns);
    }

    private static String urlPatternProblem(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            return "is empty";
        }
        if (pattern.startsWith("*.")) {
            return pattern.indexOf('/') >= 0 || pattern.length() == 2 ? "is not an extension pattern like *.html" : null;
        }
        if (!pattern.startsWith("/")) {
            return "must start with / or *.";
        }
        int star = pattern.indexOf('*');
        return star >= 0 && !(star == pattern.length() - 1 && pattern.endsWith("/*")) ? "may contain * only as a final /*" : null;
    }

    static InvalidConfigurationPropertyValueException invalid(String property, Object value, String reason) {
        return new InvalidConfigurationPropertyValueException(GatehouseProperties.PREFIX + "." + property, value, reason);
    }
}
