package io.heliograph.bridge.outbound;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * {@link OutboundLog} in this process only: for tests and for a bridge without a standby replica. Lost with the
 * process, so a restart starts again at {@code link_seq} 1; use the Hazelcast log wherever a replica takes over.
 */
public final class InMemoryOutboundLog implements OutboundLog {

    private final String peerRegion;
    private final OutboundLimits limits;
    private final LongSupplier nowMs;
    private final OutboundState state = new OutboundState();
    private final long incarnation = OutboundLogs.newIncarnation();

    public InMemoryOutboundLog(String peerRegion, OutboundLimits limits, LongSupplier nowMs) {
        this.peerRegion = Objects.requireNonNull(peerRegion, "peerRegion");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.nowMs = Objects.requireNonNull(nowMs, "nowMs");
    }

    @Override
    public String peerRegion() {
        return peerRegion;
    }

    @Override
    public synchronized long append(OutboundEntry entry) {
        OutboundState.requireFits(entry, limits);
        // A copy: the caller's array must not change what the log resends.
        return state.append(new OutboundEntry(entry.kind(), entry.payload().clone()), nowMs.getAsLong(), limits,
                incarnation);
    }

    @Override
    public synchronized OutboundPage readAfter(long afterLinkSeq, int maxEntries, long maxBytes) {
        return state.readAfter(afterLinkSeq, maxEntries, maxBytes);
    }

    @Override
    public synchronized OutboundStatus acknowledge(long linkSeq) {
        if (linkSeq > state.lastAppended()) {
            throw OutboundState.aheadOfLog(peerRegion, linkSeq, state.lastAppended());
        }
        return state.acknowledge(linkSeq, nowMs.getAsLong(), limits);
    }

    @Override
    public synchronized OutboundStatus trimExpired() {
        return state.trimExpired(nowMs.getAsLong(), limits);
    }

    @Override
    public synchronized OutboundStatus status() {
        return state.status();
    }
}
