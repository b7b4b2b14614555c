package io.heliograph.bridge.outbound;

/**
 * One consistent snapshot of an {@link OutboundLog}: its positions, its depth, and what its bounds dropped. Taken in
 * one call so that the figures agree with each other (a Hello's {@code oldest_link_seq}, a metric, {@code /health}).
 *
 * @param lastAppended    the highest {@code link_seq} ever assigned (0: nothing appended yet)
 * @param acknowledged    the peer's cumulative acknowledgement (0: none); never goes down
 * @param oldestHeld      the oldest {@code link_seq} the log can still resend, the Hello's {@code oldest_link_seq}
 *                        (0: nothing held)
 * @param heldEntries     entries held (appended, neither acknowledged nor dropped)
 * @param heldBytes       their payload bytes
 * @param droppedByCount  entries dropped unacknowledged because {@code max-entries} was reached, since the log began
 * @param droppedByBytes  the same for {@code max-bytes}
 * @param droppedByAge    the same for {@code max-age-ms}
 * @param droppedThrough  the highest {@code link_seq} dropped unacknowledged (0: none ever)
 * @param overflowSinceMs when the first entry of the current overflow was dropped (0: no overflow now)
 * @param incarnation     which life of the log this is: chosen at random by its first append, so a log lost with
 *                        its whole region and started again at {@code link_seq} 1 is told apart from the old one
 *                        (0: nothing ever appended)
 * @param oldestHeldAtMs  when the oldest held entry was appended (0: nothing held): the replication lag in time is
 *                        now minus this
 */
public record OutboundStatus(long lastAppended, long acknowledged, long oldestHeld, long heldEntries, long heldBytes,
                             long droppedByCount, long droppedByBytes, long droppedByAge, long droppedThrough,
                             long overflowSinceMs, long incarnation, long oldestHeldAtMs) {

    /** A log that never held anything. */
    public static final OutboundStatus EMPTY = new OutboundStatus(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Every entry dropped unacknowledged since the log began (a counter: never goes down). */
    public long droppedTotal() {
        return droppedByCount + droppedByBytes + droppedByAge;
    }

    /**
     * The log no longer reaches back to {@code acknowledged + 1}: entries the peer never acknowledged were dropped by
     * the bounds, so resending from the log alone would leave the peer a gap. The link reports it and the peer falls
     * back to Backfill from the origin's history; it ends once the peer acknowledges past {@link #droppedThrough}.
     */
    public boolean overflowed() {
        return droppedThrough > acknowledged;
    }

    /** How many {@code link_seq}s after the acknowledgement the log can no longer resend (0 unless overflowed). */
    public long missingEntries() {
        return overflowed() ? droppedThrough - acknowledged : 0;
    }
}
