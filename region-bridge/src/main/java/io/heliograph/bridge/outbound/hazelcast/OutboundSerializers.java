package io.heliograph.bridge.outbound.hazelcast;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.StreamSerializer;

import io.heliograph.bridge.outbound.OutboundEntry;
import io.heliograph.bridge.outbound.OutboundPage;
import io.heliograph.bridge.outbound.OutboundRecord;
import io.heliograph.bridge.outbound.OutboundState;
import io.heliograph.bridge.outbound.OutboundStatus;

/**
 * Compact binary forms of the outbound log's state (backups, migration) and of its answers. Type ids 72xx; region
 * state's are 71xx.
 */
final class OutboundSerializers {

    private OutboundSerializers() {
    }

    static void writeEntry(ObjectDataOutput out, OutboundEntry entry) throws IOException {
        out.writeByte(entry.kind().code());
        out.writeByteArray(entry.payload());
    }

    static OutboundEntry readEntry(ObjectDataInput in) throws IOException {
        return new OutboundEntry(OutboundEntry.Kind.ofCode(in.readByte()), in.readByteArray());
    }

    static final class StateSerializer implements StreamSerializer<OutboundState> {
        @Override
        public void write(ObjectDataOutput out, OutboundState state) throws IOException {
            state.writeTo(out);
        }

        @Override
        public OutboundState read(ObjectDataInput in) throws IOException {
            return OutboundState.readFrom(in);
        }

        @Override
        public int getTypeId() {
            return 7201;
        }
    }

    static final class PageSerializer implements StreamSerializer<OutboundPage> {
        @Override
        public void write(ObjectDataOutput out, OutboundPage page) throws IOException {
            out.writeLong(page.lastAppended());
            out.writeBoolean(page.continuityLost());
            out.writeInt(page.records().size());
            for (OutboundRecord record : page.records()) {
                out.writeLong(record.linkSeq());
                out.writeLong(record.appendedAtMs());
                writeEntry(out, record.entry());
            }
        }

        @Override
        public OutboundPage read(ObjectDataInput in) throws IOException {
            long lastAppended = in.readLong();
            boolean continuityLost = in.readBoolean();
            int count = in.readInt();
            List<OutboundRecord> records = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                records.add(new OutboundRecord(in.readLong(), in.readLong(), readEntry(in)));
            }
            return new OutboundPage(records, lastAppended, continuityLost);
        }

        @Override
        public int getTypeId() {
            return 7202;
        }
    }

    static final class StatusSerializer implements StreamSerializer<OutboundStatus> {
        @Override
        public void write(ObjectDataOutput out, OutboundStatus s) throws IOException {
            out.writeLong(s.lastAppended());
            out.writeLong(s.acknowledged());
            out.writeLong(s.oldestHeld());
            out.writeLong(s.heldEntries());
            out.writeLong(s.heldBytes());
            out.writeLong(s.droppedByCount());
            out.writeLong(s.droppedByBytes());
            out.writeLong(s.droppedByAge());
            out.writeLong(s.droppedThrough());
            out.writeLong(s.overflowSinceMs());
            out.writeLong(s.incarnation());
            out.writeLong(s.oldestHeldAtMs());
        }

        @Override
        public OutboundStatus read(ObjectDataInput in) throws IOException {
            return new OutboundStatus(in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
                    in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
                    in.readLong());
        }

        @Override
        public int getTypeId() {
            return 7203;
        }
    }
}
