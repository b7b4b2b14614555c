package io.heliograph.region.channel;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
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

    /** Version of {@link #writeTo}'s form: a node refuses a state written in a form it does not know. */
    static final int FORMAT = 4;

    private final String channel;
    /** The epoch of the newest message (or the first epoch while there is none). */
    private long epoch = FIRST_EPOCH;
    /** The highest epoch this region knows of for the channel: nothing of a lower one is sequenced or taken past its end. */
    private long knownEpoch = FIRST_EPOCH;
    /**
     * The epoch in which this region has taken the channel over as its home (0: never): before its first serial of an
     * epoch, a home of a mesh must hold every message of the channel that a surviving region holds (a region restarted
     * from nothing would otherwise start again at 1:1, and a new home could skip what only a third region holds).
     */
    private long settledEpoch;
    /** Where each ended epoch ended (history records it, so a resume across it is complete). */
    private final EpochEnds epochEnds = new EpochEnds();
    /**
     * Seqs of the current epoch sequenced but not yet committed (a global publish that no other region holds yet).
     * Readers see the channel only up to the first of them: nobody receives a message a failure could still take out
     * of the channel's order (invariant 3), and what they see stays one contiguous prefix.
     */
    private final java.util.TreeSet<Long> pending = new java.util.TreeSet<>();
    private long lastSeq;
    private long lastTimestampMs;
    private final ArrayDeque<ChannelMessage> history = new ArrayDeque<>();
    /** Serial of the newest message dropped from history; readers asking for anything older lost continuity. */
    private Serial trimmedThrough;
    private final IdempotencyWindow seenMsgIds = new IdempotencyWindow();
    private final Set<String> interestedNodes = new LinkedHashSet<>();

    public ChannelState(String channel) {
        this.channel = channel;
    }

    public String channel() {
        return channel;
    }

    /** Latest serial, null when the channel never had a message. */
    public Serial latest() {
        if (lastSeq > 0) {
            return Serial.of(epoch, lastSeq);
        }
        return epochEnds.lastEnded();
    }

    /**
     * The newest serial readers may see (history, attach, the sweeps): everything before the first message still
     * waiting to be committed. Equal to {@link #latest()} when nothing waits.
     */
    public Serial visibleLatest() {
        if (pending.isEmpty()) {
            return latest();
        }
        long visibleSeq = pending.first() - 1;
        if (visibleSeq > 0) {
            return Serial.of(epoch, visibleSeq);
        }
        return epochEnds.lastEnded();
    }

    /**
     * Another region holds everything up to {@code through} (it stores a channel's messages only in order): they are
     * committed, and readers see them. Answers whether anything became visible.
     */
    public boolean commit(Serial through) {
        if (through.epoch() != epoch || pending.isEmpty()) {
            return false;
        }
        var committed = pending.headSet(through.seq(), true);
        boolean any = !committed.isEmpty();
        committed.clear();
        return any;
    }

    /**
     * A global publish of this home was acknowledged by a peer: commits it and answers true, or answers false when it
     * is no longer in the channel's order (a takeover ended its epoch before it, which a peer told this home by fencing
     * it): then it must not be acked to its publisher, and nobody has seen it.
     */
    public boolean commitPublished(Serial serial) {
        if (serial.epoch() < knownEpoch && serial.seq() > endOf(serial.epoch())) {
            return false;
        }
        if (serial.epoch() == epoch && serial.seq() > lastSeq) {
            return false;
        }
        commit(serial);
        return true;
    }

    /** The highest epoch this region knows of for the channel. */
    public long knownEpoch() {
        return knownEpoch;
    }

    /** Where {@code epoch} ended, or -1 when it has not ended (or is too old to be remembered). */
    public long endOf(long epoch) {
        return epochEnds.endOf(epoch);
    }

    /**
     * Sequences a publish in {@code epoch}, the epoch under which the caller believes this region is the channel's
     * home. An epoch below the highest known is fenced: that home has moved, and nothing is sequenced (not even a
     * duplicate is answered: the old epoch's tail may never have been committed). A higher one starts that epoch here,
     * recording where the previous one ended.
     */
    public AppendResult append(long epoch, PublishRequest request, HistoryLimits limits) {
        return append(epoch, request, limits, false);
    }

    /**
     * @param heldUntilCommitted the message waits for {@link #commit} before readers see it (a global publish); else it
     *                           is committed now (region durability: stored with its backup is all it needs)
     */
    public AppendResult append(long epoch, PublishRequest request, HistoryLimits limits, boolean heldUntilCommitted) {
        return append(epoch, request, limits, heldUntilCommitted, false);
    }

    /**
     * @param requireSettled the region is one of a mesh: it sequences {@code epoch} only once {@link #settle} has
     *                       taken the channel over in it; until then the append is answered unsettled, storing nothing
     */
    public AppendResult append(long epoch, PublishRequest request, HistoryLimits limits, boolean heldUntilCommitted,
                               boolean requireSettled) {
        if (epoch < knownEpoch) {
            return AppendResult.fenced(knownEpoch);
        }
        if (requireSettled && epoch != settledEpoch) {
            return AppendResult.unsettled(latest(), knownEpoch);
        }
        long nowMs = request.timestampMs();
        expire(nowMs, limits);
        if (epoch > this.epoch) {
            startEpoch(epoch);
        }
        knownEpoch = epoch;
        IdempotencyWindow.Seen seen = seenMsgIds.lookup(request.clientId(), request.msgId());
        if (seen != null) {
            Serial first = seen.serial();
            ChannelMessage original = find(first);
            boolean stored = original != null;
            if (original == null) {
                original = new ChannelMessage(channel, first, request.msgId(), request.name(), request.dataJson(),
                        request.clientId(), request.region(), seen.seenAtMs());
            }
            boolean committed = seen.epoch() != this.epoch || !pending.contains(seen.seq());
            return AppendResult.duplicate(original, stored, Set.copyOf(interestedNodes), knownEpoch, committed);
        }
        Serial previous = latest();
        lastSeq++;
        Serial serial = Serial.of(epoch, lastSeq);
        // Publishing nodes' clocks differ a little: timestamps never go backwards within a channel, so history is
        // ordered by time as well as by serial (age trimming relies on it).
        long timestamp = Math.max(nowMs, lastTimestampMs);
        lastTimestampMs = timestamp;
        ChannelMessage message = new ChannelMessage(channel, serial, request.msgId(), request.name(),
                request.dataJson(), request.clientId(), request.region(), timestamp);
        history.addLast(message);
        seenMsgIds.record(request.clientId(), request.msgId(), serial, nowMs);
        if (heldUntilCommitted) {
            pending.add(lastSeq);
        }
        trim(limits);
        return AppendResult.sequenced(message, previous, Set.copyOf(interestedNodes), knownEpoch, !heldUntilCommitted);
    }

    /**
     * Takes a message sequenced by the channel's home in another region. It is applied only in order: when
     * {@code previous} (the serial before it in the channel's one order, from the home) is this region's latest, or
     * when it is the channel's first message (no previous) and this region holds nothing of it. A region holding
     * nothing yet that receives a later message reports a GAP too: its predecessors may still be on their way (the
     * home's log can swap neighbours), or are fetched from the home's history; {@link #restartFrom} starts the channel
     * mid-way when they cannot be. Anything
     * already held is a duplicate (this state only ever grows by the next message, so everything up to its latest is
     * held or was trimmed). A message of an epoch below the highest known, past that epoch's recorded end, was never
     * committed: it is fenced.
     */
    public ReplicateResult replicate(ChannelMessage message, Serial previous, HistoryLimits limits) {
        Serial serial = message.serial();
        Serial head = latest();
        ReplicateResult refused = heldOrFenced(serial, head);
        if (refused != null) {
            return refused;
        }
        if (previous != null && serial.epoch() > epoch && previous.epoch() == epoch && lastSeq > 0
                && previous.seq() != lastSeq) {
            // The first message of a later epoch says where its home's takeover ended this one.
            endEpochAt(previous.seq());
            head = latest();
        }
        boolean fresh = head == null && history.isEmpty() && trimmedThrough == null;
        boolean next = fresh ? previous == null : java.util.Objects.equals(previous, head);
        boolean sameEpochStep = serial.epoch() != epoch || serial.seq() == lastSeq + 1;
        if (!next || (!fresh && !sameEpochStep)) {
            return ReplicateResult.of(ReplicateResult.Outcome.GAP, head, Set.of());
        }
        expire(message.timestamp(), limits);
        if (fresh) {
            trimmedThrough = previous;
        }
        store(message);
        trim(limits);
        return ReplicateResult.of(ReplicateResult.Outcome.APPLIED, serial, Set.copyOf(interestedNodes));
    }

    /**
     * The home of a later epoch ended the current one at {@code end}, which a link said by sending the later epoch's
     * first message after it. Short of it, this region lacks the last of the epoch and may take it now (from that
     * home's history: it holds it); beyond it, this region holds what the takeover did not find (it was not asked, as
     * a region marked down), never committed, so it goes.
     */
    private void endEpochAt(long end) {
        if (end < lastSeq) {
            dropBeyond(end);
        }
        epochEnds.end(epoch, end);
        knownEpoch = Math.max(knownEpoch, epoch + 1);
    }

    /** {@link #replicate} for each message in turn; one result each, in the same order. */
    public java.util.List<ReplicateResult> replicateAll(java.util.List<ReplicatedMessage> messages,
                                                        HistoryLimits limits) {
        java.util.List<ReplicateResult> results = new java.util.ArrayList<>(messages.size());
        for (ReplicatedMessage m : messages) {
            results.add(replicate(m.message(), m.previous(), limits));
        }
        return results;
    }

    /** Already held, or of a left epoch past its end: what a replicated message must not be stored as; else null. */
    private ReplicateResult heldOrFenced(Serial serial, Serial head) {
        if (head != null && serial.compareTo(head) <= 0) {
            return ReplicateResult.of(ReplicateResult.Outcome.DUPLICATE, head, Set.of());
        }
        if (serial.epoch() < knownEpoch && serial.seq() > endOf(serial.epoch())) {
            long end = endOf(serial.epoch());
            return ReplicateResult.of(ReplicateResult.Outcome.FENCED, end > 0 ? Serial.of(serial.epoch(), end) : null,
                    Set.of());
        }
        return null;
    }

    /** Stores a replicated message as the channel's newest (its epoch started here if it is new). */
    private void store(ChannelMessage message) {
        Serial serial = message.serial();
        if (serial.epoch() > epoch) {
            startEpoch(serial.epoch());
        }
        knownEpoch = Math.max(knownEpoch, serial.epoch());
        lastSeq = serial.seq();
        lastTimestampMs = Math.max(lastTimestampMs, message.timestamp());
        history.addLast(message);
        seenMsgIds.record(message.clientId(), message.msgId(), serial, message.timestamp());
    }

    /**
     * Takes a replicated message whose predecessors this region lacks and can no longer get (the origin's history no
     * longer reaches back to them): the channel continues here from it, and its history reaches back no further. A
     * reader asking for anything before it gets continuity lost (410), never a silent hole; this region holds the
     * message, so acknowledging it to its origin is true. Anything already held is a duplicate, as in
     * {@link #replicate}.
     */
    public ReplicateResult restartFrom(ChannelMessage message, Serial previous, HistoryLimits limits) {
        Serial head = latest();
        ReplicateResult refused = heldOrFenced(message.serial(), head);
        if (refused != null) {
            return refused;
        }
        history.clear();
        pending.clear();
        trimmedThrough = previous != null ? previous : head;
        store(message);
        return ReplicateResult.of(ReplicateResult.Outcome.APPLIED, message.serial(), Set.copyOf(interestedNodes));
    }

    /**
     * The channel's home moved to {@code newEpoch}: from now on nothing of a lower epoch is sequenced here, and
     * nothing of the current one is taken past {@code endOfCurrent} (where the takeover ended it; null to leave it at
     * what this region holds). Answers false, changing nothing, when a higher epoch is already known.
     */
    public boolean fence(long newEpoch, Serial endOfCurrent) {
        if (newEpoch < knownEpoch) {
            return false;
        }
        if (newEpoch > knownEpoch && endOfCurrent != null && endOfCurrent.epoch() == epoch) {
            dropBeyond(endOfCurrent.seq());
            epochEnds.end(epoch, endOfCurrent.seq());
        }
        if (newEpoch > knownEpoch) {
            // The takeover decided where this epoch ends: what is left of it is in the channel's order.
            pending.clear();
        }
        knownEpoch = newEpoch;
        return true;
    }

    /**
     * This region takes the channel over as its home in {@code newEpoch}: the takeover found {@code end} to be the last
     * serial before it that any surviving region holds (null: none holds anything), and this region holds everything
     * up to it. The current epoch ends there (what lies beyond was never committed), and appends of
     * {@code newEpoch} are taken from now on. Answers false, changing nothing, when a higher epoch is known, or when
     * this region does not hold {@code end} (the takeover must fetch it first).
     */
    public boolean settle(long newEpoch, Serial end) {
        if (newEpoch < knownEpoch) {
            return false;
        }
        Serial head = latest();
        if (end == null ? head != null : head == null || head.compareTo(end) < 0) {
            return false;
        }
        if (end != null && end.epoch() < newEpoch) {
            fence(newEpoch, end);
        }
        // end in newEpoch itself: a home taking its own epoch back (restarted from nothing) continues after it.
        knownEpoch = Math.max(knownEpoch, newEpoch);
        settledEpoch = newEpoch;
        return true;
    }

    /**
     * Another region is taking the channel over as its home in {@code newEpoch}: from now on nothing of an older epoch
     * is taken past what this region holds now, and the serial it holds last is answered (null when nothing), for the
     * new home to fetch what it lacks. Unaccepted (null {@link HeldTail#accepted}) when this region knows a higher
     * epoch: the asker's table is stale.
     */
    public HeldTail yieldTo(long newEpoch) {
        if (newEpoch < knownEpoch) {
            return new HeldTail(false, latest(), knownEpoch);
        }
        if (newEpoch > knownEpoch) {
            fence(newEpoch, lastSeq > 0 ? Serial.of(epoch, lastSeq) : null);
        }
        if (settledEpoch != 0 && settledEpoch < newEpoch) {
            settledEpoch = 0;
        }
        return new HeldTail(true, latest(), knownEpoch);
    }

    /** The answer to {@link #yieldTo}: whether the new epoch was taken, and the last serial this region holds. */
    public record HeldTail(boolean accepted, Serial latest, long knownEpoch) {
    }

    /**
     * Forgets this epoch's messages after {@code end}: a home that was cut off sequenced them, but the takeover ended
     * the epoch before them, so they were never committed (and, delivered only once committed, never seen).
     */
    private void dropBeyond(long end) {
        if (lastSeq <= end) {
            return;
        }
        while (!history.isEmpty() && history.peekLast().serial().epoch() == epoch
                && history.peekLast().serial().seq() > end) {
            history.removeLast();
        }
        seenMsgIds.forgetBeyond(epoch, end);
        pending.removeIf(seq -> seq > end);
        lastSeq = end;
    }

    /** The serial before {@code serial} in the channel's order (across an epoch boundary too), null for the first. */
    public Serial previousOf(Serial serial) {
        if (serial.seq() > 1) {
            return Serial.of(serial.epoch(), serial.seq() - 1);
        }
        return epochEnds.endBefore(serial.epoch());
    }

    private void startEpoch(long newEpoch) {
        if (lastSeq > 0) {
            // A fence may have recorded the end already (and dropped what lay beyond it).
            epochEnds.endIfUnknown(epoch, lastSeq);
        }
        epoch = newEpoch;
        lastSeq = 0;
        pending.clear();
    }

    private void trim(HistoryLimits limits) {
        while (history.size() > limits.maxMessages()) {
            trimmedThrough = history.removeFirst().serial();
        }
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
            return new AttachResult(visibleLatest(), false);
        }
        return new AttachResult(visibleLatest(), !reachesBackTo(fromSerial) || beyondHead(fromSerial));
    }

    /**
     * True when {@code serial} is not in this channel's order: after everything it ever sequenced, or in an ended
     * epoch past that epoch's end (a message of a home that lost its place before committing it).
     */
    private boolean beyondHead(Serial serial) {
        Serial head = latest() != null ? latest() : Serial.of(epoch, 0);
        if (serial.compareTo(head) > 0) {
            return true;
        }
        long end = endOf(serial.epoch());
        return end >= 0 && serial.seq() > end;
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
        return page(fromSerial, limit, maxBytes, nowMs, limits, visibleLatest());
    }

    /**
     * Like {@link #history}, but with the messages still waiting to be committed: what a peer region's bridge reads
     * to fill a gap (its holding them is what commits them).
     */
    public HistoryPage sequencedHistory(Serial fromSerial, int limit, long maxBytes, long nowMs, HistoryLimits limits) {
        return page(fromSerial, limit, maxBytes, nowMs, limits, latest());
    }

    private HistoryPage page(Serial fromSerial, int limit, long maxBytes, long nowMs, HistoryLimits limits,
                             Serial upTo) {
        List<ChannelMessage> page = after(fromSerial, limit + 1, nowMs, limits, upTo);
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

    private List<ChannelMessage> after(Serial fromSerial, int limit, long nowMs, HistoryLimits limits, Serial upTo) {
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
            if (out.size() >= limit || upTo == null || m.serial().compareTo(upTo) > 0) {
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
        seenMsgIds.expireBefore(nowMs - limits.dedupWindowMs());
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
        out.writeInt(FORMAT);
        out.writeUTF(channel);
        out.writeLong(epoch);
        out.writeLong(knownEpoch);
        out.writeLong(settledEpoch);
        epochEnds.writeTo(out);
        out.writeLong(lastSeq);
        out.writeInt(pending.size());
        for (long seq : pending) {
            out.writeLong(seq);
        }
        out.writeLong(lastTimestampMs);
        out.writeBoolean(trimmedThrough != null);
        if (trimmedThrough != null) {
            out.writeLong(trimmedThrough.epoch());
            out.writeLong(trimmedThrough.seq());
        }
        out.writeInt(history.size());
        for (ChannelMessage m : history) {
            ChannelMessageCodec.writeMessage(out, m);
        }
        seenMsgIds.writeTo(out);
        out.writeInt(interestedNodes.size());
        for (String node : interestedNodes) {
            out.writeUTF(node);
        }
    }

    public static ChannelState readFrom(DataInput in) throws IOException {
        int format = in.readInt();
        if (format != FORMAT) {
            throw new IOException("channel state written in form " + format + "; this node reads form " + FORMAT
                    + " only (nodes of different versions cannot share a region)");
        }
        ChannelState s = new ChannelState(in.readUTF());
        s.epoch = in.readLong();
        s.knownEpoch = in.readLong();
        s.settledEpoch = in.readLong();
        s.epochEnds.readFrom(in);
        s.lastSeq = in.readLong();
        int waiting = in.readInt();
        for (int i = 0; i < waiting; i++) {
            s.pending.add(in.readLong());
        }
        s.lastTimestampMs = in.readLong();
        if (in.readBoolean()) {
            s.trimmedThrough = Serial.of(in.readLong(), in.readLong());
        }
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            s.history.addLast(ChannelMessageCodec.readMessage(in));
        }
        s.seenMsgIds.readFrom(in);
        n = in.readInt();
        for (int i = 0; i < n; i++) {
            s.interestedNodes.add(in.readUTF());
        }
        return s;
    }
}
