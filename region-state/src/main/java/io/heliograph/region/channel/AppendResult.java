package io.heliograph.region.channel;

import java.util.Set;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Serial;

/**
 * Outcome of an append.
 *
 * @param outcome         sequenced now, a duplicate of an earlier publish, fenced (the caller's epoch is stale), or
 *                        unsettled (the region must take the channel over in the epoch first)
 * @param message         the stored message (for a duplicate: the first one, as far as history still holds it); null
 *                        when fenced
 * @param previous        the serial before the message in the channel's order (null for the channel's first, and for
 *                        a duplicate or a fenced append): what another region checks a replicated message against;
 *                        for an unsettled append, the latest serial the region holds
 * @param interestedNodes nodes with subscribers for the channel at sequencing time
 * @param stored          the message is the stored original (false for a duplicate whose original has left history,
 *                        then only serial and msgId are meaningful, and when fenced)
 * @param knownEpoch      the highest epoch the region knows of for the channel; for a fenced append, the one that
 *                        fenced it
 * @param committed       the message (for a duplicate: the original) is committed, so it may be delivered; false while
 *                        a global publish waits for another region to hold it
 */
public record AppendResult(Outcome outcome, ChannelMessage message, Serial previous, Set<String> interestedNodes,
                           boolean stored, long knownEpoch, boolean committed) {

    public enum Outcome { SEQUENCED, DUPLICATE, FENCED, UNSETTLED }

    public static AppendResult sequenced(ChannelMessage message, Serial previous, Set<String> interestedNodes,
                                         long knownEpoch, boolean committed) {
        return new AppendResult(Outcome.SEQUENCED, message, previous, interestedNodes, true, knownEpoch, committed);
    }

    /** A message sequenced and committed at once. */
    public static AppendResult sequenced(ChannelMessage message, Serial previous, Set<String> interestedNodes,
                                         long knownEpoch) {
        return sequenced(message, previous, interestedNodes, knownEpoch, true);
    }

    public static AppendResult duplicate(ChannelMessage original, boolean stored, Set<String> interestedNodes,
                                         long knownEpoch, boolean committed) {
        return new AppendResult(Outcome.DUPLICATE, original, null, interestedNodes, stored, knownEpoch, committed);
    }

    /** A duplicate of a committed original. */
    public static AppendResult duplicate(ChannelMessage original, boolean stored, Set<String> interestedNodes,
                                         long knownEpoch) {
        return duplicate(original, stored, interestedNodes, knownEpoch, true);
    }

    public static AppendResult fenced(long knownEpoch) {
        return new AppendResult(Outcome.FENCED, null, null, Set.of(), false, knownEpoch, false);
    }

    /**
     * Nothing stored: this region is a home of a mesh that has not yet taken the channel over in the asked epoch (see
     * {@code ChannelLog.settle}).
     */
    public static AppendResult unsettled(Serial latest, long knownEpoch) {
        return new AppendResult(Outcome.UNSETTLED, null, latest, Set.of(), false, knownEpoch, false);
    }

    public boolean unsettled() {
        return outcome == Outcome.UNSETTLED;
    }

    /** True when the msgId was already sequenced within the dedup window; nothing is delivered then. */
    public boolean duplicate() {
        return outcome == Outcome.DUPLICATE;
    }

    public boolean fenced() {
        return outcome == Outcome.FENCED;
    }
}
