package io.heliograph.bridge.tls;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts every peer a bridge refused, by reason, so that {@code /metrics} can show them and tests can tell one refusal
 * from another. One instance per {@link BridgeTls}, shared by its server and channel sides.
 */
public final class BridgeRefusals {

    /** Why a peer was refused. */
    public enum Reason {
        /** Its certificate is not signed by a trusted CA (or is expired, or unreadable). */
        UNTRUSTED_CERTIFICATE,
        /** Its certificate names no region (or several). */
        NO_REGION,
        /** Server side: its certificate names a region that is not in the peer list. */
        REGION_NOT_A_PEER,
        /** Client side: the server's certificate names another region than the one dialled. */
        UNEXPECTED_REGION
    }

    private final Map<Reason, LongAdder> counts = new EnumMap<>(Reason.class);

    public BridgeRefusals() {
        for (Reason reason : Reason.values()) {
            counts.put(reason, new LongAdder());
        }
    }

    void increment(Reason reason) {
        counts.get(reason).increment();
    }

    /** How many peers were refused for this reason since start. */
    public long count(Reason reason) {
        return counts.get(reason).sum();
    }
}
