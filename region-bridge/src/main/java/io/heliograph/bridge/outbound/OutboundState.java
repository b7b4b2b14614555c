package io.heliograph.bridge.outbound;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The outbound log towards one peer, without any engine: the positions ({@code lastAppended}, the peer's
 * {@code acknowledged}), the held entries and what the bounds dropped, changed only by {@link #append},
 * {@link #acknowledge} and {@link #trimExpired}. {@link InMemoryOutboundLog} runs it under a lock; the Hazelcast log
 * runs it inside entry processors on the partition thread that owns the peer, and replays the same change on the
 * backup, so every change must be deterministic given its arguments: the clock is read by the caller and passed in.
 *
 * <p>The held entries always cover the {@code link_seq}s {@code lastAppended - held + 1 .. lastAppended} without
 * gaps, each above {@code acknowledged}: acknowledged entries are trimmed at once, and the bounds drop the oldest
 * first. So below the oldest held entry every {@code link_seq} was either acknowledged or dropped, and the dropped ones
 * the peer has not acknowledged are exactly {@code acknowledged + 1 .. droppedThrough}. They are held in a ring of
 * parallel arrays rather than a list of objects: a log holds up to a hundred thousand entries and is read by index.
 *
 * <p>Not thread-safe.
 */
public final class OutboundState {

    /** Version of {@link #writeTo}'s form: a member refuses a state written in a form it does not know. */
    static final int FORMAT_VERSION = 2;
    private static final int INITIAL_CAPACITY = 16;

    private long lastAppended;
    private long acknowledged;
    private long lastAppendedAtMs;
    private long droppedByCount;
    private long droppedByBytes;
    private long droppedByAge;
    private long droppedThrough;
    private long overflowSinceMs;
    private long incarnation;

    private long[] appendedAtMs = new long[INITIAL_CAPACITY];
    private byte[] kinds = new byte[INITIAL_CAPACITY];
    private byte[][] payloads = new byte[INITIAL_CAPACITY][];
    private int head;
    private int held;
    private long heldBytes;

    /**
     * Fixes the log's incarnation now if it has none (nothing appended yet): the first Hello of a log that starts
     * again must name its new life, or the peer, still holding the old life's positions, acknowledges beyond it.
     * Answers whether the incarnation was set now.
     */
    public boolean begin(long incarnationIfNew) {
        if (incarnation != 0) {
            return false;
        }
        if (incarnationIfNew == 0) {
            throw new IllegalArgumentException("an incarnation is never 0");
        }
        incarnation = incarnationIfNew;
        return true;
    }

    /** As {@link #append(OutboundEntry, long, OutboundLimits, long)} with incarnation 1 for a new log (tests). */
    public long append(OutboundEntry entry, long nowMs, OutboundLimits limits) {
        return append(entry, nowMs, limits, 1);
    }

    /**
     * Assigns the next {@code link_seq} to {@code entry}, holds it, then applies the bounds.
     *
     * @param incarnationIfNew the log's incarnation when this is its first append (nonzero; random, chosen by the
     *                         caller so that a replayed backup operation picks the same one)
     */
    public long append(OutboundEntry entry, long nowMs, OutboundLimits limits, long incarnationIfNew) {
        requireFits(entry, limits);
        if (incarnation == 0) {
            if (incarnationIfNew == 0) {
                throw new IllegalArgumentException("an incarnation is never 0");
            }
            incarnation = incarnationIfNew;
        }
        if (held == payloads.length) {
            grow();
        }
        int slot = slot(held);
        // Appenders on different members read different clocks; the age bound drops from the oldest end, so the
        // recorded times must not go down.
        lastAppendedAtMs = Math.max(nowMs, lastAppendedAtMs);
        appendedAtMs[slot] = lastAppendedAtMs;
        kinds[slot] = entry.kind().code();
        payloads[slot] = entry.payload();
        held++;
        heldBytes += entry.sizeBytes();
        lastAppended++;
        applyBounds(nowMs, limits);
        return lastAppended;
    }

    /** Held entries after {@code afterLinkSeq}, oldest first, within {@code maxEntries} and (but for the first) {@code maxBytes}. */
    public OutboundPage readAfter(long afterLinkSeq, int maxEntries, long maxBytes) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, was " + maxEntries);
        }
        long oldest = lastAppended - held + 1;
        long first = Math.max(afterLinkSeq + 1, oldest);
        List<OutboundRecord> records = new ArrayList<>((int) Math.min(maxEntries, Math.max(0, lastAppended - first + 1)));
        long bytes = 0;
        for (long seq = first; seq <= lastAppended && records.size() < maxEntries; seq++) {
            int slot = slot((int) (seq - oldest));
            if (!records.isEmpty() && bytes + payloads[slot].length > maxBytes) {
                break;
            }
            bytes += payloads[slot].length;
            records.add(new OutboundRecord(seq, appendedAtMs[slot],
                    new OutboundEntry(OutboundEntry.Kind.ofCode(kinds[slot]), payloads[slot])));
        }
        boolean continuityLost = Math.max(afterLinkSeq, acknowledged) < droppedThrough;
        return new OutboundPage(records, lastAppended, continuityLost);
    }

    /** The peer holds everything through {@code linkSeq}: trims it (cumulative, never backwards), then the aged. */
    public OutboundStatus acknowledge(long linkSeq, long nowMs, OutboundLimits limits) {
        if (linkSeq > lastAppended) {
            throw new IllegalArgumentException("acknowledged link_seq " + linkSeq + " is beyond the last assigned, "
                    + lastAppended);
        }
        if (linkSeq > acknowledged) {
            acknowledged = linkSeq;
            while (held > 0 && oldestHeld() <= acknowledged) {
                removeOldest();
            }
            if (droppedThrough <= acknowledged) {
                overflowSinceMs = 0;
            }
        }
        return trimExpired(nowMs, limits);
    }

    /** Drops the entries older than the age bound. */
    public OutboundStatus trimExpired(long nowMs, OutboundLimits limits) {
        while (held > 0 && nowMs - appendedAtMs[head] > limits.maxAgeMs()) {
            dropOldest(Bound.AGE, nowMs);
        }
        return status();
    }

    /** True when {@link #trimExpired} would drop something now: lets an engine skip a write (and its backup). */
    public boolean hasExpired(long nowMs, OutboundLimits limits) {
        return held > 0 && nowMs - appendedAtMs[head] > limits.maxAgeMs();
    }

    public OutboundStatus status() {
        return new OutboundStatus(lastAppended, acknowledged, held == 0 ? 0 : oldestHeld(), held, heldBytes,
                droppedByCount, droppedByBytes, droppedByAge, droppedThrough, overflowSinceMs, incarnation,
                held == 0 ? 0 : appendedAtMs[head]);
    }

    public long lastAppended() {
        return lastAppended;
    }

    /** Refuses an entry that could never be held, before it is given a link_seq. */
    public static void requireFits(OutboundEntry entry, OutboundLimits limits) {
        if (entry.sizeBytes() > limits.maxBytes()) {
            throw new IllegalArgumentException("outbound entry of " + entry.sizeBytes()
                    + " bytes can never be held: outbound.max-bytes is " + limits.maxBytes());
        }
    }

    public static IllegalArgumentException aheadOfLog(String peerRegion, long linkSeq, long lastAppended) {
        return new IllegalArgumentException("peer " + peerRegion + " acknowledged link_seq " + linkSeq + " but this log has assigned only "
                + "through " + lastAppended + ": the peer is confused or this log's state was lost");
    }

    private enum Bound { COUNT, BYTES, AGE }

    private void applyBounds(long nowMs, OutboundLimits limits) {
        trimExpired(nowMs, limits);
        while (held > limits.maxEntries()) {
            dropOldest(Bound.COUNT, nowMs);
        }
        while (heldBytes > limits.maxBytes()) {
            dropOldest(Bound.BYTES, nowMs);
        }
    }

    /** Every held entry is unacknowledged, so every drop opens or widens the overflow. */
    private void dropOldest(Bound bound, long nowMs) {
        long seq = oldestHeld();
        removeOldest();
        switch (bound) {
            case COUNT -> droppedByCount++;
            case BYTES -> droppedByBytes++;
            case AGE -> droppedByAge++;
        }
        if (droppedThrough <= acknowledged) {
            overflowSinceMs = nowMs;
        }
        droppedThrough = seq;
    }

    private long oldestHeld() {
        return lastAppended - held + 1;
    }

    private void removeOldest() {
        heldBytes -= payloads[head].length;
        payloads[head] = null;
        head = (head + 1) % payloads.length;
        held--;
    }

    private int slot(int index) {
        return (head + index) % payloads.length;
    }

    private void grow() {
        int capacity = payloads.length * 2;
        long[] times = new long[capacity];
        byte[] newKinds = new byte[capacity];
        byte[][] newPayloads = new byte[capacity][];
        for (int i = 0; i < held; i++) {
            int from = slot(i);
            times[i] = appendedAtMs[from];
            newKinds[i] = kinds[from];
            newPayloads[i] = payloads[from];
        }
        appendedAtMs = times;
        kinds = newKinds;
        payloads = newPayloads;
        head = 0;
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeInt(FORMAT_VERSION);
        out.writeLong(lastAppended);
        out.writeLong(acknowledged);
        out.writeLong(lastAppendedAtMs);
        out.writeLong(droppedByCount);
        out.writeLong(droppedByBytes);
        out.writeLong(droppedByAge);
        out.writeLong(droppedThrough);
        out.writeLong(overflowSinceMs);
        out.writeLong(incarnation);
        out.writeInt(held);
        for (int i = 0; i < held; i++) {
            int slot = slot(i);
            out.writeLong(appendedAtMs[slot]);
            out.writeByte(kinds[slot]);
            out.writeInt(payloads[slot].length);
            out.write(payloads[slot]);
        }
    }

    public static OutboundState readFrom(DataInput in) throws IOException {
        int version = in.readInt();
        if (version != FORMAT_VERSION) {
            throw new IOException("outbound log state in format " + version + "; this member reads format "
                    + FORMAT_VERSION + " only");
        }
        OutboundState state = new OutboundState();
        state.lastAppended = in.readLong();
        state.acknowledged = in.readLong();
        state.lastAppendedAtMs = in.readLong();
        state.droppedByCount = in.readLong();
        state.droppedByBytes = in.readLong();
        state.droppedByAge = in.readLong();
        state.droppedThrough = in.readLong();
        state.overflowSinceMs = in.readLong();
        state.incarnation = in.readLong();
        int count = in.readInt();
        int capacity = Math.max(INITIAL_CAPACITY, Integer.highestOneBit(Math.max(1, count)) * 2);
        state.appendedAtMs = new long[capacity];
        state.kinds = new byte[capacity];
        state.payloads = new byte[capacity][];
        for (int i = 0; i < count; i++) {
            state.appendedAtMs[i] = in.readLong();
            state.kinds[i] = in.readByte();
            byte[] payload = new byte[in.readInt()];
            in.readFully(payload);
            state.payloads[i] = payload;
            state.heldBytes += payload.length;
        }
        state.held = count;
        return state;
    }
}
