package io.heliograph.bridge.process;

import io.heliograph.bridge.link.PresenceSink;
import io.heliograph.bridge.v1.PresenceChange;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Presence changes from peer regions, counted per peer and logged at DEBUG, and not yet applied to the region's
 * presence registry (docs/bridge.md, "Next"). Counting them keeps what would otherwise be a silent drop visible on
 * {@code /metrics}.
 */
final class CountingPresenceSink implements PresenceSink {

    private static final System.Logger LOG = System.getLogger(CountingPresenceSink.class.getName());

    private final Map<String, AtomicLong> received = new ConcurrentHashMap<>();

    @Override
    public void accept(String peerRegion, PresenceChange change) {
        received.computeIfAbsent(peerRegion, p -> new AtomicLong()).incrementAndGet();
        LOG.log(System.Logger.Level.DEBUG, () -> "presence from " + peerRegion + " not applied (not built yet): "
                + change.getAction() + " " + change.getChannel() + " " + change.getConnectionId());
    }

    /** Changes received from {@code peerRegion} since start. */
    long received(String peerRegion) {
        AtomicLong count = received.get(peerRegion);
        return count == null ? 0 : count.get();
    }
}
