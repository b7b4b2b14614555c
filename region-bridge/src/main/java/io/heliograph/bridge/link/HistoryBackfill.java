package io.heliograph.bridge.link;

import io.heliograph.bridge.v1.BackfillPage;
import io.heliograph.bridge.v1.BackfillRequest;
import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.ChannelLog;
import io.heliograph.region.channel.HistoryPage;

import java.util.List;

/**
 * Answers a Backfill from this region's {@link ChannelLog#history}, with each message's {@code previous} filled in so
 * the requester can store the page through {@code Replication.replicate} in order.
 *
 * <p>Why {@code previous} can be derived from history: a region's history of a channel is always one contiguous
 * stretch of the channel's order (it grows only by the next message, is trimmed only from its oldest end, and a fence
 * only cuts its newest end), so within a page each message's previous is the message before it, and an epoch change
 * between two of them is where the first one's epoch ended ({@code epoch_ends}). Only the first message needs care:
 * <ul>
 *   <li>it directly follows {@code from_serial} (same epoch, seq + 1): its previous is {@code from_serial};</li>
 *   <li>it is seq 1 of a later epoch: it follows {@code from_serial} only if this region still holds
 *       {@code from_serial} itself (then nothing can lie between them, by contiguity) — checked with a one-message
 *       history read just below it; then {@code from_serial} is where its epoch ended;</li>
 *   <li>otherwise history no longer reaches back to {@code from_serial}, or never held it (the requester holds a
 *       serial this region's order does not have): {@code continuity_lost}, and the first message carries no
 *       {@code previous}, so a requester that ignored the flag would see a gap rather than store a hole;</li>
 *   <li>no {@code from_serial}: from the oldest retained; the first message's previous is seq − 1 of its epoch, or
 *       unset at seq 1 (not knowable from history alone; a requester asks from nothing only when it holds nothing, and
 *       then region-state accepts any first message).</li>
 * </ul>
 * An empty page means nothing after {@code from_serial} is held (history may also have aged out entirely; the
 * requester then still has its gap and counts it).
 */
final class HistoryBackfill {

    private final ChannelLog log;
    private final int maxLimit;
    private final long maxBytes;

    /**
     * @param maxLimit most messages per page (also the default for a request's 0)
     * @param maxBytes most bytes per page past its first message, as {@link HistoryPage#sizeOf} counts them; kept
     *                 well below the peer's largest inbound frame
     */
    HistoryBackfill(ChannelLog log, int maxLimit, long maxBytes) {
        this.log = log;
        this.maxLimit = maxLimit;
        this.maxBytes = maxBytes;
    }

    BackfillPage page(BackfillRequest request) {
        String channel = request.getChannel();
        if (channel.isEmpty()) {
            throw new IllegalArgumentException("Backfill needs a channel");
        }
        Serial from = request.hasFromSerial() && !isZero(request.getFromSerial())
                ? EnvelopeCodec.fromWire(request.getFromSerial()) : null;
        int limit = request.getLimit() == 0 ? maxLimit : Math.min(request.getLimit(), maxLimit);
        HistoryPage history = log.sequencedHistory(channel, from, limit, maxBytes);
        BackfillPage.Builder page = BackfillPage.newBuilder().setHasMore(history.more());
        List<ChannelMessage> messages = history.messages();
        if (messages.isEmpty()) {
            return page.build();
        }
        Serial first = messages.getFirst().serial();
        Serial previous;
        if (from == null) {
            previous = first.seq() > 1 ? Serial.of(first.epoch(), first.seq() - 1) : null;
        } else if (from.isFollowedBy(first)) {
            previous = from;
        } else if (first.epoch() > from.epoch() && first.seq() == 1 && holds(channel, from)) {
            previous = from;
            page.addEpochEnds(EnvelopeCodec.toWire(from));
        } else {
            previous = null;
            page.setContinuityLost(true);
        }
        for (ChannelMessage message : messages) {
            if (previous != null && previous.epoch() != message.serial().epoch() && message != messages.getFirst()) {
                page.addEpochEnds(EnvelopeCodec.toWire(previous));
            }
            page.addMessages(EnvelopeCodec.toEnvelope(message, previous));
            previous = message.serial();
        }
        return page.build();
    }

    /** Whether this region's history still holds {@code serial} itself. */
    private boolean holds(String channel, Serial serial) {
        // The greatest serial below it that no message can lie between: seq − 1, or past anything of the epoch before.
        Serial justBelow = serial.seq() > 1 ? Serial.of(serial.epoch(), serial.seq() - 1)
                : serial.epoch() > 0 ? Serial.of(serial.epoch() - 1, Long.MAX_VALUE) : null;
        List<ChannelMessage> next = log.sequencedHistory(channel, justBelow, 1, Long.MAX_VALUE).messages();
        return !next.isEmpty() && next.getFirst().serial().equals(serial);
    }

    private static boolean isZero(io.heliograph.bridge.v1.Serial serial) {
        return serial.getEpoch() == 0 && serial.getSeq() == 0;
    }
}
