package io.heliograph.region.sequencing;

import io.heliograph.protocol.Durability;
import io.heliograph.region.channel.AppendResult;
import io.heliograph.region.channel.PublishRequest;

/**
 * Sends a publish to the channel's home in another region and answers what the home answered (the region bridge).
 * Blocking, bounded by the implementation's deadline; throws {@link io.heliograph.protocol.HeliographException} with
 * 503 when the home cannot be reached, so the client retries with the same msgId.
 */
@FunctionalInterface
public interface Forwarder {

    /** @param durability as the publisher asked: the home answers once the message is that durable */
    AppendResult forward(Home home, String channel, PublishRequest request, Durability durability);

    /** For a region without bridges: a channel homed elsewhere cannot be published to from here. */
    Forwarder NONE = (home, channel, request, durability) -> {
        throw new io.heliograph.protocol.HeliographException(io.heliograph.protocol.ErrorCode.UNAVAILABLE,
                "channel " + channel + " is sequenced in region " + home.region()
                        + ", which this region has no bridge to");
    };
}
