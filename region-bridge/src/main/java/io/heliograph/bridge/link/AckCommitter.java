package io.heliograph.bridge.link;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

import com.google.protobuf.InvalidProtocolBufferException;

import io.heliograph.bridge.outbound.OutboundLog;
import io.heliograph.bridge.outbound.OutboundPage;
import io.heliograph.bridge.outbound.OutboundRecord;
import io.heliograph.bridge.v1.MessageEnvelope;
import io.heliograph.protocol.Serial;

/**
 * Turns a peer's acknowledgement into commits in this region: the peer holds every envelope up to the acknowledged
 * {@code link_seq}, so each channel among them is committed through the newest of its serials (a peer stores a channel
 * only in order). This is what releases a global publish whose node stopped waiting (it died, or its publisher gave
 * up), without a retry. Read from the outbound log before it is trimmed, so a replica that took the link over commits
 * what the previous one sent as well.
 */
final class AckCommitter {

    private static final System.Logger LOG = System.getLogger(AckCommitter.class.getName());
    private static final int PAGE = 1_000;
    private static final long PAGE_BYTES = 8L * 1024 * 1024;

    private final BiConsumer<String, Serial> commit;
    private final BiConsumer<String, Serial> endEpoch;

    /**
     * @param commit   commits a channel through a serial (the region's {@code ChannelLog.commit})
     * @param endEpoch ends a channel's epoch at a serial that the peer reported as where it ended there (this region
     *                 is a stale home: what it sequenced after is not in the channel's order)
     */
    AckCommitter(BiConsumer<String, Serial> commit, BiConsumer<String, Serial> endEpoch) {
        this.commit = commit;
        this.endEpoch = endEpoch;
    }

    /**
     * The peer refused this region's envelopes of {@code channel} as fenced: another region took the channel over,
     * ending its epoch at {@code end}. Ended here too, before the acknowledgement that covers them is counted, so
     * that none of them is committed (and no publisher waiting for one is acked). Logged: a stale home.
     */
    void fenced(String channel, Serial end) {
        LOG.log(System.Logger.Level.WARNING, "the peer refused this region's messages of " + channel + " after " + end
                + ": another region took it over; this region's later ones are dropped, never committed");
        endEpoch.accept(channel, end);
    }

    /** The newest serial of each channel among the envelopes in {@code (from, to]} of {@code log}. */
    Map<String, Serial> newestPerChannel(OutboundLog log, long from, long to) {
        Map<String, Serial> newest = new LinkedHashMap<>();
        long after = from;
        boolean more = true;
        while (more && after < to) {
            OutboundPage page = log.readAfter(after, (int) Math.min(PAGE, to - after), PAGE_BYTES);
            // Empty, or (after an overflow) held entries that all lie beyond the acknowledgement: nothing more here.
            more = !page.records().isEmpty();
            for (OutboundRecord record : page.records()) {
                if (record.linkSeq() > to) {
                    more = false;
                    break;
                }
                after = record.linkSeq();
                if (record.entry().kind() != io.heliograph.bridge.outbound.OutboundEntry.Kind.ENVELOPE) {
                    continue;
                }
                try {
                    MessageEnvelope envelope = MessageEnvelope.parseFrom(record.entry().payload());
                    Serial serial = EnvelopeCodec.fromWire(envelope.getSerial());
                    newest.merge(envelope.getChannel(), serial, (a, b) -> a.compareTo(b) >= 0 ? a : b);
                } catch (InvalidProtocolBufferException e) {
                    LOG.log(System.Logger.Level.WARNING, "outbound entry " + record.linkSeq() + " to "
                            + log.peerRegion() + " is not an envelope: " + e.getMessage());
                }
            }
        }
        return newest;
    }

    /** Commits each channel through its serial. */
    void commit(Map<String, Serial> newestPerChannel) {
        newestPerChannel.forEach(commit);
    }
}
