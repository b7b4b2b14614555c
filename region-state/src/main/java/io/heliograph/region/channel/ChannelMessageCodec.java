package io.heliograph.region.channel;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Serial;

/**
 * The stored form of a {@link ChannelMessage}: in a channel's state, in the answers and processors that carry
 * messages between members. Payloads of any size (not limited to {@code writeUTF}'s 64 KiB).
 */
public final class ChannelMessageCodec {

    private ChannelMessageCodec() {
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

    static void writeNullable(DataOutput out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    static String readNullable(DataInput in) throws IOException {
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
