package io.heliograph.bridge.outbound.hazelcast;

import java.io.IOException;
import java.util.Map;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import io.heliograph.bridge.outbound.OutboundEntry;
import io.heliograph.bridge.outbound.OutboundLimits;
import io.heliograph.bridge.outbound.OutboundPage;
import io.heliograph.bridge.outbound.OutboundState;
import io.heliograph.bridge.outbound.OutboundStatus;

/**
 * The entry processors of {@link HazelcastOutboundLog}, one per change of {@link OutboundState}. Each runs on the
 * partition thread that owns the peer's entry, and a change is replayed as is on the synchronous backup: the clock and
 * the limits travel inside the processor, never read on the partition thread. None throws on the partition thread:
 * what a caller got wrong is checked by the caller before the call, or answered in the result.
 */
final class OutboundProcessors {

    private OutboundProcessors() {
    }

    static OutboundState stateOf(Map.Entry<String, OutboundState> entry) {
        OutboundState state = entry.getValue();
        return state != null ? state : new OutboundState();
    }

    static void writeLimits(ObjectDataOutput out, OutboundLimits limits) throws IOException {
        out.writeInt(limits.maxEntries());
        out.writeLong(limits.maxBytes());
        out.writeLong(limits.maxAgeMs());
    }

    static OutboundLimits readLimits(ObjectDataInput in) throws IOException {
        return new OutboundLimits(in.readInt(), in.readLong(), in.readLong());
    }

    /** Assigns the next link_seq and holds the entry; answers the link_seq. */
    /** Fixes a new log's incarnation before anything is appended (see {@link OutboundState#begin}). */
    public static final class Begin implements EntryProcessor<String, OutboundState, Long>, DataSerializable {
        private long incarnationIfNew;

        public Begin() {
        }

        Begin(long incarnationIfNew) {
            this.incarnationIfNew = incarnationIfNew;
        }

        @Override
        public Long process(Map.Entry<String, OutboundState> e) {
            OutboundState state = stateOf(e);
            if (state.begin(incarnationIfNew)) {
                e.setValue(state);
            }
            return state.status().incarnation();
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeLong(incarnationIfNew);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            incarnationIfNew = in.readLong();
        }
    }

    public static final class Append implements EntryProcessor<String, OutboundState, Long>, DataSerializable {
        private OutboundEntry entry;
        private long nowMs;
        private OutboundLimits limits;
        /** Carried, not drawn where it runs: the backup replays this processor and must pick the same one. */
        private long incarnationIfNew;

        public Append() {
        }

        Append(OutboundEntry entry, long nowMs, OutboundLimits limits, long incarnationIfNew) {
            this.entry = entry;
            this.nowMs = nowMs;
            this.limits = limits;
            this.incarnationIfNew = incarnationIfNew;
        }

        @Override
        public Long process(Map.Entry<String, OutboundState> e) {
            OutboundState state = stateOf(e);
            long linkSeq = state.append(entry, nowMs, limits, incarnationIfNew);
            e.setValue(state);
            return linkSeq;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            OutboundSerializers.writeEntry(out, entry);
            out.writeLong(nowMs);
            writeLimits(out, limits);
            out.writeLong(incarnationIfNew);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            entry = OutboundSerializers.readEntry(in);
            nowMs = in.readLong();
            limits = readLimits(in);
            incarnationIfNew = in.readLong();
        }
    }

    /**
     * Reads a page. Deliberately not {@link ReadOnly}: it marks the entry changed (without changing it) so that
     * Hazelcast sends a no-op backup and answers only once the backup confirmed it. Backups of a partition are applied
     * in order, so by then the backup holds every entry on the page; a page never carries an entry whose backup was
     * still on its way, which could reach the peer and then vanish with a crashed owner, its link_seq assigned again
     * to another entry that the peer's acknowledgement would skip.
     */
    public static final class Read implements EntryProcessor<String, OutboundState, OutboundPage>, DataSerializable {
        private long afterLinkSeq;
        private int maxEntries;
        private long maxBytes;

        public Read() {
        }

        Read(long afterLinkSeq, int maxEntries, long maxBytes) {
            this.afterLinkSeq = afterLinkSeq;
            this.maxEntries = maxEntries;
            this.maxBytes = maxBytes;
        }

        @Override
        public OutboundPage process(Map.Entry<String, OutboundState> e) {
            OutboundState state = e.getValue();
            if (state == null) {
                return new OutboundPage(java.util.List.of(), 0, false);
            }
            e.setValue(state);
            return state.readAfter(afterLinkSeq, maxEntries, maxBytes);
        }

        @Override
        public EntryProcessor<String, OutboundState, OutboundPage> getBackupProcessor() {
            return new BackupBarrier();
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeLong(afterLinkSeq);
            out.writeInt(maxEntries);
            out.writeLong(maxBytes);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            afterLinkSeq = in.readLong();
            maxEntries = in.readInt();
            maxBytes = in.readLong();
        }
    }

    /** What a {@link Read} runs on the backup: nothing; its confirmation is what the read waits for. */
    public static final class BackupBarrier
            implements EntryProcessor<String, OutboundState, OutboundPage>, DataSerializable {

        public BackupBarrier() {
        }

        @Override
        public OutboundPage process(Map.Entry<String, OutboundState> e) {
            return null;
        }

        @Override
        public void writeData(ObjectDataOutput out) {
        }

        @Override
        public void readData(ObjectDataInput in) {
        }
    }

    /**
     * The peer's cumulative acknowledgement; trims and answers the status. An acknowledgement beyond the last
     * link_seq changes nothing here: the caller sees it in the status and refuses it.
     */
    public static final class Acknowledge
            implements EntryProcessor<String, OutboundState, OutboundStatus>, DataSerializable {
        private long linkSeq;
        private long nowMs;
        private OutboundLimits limits;

        public Acknowledge() {
        }

        Acknowledge(long linkSeq, long nowMs, OutboundLimits limits) {
            this.linkSeq = linkSeq;
            this.nowMs = nowMs;
            this.limits = limits;
        }

        @Override
        public OutboundStatus process(Map.Entry<String, OutboundState> e) {
            OutboundState state = e.getValue();
            if (state == null || linkSeq > state.lastAppended()) {
                return state == null ? OutboundStatus.EMPTY : state.status();
            }
            OutboundStatus status = state.acknowledge(linkSeq, nowMs, limits);
            e.setValue(state);
            return status;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeLong(linkSeq);
            out.writeLong(nowMs);
            writeLimits(out, limits);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            linkSeq = in.readLong();
            nowMs = in.readLong();
            limits = readLimits(in);
        }
    }

    /** Drops aged entries; writes back (and backs up) only when something aged out. */
    public static final class TrimExpired
            implements EntryProcessor<String, OutboundState, OutboundStatus>, DataSerializable {
        private long nowMs;
        private OutboundLimits limits;

        public TrimExpired() {
        }

        TrimExpired(long nowMs, OutboundLimits limits) {
            this.nowMs = nowMs;
            this.limits = limits;
        }

        @Override
        public OutboundStatus process(Map.Entry<String, OutboundState> e) {
            OutboundState state = e.getValue();
            if (state == null) {
                return OutboundStatus.EMPTY;
            }
            if (!state.hasExpired(nowMs, limits)) {
                return state.status();
            }
            OutboundStatus status = state.trimExpired(nowMs, limits);
            e.setValue(state);
            return status;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeLong(nowMs);
            writeLimits(out, limits);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            nowMs = in.readLong();
            limits = readLimits(in);
        }
    }

    /** The status, without changing anything (no backup traffic). */
    public static final class Status
            implements EntryProcessor<String, OutboundState, OutboundStatus>, ReadOnly, DataSerializable {

        public Status() {
        }

        @Override
        public OutboundStatus process(Map.Entry<String, OutboundState> e) {
            OutboundState state = e.getValue();
            return state == null ? OutboundStatus.EMPTY : state.status();
        }

        @Override
        public EntryProcessor<String, OutboundState, OutboundStatus> getBackupProcessor() {
            return null;
        }

        @Override
        public void writeData(ObjectDataOutput out) {
        }

        @Override
        public void readData(ObjectDataInput in) {
        }
    }
}
