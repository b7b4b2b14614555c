package io.heliograph.bridge.link;

import io.heliograph.bridge.v1.PresenceChange;

/**
 * Where presence changes from a peer region go, in the order the peer sent them. Called on the link's own thread; a
 * change is acknowledged to the peer once this returns, so an implementation that only queues must hold the queue
 * durably. Applying presence to the region's registry is not built yet; {@link #IGNORE} counts nothing and keeps
 * nothing.
 */
@FunctionalInterface
public interface PresenceSink {

    /** Takes changes and forgets them: for a region that does not show remote presence yet. */
    PresenceSink IGNORE = (peerRegion, change) -> {
    };

    void accept(String peerRegion, PresenceChange change);

    /** One member of the peer's presence as it is now (an enter), sent after every Hello; as a change by default. */
    default void acceptSnapshot(String peerRegion, PresenceChange change) {
        accept(peerRegion, change);
    }
}
