package io.heliograph.region.forwarding;

import java.io.Serial;
import java.io.Serializable;
import java.util.Objects;

import io.heliograph.protocol.Durability;
import io.heliograph.region.channel.PublishRequest;
import io.heliograph.region.sequencing.Home;

/**
 * A publish accepted in one region for a channel homed in another, on its way to the home: the request exactly as the
 * accepting region built it (its msgId, publisher and timestamp), the durability the publisher asked for, and the
 * home as the accepting region knew it. It crosses two Hazelcast hops (edge to bridge, bridge to the home's edge) as
 * an executor task's argument, hence {@link Serializable}; between the bridges it is protobuf.
 *
 * @param originRegion where it was accepted (the message's {@code region})
 * @param budgetMs     how long the accepting region waits for the answer from when it sent it; each hop waits less
 */
public record ForwardedPublish(String channel, String msgId, String name, String dataJson, String clientId,
                               String originRegion, long timestampMs, Durability durability, String homeRegion,
                               long homeEpoch, long budgetMs) implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    public ForwardedPublish {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(msgId, "msgId");
        Objects.requireNonNull(dataJson, "dataJson");
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(homeRegion, "homeRegion");
    }

    public static ForwardedPublish of(Home home, String channel, PublishRequest request, Durability durability,
                                      long budgetMs) {
        return new ForwardedPublish(channel, request.msgId(), request.name(), request.dataJson(), request.clientId(),
                request.region(), request.timestampMs(), durability, home.region(), home.epoch(), budgetMs);
    }

    /** The request to sequence at the home: the same fields, so a retry through any region is the same publish. */
    public PublishRequest request() {
        return new PublishRequest(msgId, name, dataJson, clientId, originRegion, timestampMs);
    }

    /** The same publish with less time left (what the next hop may wait). */
    public ForwardedPublish withBudget(long budget) {
        return new ForwardedPublish(channel, msgId, name, dataJson, clientId, originRegion, timestampMs, durability,
                homeRegion, homeEpoch, budget);
    }
}
