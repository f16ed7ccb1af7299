package dev.gatehouse.policy;

import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A refusal message with placeholders: {@code {rule}}, {@code {status}}, {@code {verdict}} (fixed per
 * rule, filled once at compile time) and {@code {ip}} or any signal name such as {@code {country}}
 * (filled per request; an absent signal prints {@code -}).
 */
final class MessageTemplate {

    static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_]+)}");

    private final String fixed;         // non-null when nothing varies per request
    private final List<Object> parts;   // String literals and Signal placeholders

    private MessageTemplate(String fixed, List<Object> parts) {
        this.fixed = fixed;
        this.parts = parts;
    }

    /** Names that {@code text} uses but that are not placeholders, for validation. */
    static List<String> unknownPlaceholders(String text) {
        List<String> unknown = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            String name = m.group(1);
            if (!isKnown(name)) {
                unknown.add(name);
            }
        }
        return unknown;
    }

    static List<String> placeholderNames() {
        List<String> names = new ArrayList<>(List.of("rule", "status", "verdict"));
        names.addAll(Signal.ids());
        return names;
    }

    private static boolean isKnown(String name) {
        return name.equals("rule") || name.equals("status") || name.equals("verdict") || Signal.byId(name) != null;
    }

    /** Compiles {@code text}, filling the fixed placeholders now. Unknown placeholders are left as written. */
    static MessageTemplate compile(String text, String rule, int status, String verdict) {
        List<Object> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        Matcher m = PLACEHOLDER.matcher(text);
        int at = 0;
        while (m.find()) {
            literal.append(text, at, m.start());
            at = m.end();
            String name = m.group(1);
            switch (name) {
                case "rule" -> literal.append(rule);
                case "status" -> literal.append(status);
                case "verdict" -> literal.append(verdict);
                default -> {
                    Signal signal = Signal.byId(name);
                    if (signal == null) {
                        literal.append(m.group());
                    } else {
                        parts.add(literal.toString());
                        literal.setLength(0);
                        parts.add(signal);
                    }
                }
            }
        }
        literal.append(text.substring(at));
        parts.add(literal.toString());
        return parts.size() == 1 ? new MessageTemplate((String) parts.get(0), List.of()) : new MessageTemplate(null, List.copyOf(parts));
    }

    boolean isFixed() {
        return fixed != null;
    }

    String render(Signals signals) {
        if (fixed != null) {
            return fixed;
        }
        StringBuilder b = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof Signal s) {
                Object v = signals.value(s);
                b.append(v == null ? "-" : v);
            } else {
                b.append(part);
            }
        }
        return b.toString();
    }
}
