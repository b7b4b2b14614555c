package io.heliograph.control.state;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** A region's state as the mesh table and {@code /v1/regions} carry it (lower case on the wire). */
public enum RegionState {
    /** Every edge answers its probes, ready. */
    HEALTHY,
    /** Some edges fail their probes (or all do, but the region is not confirmed down). */
    DEGRADED,
    /** Every edge failed its probes for {@code failover.down-after-ms} and another region's bridge agrees. */
    DOWN,
    /** Set by an operator (failover): its homes moved away and its edges redirect their clients. */
    DRAINING;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static RegionState fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
