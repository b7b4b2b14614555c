package io.heliograph.region.channel;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

import io.heliograph.protocol.Serial;

/**
 * Where each ended epoch of one channel ended: its last committed seq. History records it so that a resume across an
 * epoch change is complete (the rest of epoch e, then epoch e + 1 from seq 1, no false gap) and a channel whose
 * current epoch holds nothing yet still knows its latest serial. Bounded to the newest {@value #MAX_ENDS} ends:
 * enough for every resume that history can still serve. Part of {@link ChannelState}: single-threaded like it, and
 * written in its serialized form.
 */
final class EpochEnds {

    /** Ended epochs remembered. */
    static final int MAX_ENDS = 64;

    private final TreeMap<Long, Long> ends = new TreeMap<>();

    /** Records that {@code epoch} ended at {@code lastSeq} (a takeover's decision replaces an earlier guess). */
    void end(long epoch, long lastSeq) {
        ends.put(epoch, lastSeq);
        trim();
    }

    /** Records {@code epoch}'s end unless one is known already (a fence may have recorded it first). */
    void endIfUnknown(long epoch, long lastSeq) {
        ends.putIfAbsent(epoch, lastSeq);
        trim();
    }

    /** Where {@code epoch} ended, or -1 when it has not ended (or is too old to be remembered). */
    long endOf(long epoch) {
        Long end = ends.get(epoch);
        return end == null ? -1 : end;
    }

    /** The last serial of the newest ended epoch; null when none ended. */
    Serial lastEnded() {
        var ended = ends.lastEntry();
        return ended == null ? null : Serial.of(ended.getKey(), ended.getValue());
    }

    /** The last serial of the newest epoch that ended before {@code epoch}; null when none did. */
    Serial endBefore(long epoch) {
        var before = ends.lowerEntry(epoch);
        return before == null ? null : Serial.of(before.getKey(), before.getValue());
    }

    private void trim() {
        while (ends.size() > MAX_ENDS) {
            ends.pollFirstEntry();
        }
    }

    void writeTo(DataOutput out) throws IOException {
        out.writeInt(ends.size());
        for (Map.Entry<Long, Long> e : ends.entrySet()) {
            out.writeLong(e.getKey());
            out.writeLong(e.getValue());
        }
    }

    void readFrom(DataInput in) throws IOException {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            ends.put(in.readLong(), in.readLong());
        }
    }
}
