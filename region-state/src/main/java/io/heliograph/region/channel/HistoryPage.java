package io.heliograph.region.channel;

import java.util.List;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Utf8;

/** A page of history, oldest first; {@code more} when further messages follow the last one. */
public record HistoryPage(List<ChannelMessage> messages, boolean more) {

    /** Room for a message frame's envelope (type, channel, serial, timestamp, field names) around its strings. */
    static final int ENVELOPE_BYTES = 160;

    /** About the bytes a message takes in a frame: what page and queue bounds count. */
    public static long sizeOf(ChannelMessage m) {
        long bytes = ENVELOPE_BYTES + m.channel().length() + m.msgId().length() + Utf8.encodedLength(m.dataJson());
        if (m.name() != null) {
            bytes += Utf8.encodedLength(m.name());
        }
        if (m.clientId() != null) {
            bytes += m.clientId().length();
        }
        return bytes;
    }

    /** Bytes of every message of the page, as {@link #sizeOf} counts them. */
    public long bytes() {
        long total = 0;
        for (ChannelMessage m : messages) {
            total += sizeOf(m);
        }
        return total;
    }
}
