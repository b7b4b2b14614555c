package io.heliograph.region.sequencing;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.ChannelLog;
import io.heliograph.region.channel.ReplicateResult;
import io.heliograph.region.channel.ReplicatedMessage;
import io.heliograph.region.fabric.FanOut;

/**
 * The inbound side of a message sequenced in another region: stored in this region's log in order, then sent to this
 * region's subscribers through the same {@link FanOut} as a local publish. What to do with a gap (fetch from the
 * origin's history) or a fenced message (count it) is the caller's, which sees the outcome.
 */
public final class Replication {

    private final ChannelLog log;
    private final FanOut fanOut;

    public Replication(ChannelLog log, FanOut fanOut) {
        this.log = log;
        this.fanOut = fanOut;
    }

    /**
     * @param previous the serial before {@code message} in the channel's order, as its home sent it
     */
    public ReplicateResult replicate(String channel, ChannelMessage message, Serial previous) {
        if (!channel.equals(message.channel())) {
            throw new IllegalArgumentException("message of channel " + message.channel() + " replicated to " + channel);
        }
        return sendOn(message, log.replicate(channel, message, previous));
    }

    /**
     * Stores a run of one channel's messages in one call ({@link ChannelLog#replicateAll}) and sends each applied one
     * on, in order. One result per message, as {@link #replicate} would answer each in turn.
     */
    public java.util.List<ReplicateResult> replicateAll(String channel,
                                                        java.util.List<ReplicatedMessage> messages) {
        ReplicatedMessage.requireChannel(channel, messages);
        java.util.List<ReplicateResult> results = log.replicateAll(channel, messages);
        if (results.size() != messages.size()) {
            throw new IllegalStateException("replicateAll answered " + results.size() + " results for "
                    + messages.size() + " messages of " + channel);
        }
        for (int i = 0; i < results.size(); i++) {
            sendOn(messages.get(i).message(), results.get(i));
        }
        return results;
    }

    /**
     * A message whose predecessors this region lacks and cannot get any more: the channel continues from it here,
     * continuity lost before it (subscribers behind it are told so by their stream's repair, and resume).
     */
    public ReplicateResult restartFrom(String channel, ChannelMessage message, Serial previous) {
        if (!channel.equals(message.channel())) {
            throw new IllegalArgumentException("message of channel " + message.channel() + " replicated to " + channel);
        }
        return sendOn(message, log.replicateRestarting(channel, message, previous));
    }

    private ReplicateResult sendOn(ChannelMessage message, ReplicateResult result) {
        if (result.outcome() == ReplicateResult.Outcome.APPLIED) {
            fanOut.send(result.interestedNodes(), message);
        }
        return result;
    }
}
