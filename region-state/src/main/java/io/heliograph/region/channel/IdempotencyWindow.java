package io.heliograph.region.channel;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import io.heliograph.protocol.Serial;

/**
 * The msgIds one channel has seen within its dedup window, each with the serial it was first given: a publish
 * retried with the same msgId by the same publisher is answered with that serial instead of being sequenced again.
 * A msgId counts per publisher (the token's {@code sub}), so one client can never take, or be answered with, another
 * client's message by choosing the same msgId. Kept in arrival order, so expiry stops at the first key still young.
 * Part of {@link ChannelState}: single-threaded like it, and written in its serialized form.
 */
final class IdempotencyWindow {

    /** Where a msgId was first sequenced, and when it was seen. */
    record Seen(long epoch, long seq, long seenAtMs) {
        Serial serial() {
            return Serial.of(epoch, seq);
        }
    }

    private record Key(String clientId, String msgId) {
    }

    private final LinkedHashMap<Key, Seen> seen = new LinkedHashMap<>();

    /** The first sequencing of {@code msgId} by {@code clientId} within the window; null when there is none. */
    Seen lookup(String clientId, String msgId) {
        return seen.get(new Key(clientId, msgId));
    }

    void record(String clientId, String msgId, Serial serial, long seenAtMs) {
        seen.put(new Key(clientId, msgId), new Seen(serial.epoch(), serial.seq(), seenAtMs));
    }

    /** Forgets the keys of {@code epoch}'s messages after {@code end} (they were dropped from the channel). */
    void forgetBeyond(long epoch, long end) {
        seen.values().removeIf(s -> s.epoch == epoch && s.seq > end);
    }

    /** Forgets every key seen before {@code oldestKeptMs}. */
    void expireBefore(long oldestKeptMs) {
        for (Iterator<Seen> it = seen.values().iterator(); it.hasNext(); ) {
            if (it.next().seenAtMs >= oldestKeptMs) {
                break;
            }
            it.remove();
        }
    }

    int size() {
        return seen.size();
    }

    void writeTo(DataOutput out) throws IOException {
        out.writeInt(seen.size());
        for (Map.Entry<Key, Seen> e : seen.entrySet()) {
            ChannelMessageCodec.writeNullable(out, e.getKey().clientId());
            out.writeUTF(e.getKey().msgId());
            out.writeLong(e.getValue().epoch);
            out.writeLong(e.getValue().seq);
            out.writeLong(e.getValue().seenAtMs);
        }
    }

    void readFrom(DataInput in) throws IOException {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            Key key = new Key(ChannelMessageCodec.readNullable(in), in.readUTF());
            long epoch = in.readLong();
            long seq = in.readLong();
            seen.put(key, new Seen(epoch, seq, in.readLong()));
        }
    }
}
