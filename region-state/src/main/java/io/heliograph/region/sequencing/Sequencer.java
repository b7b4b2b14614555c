package io.heliograph.region.sequencing;

import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.AppendResult;
import io.heliograph.region.channel.ChannelLog;
import io.heliograph.region.channel.PublishRequest;

/**
 * Assigns a publish its serial: in this region's channel log when this region is the channel's home (fenced by the
 * home's epoch, so a region that lost the home cannot sequence), else at the home through the {@link Forwarder}.
 * Every publish goes through here; nothing else calls {@link ChannelLog#append}.
 */
public final class Sequencer {

    private final String localRegion;
    private final HomeTable homes;
    private final ChannelLog log;
    private final Forwarder forwarder;
    private final Takeover takeover;
    private final Runnable onFenced;
    private final SequencingGate gate;

    /** A region on its own (or in tests): nothing to take over before sequencing. */
    public Sequencer(String localRegion, HomeTable homes, ChannelLog log, Forwarder forwarder, Runnable onFenced) {
        this(localRegion, homes, log, forwarder, Takeover.NONE, onFenced);
    }

    /**
     * @param takeover how this region takes a channel over before its first serial in an epoch
     * @param onFenced told of every fenced append (the edge counts them in its metrics)
     */
    public Sequencer(String localRegion, HomeTable homes, ChannelLog log, Forwarder forwarder, Takeover takeover,
                     Runnable onFenced) {
        this(localRegion, homes, log, forwarder, takeover, onFenced, SequencingGate.OPEN);
    }

    /** @param gate refuses local sequencing while this process cannot trust its mesh table (after a pause) */
    public Sequencer(String localRegion, HomeTable homes, ChannelLog log, Forwarder forwarder, Takeover takeover,
                     Runnable onFenced, SequencingGate gate) {
        this.gate = gate;
        this.localRegion = localRegion;
        this.homes = homes;
        this.log = log;
        this.forwarder = forwarder;
        this.takeover = takeover;
        this.onFenced = onFenced;
    }

    /**
     * Sequences {@code request} on {@code channel}, or answers the first serial of a duplicate msgId. A fenced append
     * (this region's table was stale: the home moved under a higher epoch) is answered 503, so the client retries
     * with the same msgId once the new table has arrived.
     */
    public AppendResult sequence(String channel, PublishRequest request) {
        return sequence(channel, request, false);
    }

    /**
     * @param heldUntilCommitted readers do not see the message until {@link ChannelLog#commit} (a global publish)
     */
    public AppendResult sequence(String channel, PublishRequest request, boolean heldUntilCommitted) {
        return sequenceAt(homes.homeOf(channel), channel, request, heldUntilCommitted);
    }

    /** The channel's home as this region knows it now; pass it to {@link #sequenceAt} to act on one reading. */
    public Home homeOf(String channel) {
        return homes.homeOf(channel);
    }

    public boolean isLocal(Home home) {
        return home.region().equals(localRegion);
    }

    /** Sequences at {@code home} (read once by the caller with {@link #homeOf}): here, or forwarded to it. */
    public AppendResult sequenceAt(Home home, String channel, PublishRequest request, boolean heldUntilCommitted) {
        if (!isLocal(home)) {
            return forwarder.forward(home, channel, request,
                    heldUntilCommitted ? io.heliograph.protocol.Durability.GLOBAL
                            : io.heliograph.protocol.Durability.REGION);
        }
        String refusal = gate.refusal();
        if (refusal != null) {
            throw new HeliographException(ErrorCode.UNAVAILABLE, refusal + "; retry");
        }
        boolean mesh = takeover.required();
        AppendResult result = log.append(channel, home.epoch(), request, heldUntilCommitted, mesh);
        if (result.unsettled()) {
            // This region's first serial of the channel in this epoch (or since it started from nothing): take the
            // channel over first. Concurrent publishes may each do it; it is idempotent.
            Serial end = takeover.takeOver(channel, home);
            if (!log.settle(channel, home.epoch(), end)) {
                throw new HeliographException(ErrorCode.UNAVAILABLE, "region " + localRegion + " could not take "
                        + channel + " over in epoch " + home.epoch() + " (a higher epoch is known, or what the other "
                        + "regions hold did not arrive); retry");
            }
            result = log.append(channel, home.epoch(), request, heldUntilCommitted, mesh);
            if (result.unsettled()) {
                throw new HeliographException(ErrorCode.UNAVAILABLE, "channel " + channel + " moved while region "
                        + localRegion + " took it over; retry");
            }
        }
        if (result.fenced()) {
            onFenced.run();
            throw new HeliographException(ErrorCode.UNAVAILABLE, "channel " + channel + " moved to epoch "
                    + result.knownEpoch() + " (this region had epoch " + home.epoch() + "); retry");
        }
        return result;
    }
}
