package io.heliograph.bridge.link;

import io.heliograph.bridge.outbound.OutboundEntry;
import io.heliograph.bridge.outbound.OutboundLog;
import io.heliograph.bridge.outbound.OutboundPage;
import io.heliograph.bridge.outbound.OutboundStatus;

import java.util.concurrent.atomic.AtomicLong;

/** An {@link OutboundLog} that counts how often the sender reads it and asks its status. */
final class CountedOutboundLog implements OutboundLog {

    private final OutboundLog log;
    final AtomicLong reads = new AtomicLong();
    final AtomicLong statuses = new AtomicLong();

    CountedOutboundLog(OutboundLog log) {
        this.log = log;
    }

    @Override
    public String peerRegion() {
        return log.peerRegion();
    }

    @Override
    public long append(OutboundEntry entry) {
        return log.append(entry);
    }

    @Override
    public OutboundPage readAfter(long afterLinkSeq, int maxEntries, long maxBytes) {
        reads.incrementAndGet();
        return log.readAfter(afterLinkSeq, maxEntries, maxBytes);
    }

    @Override
    public OutboundStatus acknowledge(long linkSeq) {
        return log.acknowledge(linkSeq);
    }

    @Override
    public OutboundStatus trimExpired() {
        return log.trimExpired();
    }

    @Override
    public OutboundStatus status() {
        statuses.incrementAndGet();
        return log.status();
    }
}
