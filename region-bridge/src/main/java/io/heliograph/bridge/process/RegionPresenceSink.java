package io.heliograph.bridge.process;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.heliograph.bridge.link.PresenceCodec;
import io.heliograph.bridge.link.PresenceSink;
import io.heliograph.bridge.v1.PresenceChange;
import io.heliograph.region.fabric.RegionFabric;
import io.heliograph.region.presence.PresenceRegistry;
import io.heliograph.region.presence.PresenceRegistry.PresenceEvent;
import io.heliograph.region.presence.PresenceReplication;

/**
 * Presence changes from peer regions, applied to this region's presence registry (under the peer's pseudo node,
 * {@link PresenceReplication#remoteNode}) and announced to this region's subscribers, as a local change would be. So
 * {@code presence.get} answers the same in every region. A malformed change is dropped and counted; it is
 * acknowledged all the same (resending it would not make it well-formed).
 */
final class RegionPresenceSink implements PresenceSink {

    private static final System.Logger LOG = System.getLogger(RegionPresenceSink.class.getName());

    private final PresenceRegistry registry;
    private final RegionFabric fabric;
    private final Map<String, AtomicLong> received = new ConcurrentHashMap<>();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong forgotten = new AtomicLong();

    RegionPresenceSink(PresenceRegistry registry, RegionFabric fabric) {
        this.registry = registry;
        this.fabric = fabric;
    }

    @Override
    public void accept(String peerRegion, PresenceChange change) {
        received.computeIfAbsent(peerRegion, p -> new AtomicLong()).incrementAndGet();
        PresenceEvent event;
        try {
            event = PresenceCodec.fromWire(change, peerRegion);
        } catch (IllegalArgumentException e) {
            malformed.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "presence change from " + peerRegion + " dropped: " + e.getMessage());
            return;
        }
        PresenceEvent announced = switch (event.action()) {
            case ENTER, UPDATE -> registry.enterOrUpdate(event.channel(), event.member(),
                    PresenceReplication.remoteNode(peerRegion));
            case LEAVE -> registry.leave(event.channel(), event.member().connectionId());
        };
        if (announced != null) {
            fabric.broadcast(announced);
        }
    }

    /** A member of the peer's snapshot: applied and announced only when this region does not hold it as it is. */
    @Override
    public void acceptSnapshot(String peerRegion, PresenceChange change) {
        PresenceEvent event;
        try {
            event = PresenceCodec.fromWire(change, peerRegion);
        } catch (IllegalArgumentException e) {
            malformed.incrementAndGet();
            return;
        }
        if (registry.members(event.channel()).contains(event.member())) {
            return;
        }
        PresenceEvent announced = registry.enterOrUpdate(event.channel(), event.member(),
                PresenceReplication.remoteNode(peerRegion));
        fabric.broadcast(announced);
    }

    /**
     * {@code peerRegion} has been unreachable for the presence timeout: its members leave here, announced as leaves.
     * Its next stream's snapshot brings back those still present.
     */
    int forget(String peerRegion) {
        List<PresenceEvent> leaves = registry.forgetNode(PresenceReplication.remoteNode(peerRegion));
        leaves.forEach(fabric::broadcast);
        forgotten.addAndGet(leaves.size());
        return leaves.size();
    }

    /** Members of unreachable peers removed, over all peers. */
    long forgotten() {
        return forgotten.get();
    }

    /** Changes received from {@code peerRegion} since start. */
    long received(String peerRegion) {
        AtomicLong count = received.get(peerRegion);
        return count == null ? 0 : count.get();
    }

    /** Changes dropped as malformed, over all peers. */
    long malformed() {
        return malformed.get();
    }
}
