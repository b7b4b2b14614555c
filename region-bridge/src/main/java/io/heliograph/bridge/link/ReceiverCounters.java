package io.heliograph.bridge.link;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the receiving side of this region's links did, over all peers, since it started: every refusal, every drop and
 * every repair counted, for {@code /metrics}. Counters only grow.
 */
public final class ReceiverCounters {

    final AtomicLong applied = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong fenced = new AtomicLong();
    final AtomicLong gaps = new AtomicLong();
    final AtomicLong backfilledMessages = new AtomicLong();
    final AtomicLong continuityLost = new AtomicLong();
    final AtomicLong unrepairedGaps = new AtomicLong();
    final AtomicLong presenceDelivered = new AtomicLong();
    final AtomicLong refusedStaleEpoch = new AtomicLong();
    final AtomicLong refusedWrongOrigin = new AtomicLong();
    final AtomicLong refusedProtocol = new AtomicLong();
    final AtomicLong silentStreamsClosed = new AtomicLong();
    final AtomicLong streamsSuperseded = new AtomicLong();
    final AtomicLong streamsAccepted = new AtomicLong();
    final AtomicLong duplexStreams = new AtomicLong();
    final AtomicLong backfillsServed = new AtomicLong();
    final AtomicLong missedLinkEntries = new AtomicLong();
    final AtomicLong parked = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();
    final AtomicLong peerLogRestarts = new AtomicLong();
    final AtomicLong presenceSnapshotEntries = new AtomicLong();

    /** Members received in peers' presence snapshots. */
    public long presenceSnapshotEntries() {
        return presenceSnapshotEntries.get();
    }

    /** Hellos whose outbound log was another incarnation than the one held from: the peer's log started again. */
    public long peerLogRestarts() {
        return peerLogRestarts.get();
    }

    /** Envelopes dropped as malformed (no channel, msgId or serial, a previous not before it, a payload not UTF-8). */
    public long malformed() {
        return malformed.get();
    }
    final AtomicLong parkTimeouts = new AtomicLong();

    /** Envelopes that arrived ahead of their channel's predecessor and waited for it. */
    public long parked() {
        return parked.get();
    }

    /** Parked envelopes whose predecessor did not come on the link in time: their gap went to Backfill. */
    public long parkTimeouts() {
        return parkTimeouts.get();
    }

    /** Envelopes stored as the channel's next message (from the link or from Backfill). */
    public long applied() {
        return applied.get();
    }

    /** Envelopes already held (resent after a reconnect): dropped, and acknowledged. */
    public long duplicates() {
        return duplicates.get();
    }

    /** Envelopes of an epoch this region has left, past its end: never committed, dropped, acknowledged. */
    public long fenced() {
        return fenced.get();
    }

    /** Envelopes that did not follow this region's latest serial, so a Backfill was run for their channel. */
    public long gaps() {
        return gaps.get();
    }

    /** Messages stored from Backfill pages. */
    public long backfilledMessages() {
        return backfilledMessages.get();
    }

    /** Backfill pages that said the origin's history no longer reaches back to this region's latest. */
    public long continuityLost() {
        return continuityLost.get();
    }

    /**
     * Envelopes dropped, and acknowledged, although their gap could not be filled (continuity lost, or the origin's
     * history ends before them): the channel stays behind until a later message's Backfill reaches it. Each one is
     * logged as a WARNING.
     */
    public long unrepairedGaps() {
        return unrepairedGaps.get();
    }

    public long presenceDelivered() {
        return presenceDelivered.get();
    }

    /** Hellos and Backfills refused because a higher lease epoch of that region was seen (FAILED_PRECONDITION). */
    public long refusedStaleEpoch() {
        return refusedStaleEpoch.get();
    }

    /** Hellos whose origin region is not the region of the caller's certificate (PERMISSION_DENIED). */
    public long refusedWrongOrigin() {
        return refusedWrongOrigin.get();
    }

    /** Streams refused for a missing or malformed Hello or an unknown protocol version. */
    public long refusedProtocol() {
        return refusedProtocol.get();
    }

    /** Streams closed because nothing arrived within the silence deadline. */
    public long silentStreamsClosed() {
        return silentStreamsClosed.get();
    }

    /** Link streams peers opened to this region (each call, admitted or not). */
    public long streamsAccepted() {
        return streamsAccepted.get();
    }

    /** Link streams admitted that carry both directions (one stream per pair), dialled or accepted. */
    public long duplexStreams() {
        return duplexStreams.get();
    }

    /** Streams ended because a newer stream from the same region was admitted. */
    public long streamsSuperseded() {
        return streamsSuperseded.get();
    }

    /**
     * {@code link_seq}s a peer's stream skipped (its outbound log had overflowed and dropped them before this region
     * acknowledged them): what they held reaches this region by Backfill when the next message of their channel
     * arrives.
     */
    public long missedLinkEntries() {
        return missedLinkEntries.get();
    }

    public long backfillsServed() {
        return backfillsServed.get();
    }
}
