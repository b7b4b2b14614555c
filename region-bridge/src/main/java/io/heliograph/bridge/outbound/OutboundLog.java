package io.heliograph.bridge.outbound;

/**
 * The ordered log of what this region must deliver to one peer region, exactly once in effect (invariant 7): every
 * entry gets the next {@code link_seq} (1, 2, 3, … without gaps, assigned atomically, never reused), is held until the
 * peer acknowledges it cumulatively, and is resent from the peer's acknowledgement after any reconnect, bridge replica
 * takeover or restart. Bounded by {@link OutboundLimits}; an entry the bounds drop before its acknowledgement is
 * counted, and {@link OutboundStatus#overflowed()} says the log no longer reaches back to the acknowledgement, so the
 * link can report it and let the peer catch up with Backfill.
 *
 * <p>Implementations: {@link InMemoryOutboundLog} (one process, tests) and {@code HazelcastOutboundLog} (the region's
 * cluster, so that a standby replica resumes the link). Both run the same {@link OutboundState}.
 */
public interface OutboundLog {

    /** The peer region this log delivers to. */
    String peerRegion();

    /**
     * Appends an entry and answers its {@code link_seq}, once the entry would survive the loss of any one member.
     * Applies the bounds, so older entries may be dropped.
     *
     * @throws IllegalArgumentException an entry larger than {@link OutboundLimits#maxBytes()}, which could never be held
     * @throws io.heliograph.protocol.HeliographException 503 when storage could not confirm the append; it may or may not
     *         have been appended, and repeating it may append it twice, which the peer drops by (channel, serial)
     */
    long append(OutboundEntry entry);

    /**
     * Held entries with a {@code link_seq} greater than {@code afterLinkSeq}, oldest first: at most {@code maxEntries},
     * and no more than {@code maxBytes} of payload, except that a non-empty log always answers at least one entry, so a
     * large entry cannot stall the link. Read after the peer's acknowledgement on every (re)connect.
     */
    OutboundPage readAfter(long afterLinkSeq, int maxEntries, long maxBytes);

    /**
     * The peer holds everything up to {@code linkSeq}: trims it. Cumulative; an acknowledgement at or below the current
     * one changes nothing, so the position never goes backwards. Answers the status after it.
     *
     * @throws IllegalArgumentException {@code linkSeq} beyond {@link OutboundStatus#lastAppended()}: the peer
     *         acknowledges what this log never assigned (a confused peer, or this log's state was lost)
     */
    OutboundStatus acknowledge(long linkSeq);

    /** Drops entries older than {@link OutboundLimits#maxAgeMs()} now; the link calls it on its timer. */
    OutboundStatus trimExpired();

    /** Positions, depth and drops, in one consistent snapshot. */
    OutboundStatus status();
}
