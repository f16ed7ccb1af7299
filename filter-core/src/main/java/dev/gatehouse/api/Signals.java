package dev.gatehouse.api;

import dev.gatehouse.net.IpAddress;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the intelligence sources know about one client address, normalised to the signal names of the
 * design contract. Immutable. Each value carries the sources that said it ({@code embedded:tor},
 * {@code provider:iptrust}, {@code rdns}), so every decision can be explained.
 *
 * <p>A signal that no source spoke about is absent ({@link #value} returns {@code null}): policies
 * treat an absent boolean as {@code false} and an absent number as not matching any comparison.
 */
public final class Signals {

    /** One signal's value and who said it. */
    public record Observation(Signal signal, Object value, List<String> sources) {
        public Observation {
            Objects.requireNonNull(signal, "signal");
            Objects.requireNonNull(value, "value");
            sources = List.copyOf(sources);
        }
    }

    /** A data source consulted for this lookup, with the age of its data when known. */
    public record SourceStatus(String name, Instant dataAsOf, String problem) {
        public SourceStatus {
            Objects.requireNonNull(name, "name");
        }

        /** Age of the data at {@code now}, or {@code null} when the source does not say. */
        public Duration ageAt(Instant now) {
            return dataAsOf == null ? null : Duration.between(dataAsOf, now);
        }
    }

    /** One line of the scoring table that moved {@code threat_score}, for the decision trace. */
    public record ScoreContribution(String reason, int points, String source) {}

    /**
     * What one remote source said on its own, before the sources were fused: its answer mapped to
     * signal names ({@code values}, including its own {@code threat_score} and {@code confidence} on the
     * 0–100 scale) and its own fields as it sent them ({@code raw}, dotted paths), so {@code explain}
     * shows each provider's values beside the fused ones.
     */
    public record SourceAnswer(String source, Map<Signal, Object> values, Map<String, Object> raw) {
        public SourceAnswer {
            Objects.requireNonNull(source, "source");
            values = values.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(values));
            raw = Collections.unmodifiableMap(new LinkedHashMap<>(raw));
        }
    }

    private final IpAddress ip;
    private final Observation[] observations; // indexed by Signal.ordinal(), null when absent
    private final List<SourceStatus> sources;
    private final List<ScoreContribution> contributions;
    private final List<String> notes;
    private final List<SourceAnswer> answers;

    private Signals(Builder builder) {
        this.ip = builder.ip;
        this.observations = builder.observations.clone();
        this.sources = builder.sources == null ? List.of() : List.copyOf(builder.sources.values());
        this.contributions = builder.contributions == null ? List.of() : List.copyOf(builder.contributions);
        this.notes = builder.notes == null ? List.of() : List.copyOf(builder.notes);
        this.answers = builder.answers == null ? List.of() : List.copyOf(builder.answers.values());
    }

    /** Signals that know nothing but the address itself. */
    public static Signals of(IpAddress ip) {
        return builder(ip).build();
    }

    public static Builder builder(IpAddress ip) {
        return new Builder(ip);
    }

    /** A builder that starts from these signals, to layer more sources on top. */
    public Builder toBuilder() {
        Builder b = new Builder(ip, observations);
        sources.forEach(b::source);
        contributions.forEach(b::contribution);
        notes.forEach(b::note);
        answers.forEach(b::answer);
        return b;
    }

    public IpAddress ip() {
        return ip;
    }

    /** The value ({@code Boolean}, {@code Integer} or {@code String}), or {@code null} when absent. */
    public Object value(Signal signal) {
        Observation o = observations[signal.ordinal()];
        return o == null ? null : o.value();
    }

    public Observation observation(Signal signal) {
        return observations[signal.ordinal()];
    }

    /** True only when a source said {@code true}. */
    public boolean isTrue(Signal signal) {
        return Boolean.TRUE.equals(value(signal));
    }

    public String string(Signal signal) {
        Object v = value(signal);
        return v == null ? null : v.toString();
    }

    /** The integer value, or {@code fallback} when absent. */
    public int integer(Signal signal, int fallback) {
        return value(signal) instanceof Integer i ? i : fallback;
    }

    /** The outcome of crawler verification; {@link BotVerification#NONE} when no source spoke of it. */
    public BotVerification botVerification() {
        BotVerification v = BotVerification.byId(string(Signal.BOT_VERIFIED));
        return v == null ? BotVerification.NONE : v;
    }

    /** How the crawler was verified, or {@code null} when it was not. */
    public BotVerifiedBy botVerifiedBy() {
        return BotVerifiedBy.byId(string(Signal.BOT_VERIFIED_BY));
    }

    /** The fused {@code threat_score} (0 when no source gave evidence of risk). */
    public int threatScore() {
        return integer(Signal.THREAT_SCORE, 0);
    }

    /** Every present observation, in signal order. */
    public List<Observation> observations() {
        List<Observation> list = new ArrayList<>();
        for (Observation o : observations) {
            if (o != null) {
                list.add(o);
            }
        }
        return Collections.unmodifiableList(list);
    }

    /** The present observations keyed by signal, in signal order. */
    public Map<Signal, Observation> asMap() {
        Map<Signal, Observation> map = new EnumMap<>(Signal.class);
        for (Observation o : observations) {
            if (o != null) {
                map.put(o.signal(), o);
            }
        }
        return Collections.unmodifiableMap(map);
    }

    public List<SourceStatus> sources() {
        return sources;
    }

    public List<ScoreContribution> contributions() {
        return contributions;
    }

    /** Remarks about how these signals were obtained (budget exceeded, a source failed, …). */
    public List<String> notes() {
        return notes;
    }

    /** Each remote source's own answer, in the order they were asked; empty when no provider answered. */
    public List<SourceAnswer> answers() {
        return answers;
    }

    @Override
    public String toString() {
        return "Signals" + asMap().values().stream().map(o -> o.signal().id() + "=" + o.value()).toList();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Signals s && ip.equals(s.ip) && Arrays.equals(observations, s.observations)
                && sources.equals(s.sources) && contributions.equals(s.contributions) && notes.equals(s.notes)
                && answers.equals(s.answers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ip, Arrays.hashCode(observations), sources);
    }

    /** Collects observations. A second observation of the same signal replaces the first, merging sources when the value is equal. */
    public static final class Builder {
        // A builder is made for every lookup and every enrichment layer: the collections most lookups
        // never fill are created on first use, and the two request observations are seeded directly.
        private static final int SIGNAL_COUNT = Signal.values().length;
        private static final List<String> REQUEST = List.of("request");
        private static final Observation IPV4 = new Observation(Signal.IP_VERSION, 4, REQUEST);
        private static final Observation IPV6 = new Observation(Signal.IP_VERSION, 6, REQUEST);

        private final IpAddress ip;
        private final Observation[] observations;
        private Map<String, SourceStatus> sources;
        private List<ScoreContribution> contributions;
        private List<String> notes;
        private Map<String, SourceAnswer> answers;

        private Builder(IpAddress ip) {
            this.ip = Objects.requireNonNull(ip, "ip");
            this.observations = new Observation[SIGNAL_COUNT];
            observations[Signal.IP.ordinal()] = new Observation(Signal.IP, ip.toString(), REQUEST);
            observations[Signal.IP_VERSION.ordinal()] = ip.isV4() ? IPV4 : IPV6;
        }

        private Builder(IpAddress ip, Observation[] from) {
            this.ip = ip;
            this.observations = from.clone();
        }

        /**
         * Records {@code value} for {@code signal}, said by {@code source}.
         *
         * @throws IllegalArgumentException when the value's type does not match the signal's type
         */
        public Builder put(Signal signal, Object value, String source) {
            Objects.requireNonNull(signal, "signal");
            if (value == null) {
                return this;
            }
            checkType(signal, value);
            Observation previous = observations[signal.ordinal()];
            if (previous != null && previous.value().equals(value) && !previous.sources().contains(source)) {
                List<String> merged = new ArrayList<>(previous.sources());
                merged.add(source);
                observations[signal.ordinal()] = new Observation(signal, value, merged);
            } else if (previous == null || !previous.value().equals(value)) {
                observations[signal.ordinal()] = new Observation(signal, value, List.of(source));
            }
            return this;
        }

        /** Records a boolean only when it is true, so a source that knows nothing does not claim {@code false}. */
        public Builder flag(Signal signal, boolean value, String source) {
            return value ? put(signal, Boolean.TRUE, source) : this;
        }

        /**
         * Replaces {@code bot_verified} and {@code bot_verified_by} with one source's outcome;
         * {@code by} is {@code null} when the crawler was not verified.
         */
        public Builder botVerification(BotVerification verification, BotVerifiedBy by, String source) {
            Objects.requireNonNull(verification, "verification");
            remove(Signal.BOT_VERIFIED).remove(Signal.BOT_VERIFIED_BY);
            put(Signal.BOT_VERIFIED, verification.id(), source);
            return by == null ? this : put(Signal.BOT_VERIFIED_BY, by.id(), source);
        }

        public Object value(Signal signal) {
            Observation o = observations[signal.ordinal()];
            return o == null ? null : o.value();
        }

        public Builder remove(Signal signal) {
            observations[signal.ordinal()] = null;
            return this;
        }

        public Builder source(SourceStatus status) {
            if (sources == null) {
                sources = new LinkedHashMap<>();
            }
            sources.put(status.name(), status);
            return this;
        }

        public Builder contribution(ScoreContribution contribution) {
            if (contributions == null) {
                contributions = new ArrayList<>(4);
            }
            contributions.add(contribution);
            return this;
        }

        public Builder note(String note) {
            if (notes == null) {
                notes = new ArrayList<>(2);
            }
            notes.add(note);
            return this;
        }

        /** Records a remote source's own answer (a second answer from the same source replaces the first). */
        public Builder answer(SourceAnswer answer) {
            if (answers == null) {
                answers = new LinkedHashMap<>();
            }
            answers.put(answer.source(), answer);
            return this;
        }

        public Signals build() {
            return new Signals(this);
        }

        private static void checkType(Signal signal, Object value) {
            boolean ok = switch (signal.type()) {
                case BOOLEAN -> value instanceof Boolean;
                case INTEGER -> value instanceof Integer;
                case STRING -> value instanceof String;
            };
            if (!ok) {
                throw new IllegalArgumentException("signal " + signal.id() + " takes a " + signal.type().name().toLowerCase()
                        + ", not " + value.getClass().getSimpleName() + " " + value);
            }
        }
    }
}
