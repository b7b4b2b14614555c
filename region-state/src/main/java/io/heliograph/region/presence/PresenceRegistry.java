package io.heliograph.region.presence;

import java.util.List;

import io.heliograph.protocol.PresenceAction;
import io.heliograph.protocol.PresenceMember;

/**
 * The region's presence sets. Each member is recorded with the node that holds its connection, so the members of a
 * node that dies can be removed by the survivors.
 */
public interface PresenceRegistry {

    /** A change to announce: {@code action} is what subscribers see. */
    record PresenceEvent(String channel, PresenceAction action, PresenceMember member) {
    }

    /** Enters or updates; answers the event to announce ({@code enter} when new, else {@code update}). */
    PresenceEvent enterOrUpdate(String channel, PresenceMember member, String nodeId);

    /** Removes the connection's member; answers the leave event, or null when it was not present. */
    PresenceEvent leave(String channel, String connectionId);

    List<PresenceMember> members(String channel);

    /** Removes every member held by a node that left the region; answers the leave events. */
    List<PresenceEvent> forgetNode(String nodeId);

    /**
     * Read-only: every member connected to {@code region}, over all channels, as an {@code enter} each: what a
     * region sends a peer to rebuild its view of this region's presence. Reads every channel: for a new link, not for
     * a request path.
     */
    List<PresenceEvent> membersOf(String region);

    /** Read-only: every node holding a member somewhere that is not in {@code live}. */
    java.util.Set<String> nodesOtherThan(java.util.Set<String> live);
}
