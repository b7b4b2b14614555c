package io.heliograph.protocol;

import java.util.Objects;

/**
 * One sequenced message of a channel, as stored in history and as delivered. {@code dataJson} is the application's
 * payload kept as JSON text, so that it is parsed once at the edge and never re-encoded on the fan-out path.
 *
 * @param region    where the message was published
 * @param timestamp epoch milliseconds at sequencing
 */
public record ChannelMessage(String channel, Serial serial, String msgId, String name, String dataJson,
                             String clientId, String region, long timestamp) {

    public ChannelMessage {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(msgId, "msgId");
        Objects.requireNonNull(dataJson, "dataJson");
    }

    /** Approximate heap/wire size, used by history bounds and size limits. */
    public int approximateSize() {
        return 64 + channel.length() + msgId.length() + (name == null ? 0 : name.length()) + dataJson.length()
                + (clientId == null ? 0 : clientId.length());
    }
}
