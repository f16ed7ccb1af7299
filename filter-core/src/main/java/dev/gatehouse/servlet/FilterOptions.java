package dev.gatehouse.servlet;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link GatehouseFilter} enforces decisions; what is decided is configured on the
 * {@link dev.gatehouse.Gatehouse}. Immutable.
 *
 * <pre>{@code
 * FilterOptions options = FilterOptions.builder().explainHeader(true).build();
 * }</pre>
 */
public final class FilterOptions {

    /** The response header carrying a compact trace of the decision when {@link #explainHeader()} is on. */
    public static final String EXPLAIN_HEADER = dev.gatehouse.enforcement.GatehouseHeaders.EXPLAIN;

    private static final FilterOptions DEFAULTS = builder().build();

    private final boolean explainHeader;
    private final boolean upstreamHeaders;
    private final Duration waitMargin;

    private FilterOptions(Builder b) {
        this.explainHeader = b.explainHeader;
        this.upstreamHeaders = b.upstreamHeaders;
        this.waitMargin = b.waitMargin;
    }

    /** No explain header, upstream headers on, a 25 ms wait margin. */
    public static FilterOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The enforcement settings of {@code settings}: {@code explain-header} and {@code upstream-headers}. */
    public static FilterOptions from(dev.gatehouse.settings.GatehouseSettings settings) {
        return builder().explainHeader(settings.explainHeader()).upstreamHeaders(settings.upstreamHeaders()).build();
    }

    /** Whether every response carries {@value #EXPLAIN_HEADER} (for debugging; it shows your rules to clients). */
    public boolean explainHeader() {
        return explainHeader;
    }

    /**
     * Whether the application sees the decision as {@code X-Gatehouse-Verdict}, {@code X-Gatehouse-Rule},
     * {@code X-Gatehouse-Threat-Score} and {@code X-Gatehouse-Bot} request headers; the same headers
     * sent by the client are hidden from the application either way.
     */
    public boolean upstreamHeaders() {
        return upstreamHeaders;
    }

    /**
     * How much longer than the Gatehouse budget the filter waits for a decision before it gives up and
     * applies the fail-open / fail-closed rule. The budget already bounds the engine; the margin covers
     * policy evaluation and thread hand-off.
     */
    public Duration waitMargin() {
        return waitMargin;
    }

    @Override
    public String toString() {
        return "FilterOptions[explainHeader=" + explainHeader + ", upstreamHeaders=" + upstreamHeaders + ", waitMargin=" + waitMargin + "]";
    }

    /** Builds {@link FilterOptions}; every setting is checked when it is made. */
    public static final class Builder {
        private boolean explainHeader;
        private boolean upstreamHeaders = true;
        private Duration waitMargin = Duration.ofMillis(25);

        private Builder() {
        }

        /** Adds {@value FilterOptions#EXPLAIN_HEADER} to every response (default off). */
        public Builder explainHeader(boolean explainHeader) {
            this.explainHeader = explainHeader;
            return this;
        }

        /** Exposes the decision to the application as {@code X-Gatehouse-*} request headers (default on). */
        public Builder upstreamHeaders(boolean upstreamHeaders) {
            this.upstreamHeaders = upstreamHeaders;
            return this;
        }

        /** Extra wait beyond the Gatehouse budget, 0..10 s (default 25 ms). */
        public Builder waitMargin(Duration waitMargin) {
            Objects.requireNonNull(waitMargin, "waitMargin");
            if (waitMargin.isNegative() || waitMargin.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new IllegalArgumentException("waitMargin must be within 0..10s, was " + waitMargin);
            }
            this.waitMargin = waitMargin;
            return this;
        }

        public FilterOptions build() {
            return new FilterOptions(this);
        }
    }
}
