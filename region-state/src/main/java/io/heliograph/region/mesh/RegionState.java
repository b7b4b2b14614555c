package io.heliograph.region.mesh;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A region's state as the control plane decides it and the mesh table carries it (docs/control-plane.md): lower
 * case on the wire, in the table's JSON and binary forms alike. The control plane's probes decide the first three;
 * {@code draining} is an operator's.
 */
public enum RegionState {
    /** Every edge answers its probes, ready. */
    HEALTHY,
    /** Some edges fail their probes (or all do, but the region is not confirmed down). */
    DEGRADED,
    /** Every edge failed its probes for {@code failover.down-after-ms} and another region's bridge agrees. */
    DOWN,
    /** Set by an operator (failover): its homes moved away and its edges redirect their clients. */
    DRAINING;

    private static final List<String> WIRE_NAMES = Arrays.stream(values()).map(RegionState::wire).toList();

    /** The name on the wire; also how Jackson writes a state anywhere the control plane answers with one. */
    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Every state's wire name, in declaration order (what an error about a bad state lists). */
    public static List<String> wireNames() {
        return WIRE_NAMES;
    }

    /** @throws IllegalArgumentException naming the accepted values when {@code value} is none of them */
    @JsonCreator
    public static RegionState fromWire(String value) {
        int at = value == null ? -1 : WIRE_NAMES.indexOf(value);
        if (at < 0) {
            throw new IllegalArgumentException("region state must be one of " + WIRE_NAMES + ", got " + value);
        }
        return values()[at];
    }

    /** Clients may be sent to a region in this state: neither down nor draining. */
    public boolean servesClients() {
        return this == HEALTHY || this == DEGRADED;
    }
}
