package io.heliograph.region.channel;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Serial;

/**
 * Everything the region knows about one channel, and the rules that change it. Engine-free and single-threaded: the
 * owner (a Hazelcast partition thread, or a lock in memory) serialises calls. Deterministic given its inputs, so a
 * backup replica that replays the same call reaches the same state.
 */
public final class ChannelState {

    /** First epoch of a channel; later issues move sequencing under higher epochs. */
    public static final long FIRST_EPOCH = 1;

    private record SeenMsgId(long seq, long epoch, long seenAtMs) {
    }

    /**
     * An idempotency key: a msgId counts per publisher (the token's {@code sub}), so one client can never take, or
     * be answered with, another client's message by choosing the same msgId.
     */
    private record IdempotencyKey(String clientId, String msgId) {
    }

    private final String channel;
    private long epoch = FIRST_EPOCH;
    private long lastSeq;
    private long lastTimestampMs;
    private final ArrayDeque<ChannelMessage> history = new ArrayDeque<>();
    /** Serial of the newest message dropped from history; readers asking for anything older lost continuity. */
    private Serial trimmedThrough;
    private final LinkedHashMap<IdempotencyKey, SeenMsgId> seenMsgIds = new LinkedHashMap<>();
    private final Set<String> interestedNodes = new LinkedHashSet<>();

    public ChannelState(String channel) {
        this.channel = channel;
    }

    public String channel() {
        return channel;
    }

    /** Latest serial, null when the channel never had a message. */
    public Serial latest() {
        return lastSeq == 0 ? null : Serial.of(epoch, lastSeq);
    }

    public AppendResult append(PublishRequest request, HistoryLimits limits) {
        long nowMs = request.timestampMs();
        expire(nowMs, limits);
        IdempotencyKey key = new IdempotencyKey(request.clientId(), request.msgId());
        SeenMsgId seen = seenMsgIds.get(key);
        if (seen != null) {
            Serial first = Serial.of(seen.epoch, seen.seq);
            ChannelMessage original = find(first);
            boolean stored = original != null;
            if (original == null) {
                original = new ChannelMessage(channel, first, request.msgId(), request.name(), request.dataJson(),
                        request.clientId(), request.region(), seen.seenAtMs);
            }
            return new AppendResult(original, true, Set.copyOf(interestedNodes), stored);
        }
        lastSeq++;
        Serial serial = Serial.of(epoch, lastSeq);
        // Publishing nodes' clocks differ a little: timestamps never go backwards within a channel, so history is
        // ordered by time as well as by serial (age trimming relies on it).
        long timestamp = Math.max(nowMs, lastTimestampMs);
        lastTimestampMs = timestamp;
        ChannelMessage message = new ChannelMessage(channel, serial, request.msgId(), request.name(),
                request.dataJson(), request.clientId(), request.region(), timestamp);
        history.addLast(message);
        seenMsgIds.put(key, new SeenMsgId(lastSeq, epoch, nowMs));
        while (history.size() > limits.maxMessages()) {
            trimmedThrough = history.removeFirst().serial();
        }
        return new AppendResult(message, false, Set.copyOf(interestedNodes), true);
    }

    /**
     * Registers the node's interest and answers the latest serial. A {@code fromSerial} the channel cannot continue
     * from is continuity lost: history no longer reaches back to it, or the channel never reached it (its state was
     * lost and restarted, or the client holds a serial of another deployment). The catch-up itself is read in bounded
     * pages with {@link #history}, never in one piece.
     */
    public AttachResult attach(String nodeId, Serial fromSerial, long nowMs, HistoryLimits limits) {
        expire(nowMs, limits);
        interestedNodes.add(nodeId);
        if (fromSerial == null) {
            return new AttachResult(latest(), false);
        }
        return new AttachResult(latest(), !reachesBackTo(fromSerial) || beyondHead(fromSerial));
    }

    /** True when {@code serial} lies after everything this channel ever sequenced. */
    private boolean beyondHead(Serial serial) {
        Serial head = latest() != null ? latest() : Serial.of(epoch, 0);
        return serial.compareTo(head) > 0;
    }

    /** Forgets a node's interest (it detached its last subscriber, or left the region); true when it had any. */
    public boolean detach(String nodeId) {
        return interestedNodes.remove(nodeId);
    }

    public Set<String> interestedNodes() {
        return Set.copyOf(interestedNodes);
    }

    /**
     * A copy of this state (the side that won a split-brain merge) that also carries the other side's interest. During
     * a split each side forgets the other side's nodes, so the winner's interest alone would leave the losing side's
     * subscribers without messages. Nodes listed that have meanwhile left are removed by the coordinator's clean-up;
     * one that merely detached meanwhile costs a fan-out it drops.
     */
    public ChannelState withInterestOf(ChannelState other) {
        ChannelState copy = copy();
        copy.interestedNodes.addAll(other.interestedNodes);
        return copy;
    }

    private ChannelState copy() {
        try {
            var bytes = new java.io.ByteArrayOutputStream();
            writeTo(new java.io.DataOutputStream(bytes));
            return readFrom(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The interested nodes that are not in {@code live}: leftovers of nodes that left the region. */
    public Set<String> interestedNodesOtherThan(Set<String> live) {
        Set<String> out = new LinkedHashSet<>();
        for (String node : interestedNodes) {
            if (!live.contains(node)) {
                out.add(node);
            }
        }
        return out;
    }

    /**
     * Read-only: aged messages are skipped here and removed at the next change. A page holds at most {@code limit}
     * messages and, past its first message, at most {@code maxBytes} of message payload (data, name and ids, as
     * UTF-8); {@code more} says that further messages follow.
     */
    public HistoryPage history(Serial fromSerial, int limit, long maxBytes, long nowMs, HistoryLimits limits) {
        List<ChannelMessage> page = after(fromSerial, limit + 1, nowMs, limits);
        int count = 0;
        long bytes = 0;
        for (ChannelMessage m : page) {
            bytes += HistoryPage.sizeOf(m);
            if (count == limit || (count > 0 && bytes > maxBytes)) {
                break;
            }
            count++;
        }
        boolean more = count < page.size();
        return new HistoryPage(more ? List.copyOf(page.subList(0, count)) : page, more);
    }

    private boolean reachesBackTo(Serial fromSerial) {
        return trimmedThrough == null || fromSerial.compareTo(trimmedThrough) >= 0;
    }

    private List<ChannelMessage> after(Serial fromSerial, int limit, long nowMs, HistoryLimits limits) {
        long oldestKeptMs = nowMs - limits.maxAgeMs();
        List<ChannelMessage> out = new ArrayList<>();
        // Walk from the newest backwards only as far as needed: resumes usually ask for the last few messages.
        Iterator<ChannelMessage> it = history.descendingIterator();
        int start = history.size();
        while (it.hasNext()) {
            ChannelMessage m = it.next();
            if (fromSerial != null && m.serial().compareTo(fromSerial) <= 0) {
                break;
            }
            if (m.timestamp() < oldestKeptMs) {
                break;
            }
            start--;
        }
        int index = 0;
        for (ChannelMessage m : history) {
            if (index++ < start) {
                continue;
            }
            if (out.size() >= limit) {
                break;
            }
            out.add(m);
        }
        return List.copyOf(out);
    }

    private ChannelMessage find(Serial serial) {
        for (Iterator<ChannelMessage> it = history.descendingIterator(); it.hasNext(); ) {
            ChannelMessage m = it.next();
            int cmp = m.serial().compareTo(serial);
            if (cmp == 0) {
                return m;
            }
            if (cmp < 0) {
                return null;
            }
        }
        return null;
    }

    private void expire(long nowMs, HistoryLimits limits) {
        long oldestKeptMs = nowMs - limits.maxAgeMs();
        while (!history.isEmpty() && history.peekFirst().timestamp() < oldestKeptMs) {
            trimmedThrough = history.removeFirst().serial();
        }
        long oldestSeenMs = nowMs - limits.dedupWindowMs();
        for (Iterator<SeenMsgId> it = seenMsgIds.values().iterator(); it.hasNext(); ) {
            if (it.next().seenAtMs >= oldestSeenMs) {
                break;
            }
            it.remove();
        }
    }

    /**
     * Removes aged history and idempotency keys now rather than at the next change; answers whether anything went.
     * The sequence itself is kept: a channel never restarts its serials.
     */
    public boolean expireNow(long nowMs, HistoryLimits limits) {
        int messages = history.size();
        int keys = seenMsgIds.size();
        expire(nowMs, limits);
        return history.size() != messages || seenMsgIds.size() != keys;
    }

    // ---- serialization (used by engines to move and back up the state) ----

    public void writeTo(DataOutput out) throws IOException {
        out.writeUTF(channel);
        out.writeLong(epoch);
        out.writeLong(lastSeq);
        out.writeLong(lastTimestampMs);
        out.writeBoolean(trimmedThrough != null);
        if (trimmedThrough != null) {
            out.writeLong(trimmedThrough.epoch());
            out.writeLong(trimmedThrough.seq());
        }
        out.writeInt(history.size());
        for (ChannelMessage m : history) {
            writeMessage(out, m);
        }
        out.writeInt(seenMsgIds.size());
        for (Map.Entry<IdempotencyKey, SeenMsgId> e : seenMsgIds.entrySet()) {
            writeNullable(out, e.getKey().clientId());
            out.writeUTF(e.getKey().msgId());
            out.writeLong(e.getValue().epoch);
            out.writeLong(e.getValue().seq);
            out.writeLong(e.getValue().seenAtMs);
        }
        out.writeInt(interestedNodes.size());
        for (String node : interestedNodes) {
            out.writeUTF(node);
        }
    }

    public static ChannelState readFrom(DataInput in) throws IOException {
        ChannelState s = new ChannelState(in.readUTF());
        s.epoch = in.readLong();
        s.lastSeq = in.readLong();
        s.lastTimestampMs = in.readLong();
        if (in.readBoolean()) {
            s.trimmedThrough = Serial.of(in.readLong(), in.readLong());
        }
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            s.history.addLast(readMessage(in));
        }
        n = in.readInt();
        for (int i = 0; i < n; i++) {
            IdempotencyKey key = new IdempotencyKey(readNullable(in), in.readUTF());
            long e = in.readLong();
            long q = in.readLong();
            s.seenMsgIds.put(key, new SeenMsgId(q, e, in.readLong()));
        }
        n = in.readInt();
        for (int i = 0; i < n; i++) {
            s.interestedNodes.add(in.readUTF());
        }
        return s;
    }

    public static void writeMessage(DataOutput out, ChannelMessage m) throws IOException {
        out.writeUTF(m.channel());
        out.writeLong(m.serial().epoch());
        out.writeLong(m.serial().seq());
        out.writeUTF(m.msgId());
        writeNullable(out, m.name());
        writeLongString(out, m.dataJson());
        writeNullable(out, m.clientId());
        writeNullable(out, m.region());
        out.writeLong(m.timestamp());
    }

    public static ChannelMessage readMessage(DataInput in) throws IOException {
        String channel = in.readUTF();
        Serial serial = Serial.of(in.readLong(), in.readLong());
        String msgId = in.readUTF();
        String name = readNullable(in);
        String data = readLongString(in);
        String clientId = readNullable(in);
        String region = readNullable(in);
        return new ChannelMessage(channel, serial, msgId, name, data, clientId, region, in.readLong());
    }

    private static void writeNullable(DataOutput out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readNullable(DataInput in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    /** writeUTF is limited to 64 KiB of modified UTF-8; payloads may be larger. */
    private static void writeLongString(DataOutput out, String s) throws IOException {
        byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readLongString(DataInput in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }
}
