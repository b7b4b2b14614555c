package io.heliograph.bridge.outbound;

import java.util.List;

import io.heliograph.bridge.link.PresenceCodec;
import io.heliograph.region.presence.PresenceRegistry.PresenceEvent;
import io.heliograph.region.presence.PresenceReplication;

/**
 * An edge node's {@link PresenceReplication}: each change of one of its region's members goes into every peer's
 * outbound log, in order with the messages around it, and reaches the peer exactly once.
 */
public final class OutboundPresence implements PresenceReplication {

    private final List<OutboundLog> logs;

    public OutboundPresence(java.util.Collection<OutboundLog> logs) {
        this.logs = List.copyOf(logs);
    }

    @Override
    public void replicate(PresenceEvent event, long timestampMs) {
        OutboundEntry entry = OutboundEntry.presence(PresenceCodec.toWire(event, timestampMs));
        for (OutboundLog log : logs) {
            log.append(entry);
        }
    }
}
