package io.heliograph.region.channel;

import io.heliograph.protocol.Serial;

/**
 * The region's record of every channel: one sequencer, one idempotency window, one bounded history and the set of
 * nodes that have subscribers, per channel. Every call is atomic per channel; an append returns only once the message
 * is stored with its backup.
 */
public interface ChannelLog {

    /**
     * Sequences and stores a message in {@code epoch} (the epoch under which this region is the channel's home), or
     * returns the first serial when its msgId was already seen in the window; fenced, storing nothing, when the region
     * knows a higher epoch for the channel. Callers go through a {@code Sequencer}, which knows the channel's home.
     */
    default AppendResult append(String channel, long epoch, PublishRequest request) {
        return append(channel, epoch, request, false);
    }

    /**
     * Like {@link #append(String, long, PublishRequest)}, but a {@code heldUntilCommitted} message (a global publish)
     * is not seen by readers (history, attach, {@link #latest}) until {@link #commit} says another region holds it.
     */
    default AppendResult append(String channel, long epoch, PublishRequest request, boolean heldUntilCommitted) {
        return append(channel, epoch, request, heldUntilCommitted, false);
    }

    /**
     * @param requireSettled this region is a home in a mesh of regions: the epoch is sequenced only after
     *                       {@link #settle} took the channel over in it; until then the answer is unsettled
     */
    AppendResult append(String channel, long epoch, PublishRequest request, boolean heldUntilCommitted,
                        boolean requireSettled);

    /**
     * This region takes the channel over as its home in {@code epoch}, holding everything up to {@code end}, the last
     * serial any surviving region holds (null: nothing anywhere); see {@link ChannelState#settle}. False when a higher
     * epoch is known or {@code end} is not held here.
     */
    boolean settle(String channel, long epoch, Serial end);

    /**
     * Another region takes the channel over in {@code newEpoch}: nothing more of an older epoch is taken here past what
     * is held, and that is answered; see {@link ChannelState#yieldTo}.
     */
    ChannelState.HeldTail yieldTo(String channel, long newEpoch);

    /** Another region holds the channel's messages up to {@code through}: readers see them now. */
    boolean commit(String channel, Serial through);

    /**
     * A global publish's wait ended with a peer's acknowledgement: commits it, or answers false when it is no longer in
     * the channel's order (see {@link ChannelState#commitPublished}).
     */
    boolean commitPublished(String channel, Serial serial);

    /**
     * History with the messages still waiting to be committed: what a peer region's bridge reads to fill a gap. Not for
     * clients.
     */
    HistoryPage sequencedHistory(String channel, Serial fromSerial, int limit, long maxBytes);

    /**
     * Stores a message the channel's home sequenced in another region, in order only: {@code previous} is the serial
     * before it in the channel's order. See {@link ChannelState#replicate}.
     */
    ReplicateResult replicate(String channel, io.heliograph.protocol.ChannelMessage message, Serial previous);

    /**
     * Stores several messages of one channel, in the order given, in one atomic step (for an engine, one call): each
     * gets the outcome that {@link #replicate} called for it in turn would give (APPLIED, DUPLICATE, GAP, FENCED), so a
     * GAP does not stop the ones after it. How a receiver stores a run of a channel's envelopes without a round trip
     * each.
     *
     * @return one result per message, in the same order
     */
    java.util.List<ReplicateResult> replicateAll(String channel, java.util.List<ReplicatedMessage> messages);

    /**
     * Stores a replicated message whose predecessors can no longer be had: the channel continues from it, with
     * continuity lost before it (see {@link ChannelState#restartFrom}).
     */
    ReplicateResult replicateRestarting(String channel, io.heliograph.protocol.ChannelMessage message, Serial previous);

    /**
     * The channel's home moved to {@code newEpoch}: nothing of a lower epoch is sequenced here any more, and the
     * current epoch ends at {@code endOfCurrent} (null: at what this region holds). False when a higher epoch was known.
     */
    boolean fence(String channel, long newEpoch, Serial endOfCurrent);

    /**
     * Registers {@code nodeId} as having subscribers for the channel and returns, atomically with that, the channel's
     * latest serial and whether the channel can continue from {@code fromSerial} (when given). Everything after the
     * answered serial reaches the node through the fabric; what lies between {@code fromSerial} and it is read with
     * {@link #history}.
     */
    AttachResult attach(String channel, String nodeId, Serial fromSerial);

    /** Forgets {@code nodeId}'s interest in the channel. */
    void detach(String channel, String nodeId);

    /**
     * Messages after {@code fromSerial} (from the oldest kept when null), oldest first, at most {@code limit} and,
     * past the first, at most {@code maxBytes} as {@link HistoryPage#sizeOf} counts them.
     */
    HistoryPage history(String channel, Serial fromSerial, int limit, long maxBytes);

    /**
     * The latest serial of each of {@code channels} that has one, in one batched read: how a node notices messages
     * whose fan-out never reached it on channels that went quiet.
     */
    java.util.Map<String, Serial> latest(java.util.Collection<String> channels);

    /** Forgets every interest of a node that left the region. */
    void forgetNode(String nodeId);

    /**
     * Read-only: every node with interest in some channel that is not in {@code live} (the leftovers of nodes that left
     * while nobody could clean up after them).
     */
    java.util.Set<String> interestedNodesOtherThan(java.util.Set<String> live);

    /** Removes aged history and idempotency keys of every channel (quiet channels included). */
    void expireAll();
}
