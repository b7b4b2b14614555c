package io.heliograph.bridge.outbound;

import java.util.List;

/**
 * What {@link OutboundLog#readAfter} answers: held entries in {@code link_seq} order without gaps between them.
 *
 * @param records         the entries, each one {@code link_seq} after the one before
 * @param lastAppended    the highest {@code link_seq} assigned when the page was read
 * @param continuityLost  entries between the requested position (or the acknowledgement, if later) and the first
 *                        record were dropped unacknowledged: the peer needs Backfill for them
 */
public record OutboundPage(List<OutboundRecord> records, long lastAppended, boolean continuityLost) {

    public OutboundPage {
        records = List.copyOf(records);
    }

    /** More entries follow the page: read again after its last record. */
    public boolean hasMore() {
        return !records.isEmpty() && records.getLast().linkSeq() < lastAppended;
    }

    /** The {@code link_seq} to read after next time: the last record's, or {@code after} when the page is empty. */
    public long lastLinkSeqOr(long after) {
        return records.isEmpty() ? after : records.getLast().linkSeq();
    }
}
