package io.heliograph.bridge.link;

import io.heliograph.bridge.v1.BackfillPage;
import io.heliograph.bridge.v1.BackfillRequest;
import io.heliograph.bridge.v1.LinkFrame;
import io.heliograph.bridge.v1.MessageEnvelope;
import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.ReplicateResult;
import io.heliograph.region.channel.ReplicatedMessage;
import io.heliograph.region.sequencing.Replication;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Stores envelopes from a peer in this region, in order, exactly once: a run of a channel's through
 * {@link Replication#replicateAll}, or one through {@link Replication#replicate} with a gap filled first by Backfill
 * from the origin. When {@link #apply} returns, the envelope is held by this region (or
 * was dropped as already held, as never committed, or as unrepairable, each counted), so it may be acknowledged; when
 * it throws (a Backfill call failed), it is not held and must not be.
 */
final class EnvelopeApplier {

    private static final System.Logger LOG = System.getLogger(EnvelopeApplier.class.getName());

    private final Replication replication;
    private final LinkTiming timing;
    private final LongSupplier leaseEpoch;
    private final ReceiverCounters counters;
    private final FencedNotices fenced;

    EnvelopeApplier(Replication replication, LinkTiming timing, LongSupplier leaseEpoch, ReceiverCounters counters,
                    FencedNotices fenced) {
        this.replication = replication;
        this.timing = timing;
        this.leaseEpoch = leaseEpoch;
        this.counters = counters;
        this.fenced = fenced;
    }

    /**
     * Stores a run of one channel's envelopes in one call ({@link Replication#replicateAll}), each as if stored in
     * turn: each outcome counted, except GAP (that envelope arrived ahead of its predecessor; nothing of it was
     * stored, and the caller parks it).
     *
     * @return one outcome per frame, in order
     */
    List<ReplicateResult.Outcome> applyAll(String peerRegion, String channel, List<LinkFrame> frames) {
        List<ReplicatedMessage> messages = new ArrayList<>(frames.size());
        for (LinkFrame frame : frames) {
            MessageEnvelope envelope = frame.getEnvelope();
            messages.add(new ReplicatedMessage(EnvelopeCodec.toMessage(envelope), EnvelopeCodec.previousOf(envelope)));
        }
        List<ReplicateResult> results = replication.replicateAll(channel, messages);
        List<ReplicateResult.Outcome> outcomes = new ArrayList<>(results.size());
        for (ReplicateResult result : results) {
            count(peerRegion, channel, result);
            outcomes.add(result.outcome());
        }
        return outcomes;
    }

    /**
     * @param origin Backfill towards the envelope's sender, for a gap
     * @throws io.grpc.StatusRuntimeException when a needed Backfill call failed: the envelope is not held
     */
    void apply(String peerRegion, MessageEnvelope envelope, PeerBackfill origin) {
        ChannelMessage message = EnvelopeCodec.toMessage(envelope);
        ReplicateResult result = replicateOnce(peerRegion, message, EnvelopeCodec.previousOf(envelope));
        if (result.outcome() != ReplicateResult.Outcome.GAP) {
            return;
        }
        counters.gaps.incrementAndGet();
        fill(peerRegion, message.channel(), result.latest(), message.serial(), origin);
        ReplicateResult retried = replicateOnce(peerRegion, message, EnvelopeCodec.previousOf(envelope));
        if (retried.outcome() == ReplicateResult.Outcome.GAP) {
            // Never acknowledge what this region does not hold (the origin would count it as committed): the
            // channel continues here from this message, continuity lost before it.
            counters.unrepairedGaps.incrementAndGet();
            replication.restartFrom(message.channel(), message, EnvelopeCodec.previousOf(envelope));
            LOG.log(System.Logger.Level.WARNING, "channel " + message.channel() + ": continues from " + message.serial()
                    + " (from " + peerRegion + "); this region held up to " + retried.latest()
                    + " and Backfill could not fill the gap: continuity is lost before it");
        }
    }

    /** Replicates one message and counts what became of it; a GAP is left to the caller. */
    private ReplicateResult replicateOnce(String peerRegion, ChannelMessage message, Serial previous) {
        return count(peerRegion, message.channel(), replication.replicate(message.channel(), message, previous));
    }

    private ReplicateResult count(String peerRegion, String channel, ReplicateResult result) {
        switch (result.outcome()) {
            case APPLIED -> counters.applied.incrementAndGet();
            case DUPLICATE -> counters.duplicates.incrementAndGet();
            case FENCED -> {
                counters.fenced.incrementAndGet();
                if (result.latest() != null) {
                    fenced.record(peerRegion, channel, result.latest());
                }
            }
            case GAP -> {
            }
        }
        return result;
    }

    /**
     * Backfills {@code channel} from {@code latest} (this region's newest serial) until {@code target} is reached, the
     * origin has nothing more, or a page cannot be stored in order.
     */
    private void fill(String peerRegion, String channel, Serial latest, Serial target, PeerBackfill origin) {
        Serial from = latest;
        for (int pages = 0; pages < timing.backfillMaxPages(); pages++) {
            BackfillRequest.Builder request = BackfillRequest.newBuilder().setChannel(channel)
                    .setLimit(timing.backfillPageLimit()).setLeaseEpoch(leaseEpoch.getAsLong());
            if (from != null) {
                request.setFromSerial(EnvelopeCodec.toWire(from));
            }
            BackfillPage page = origin.backfill(request.build());
            if (page.getContinuityLost()) {
                counters.continuityLost.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "channel " + channel + ": " + peerRegion
                        + "'s history no longer reaches back to " + from + "; this region cannot continue it");
                return;
            }
            for (MessageEnvelope envelope : page.getMessagesList()) {
                String problem = EnvelopeCodec.problemWith(envelope);
                if (problem != null) {
                    counters.malformed.incrementAndGet();
                    LOG.log(System.Logger.Level.WARNING, "channel " + channel + ": Backfill page from " + peerRegion
                            + " holds a malformed envelope (" + problem + "); the page is not used past it");
                    return;
                }
                ChannelMessage message = EnvelopeCodec.toMessage(envelope);
                ReplicateResult result = replicateOnce(peerRegion, message, EnvelopeCodec.previousOf(envelope));
                if (result.outcome() == ReplicateResult.Outcome.APPLIED) {
                    counters.backfilledMessages.incrementAndGet();
                } else if (result.outcome() == ReplicateResult.Outcome.GAP) {
                    LOG.log(System.Logger.Level.WARNING, "channel " + channel + ": Backfill page from " + peerRegion
                            + " does not continue this region's " + result.latest() + " at " + message.serial());
                    return;
                }
                from = message.serial();
            }
            if (!page.getHasMore() || page.getMessagesCount() == 0 || from.compareTo(target) >= 0) {
                return;
            }
        }
        LOG.log(System.Logger.Level.WARNING, "channel " + channel + ": Backfill from " + peerRegion + " stopped after "
                + timing.backfillMaxPages() + " pages at " + from + " short of " + target);
    }
}
