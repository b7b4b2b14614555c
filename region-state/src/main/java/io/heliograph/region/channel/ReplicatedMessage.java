package io.heliograph.region.channel;

import java.util.Objects;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Serial;

/**
 * A message sequenced by its channel's home in another region, as it arrives here: the message and the serial before
 * it in the channel's order ({@code previous}; null for the channel's first message). What
 * {@link ChannelLog#replicateAll} takes, in order.
 */
public record ReplicatedMessage(ChannelMessage message, Serial previous) {

    public ReplicatedMessage {
        Objects.requireNonNull(message, "message");
    }

    /** @throws IllegalArgumentException when a message of {@code messages} is not of {@code channel} */
    public static void requireChannel(String channel, java.util.List<ReplicatedMessage> messages) {
        for (ReplicatedMessage m : messages) {
            if (!channel.equals(m.message().channel())) {
                throw new IllegalArgumentException("message of channel " + m.message().channel() + " replicated to "
                        + channel);
            }
        }
    }
}
