package io.heliograph.bridge.takeover;

import io.grpc.Status;
import io.heliograph.bridge.link.EnvelopeCodec;
import io.heliograph.bridge.v1.YieldAnswer;
import io.heliograph.bridge.v1.YieldRequest;
import io.heliograph.region.channel.ChannelLog;
import io.heliograph.region.channel.ChannelState;

/**
 * The yielding side of a takeover: a peer about to sequence a channel in a new epoch asks, and this region takes
 * nothing more of an older epoch past what it holds ({@link ChannelLog#yieldTo}, atomic on the channel's partition)
 * and answers that. Only a region may ask for itself: {@code new_home} must be the caller's certificate's region.
 */
public final class YieldArrivals {

    private static final System.Logger LOG = System.getLogger(YieldArrivals.class.getName());

    private final String region;
    private final java.util.Set<String> peers;
    private final ChannelLog log;
    private final TakeoverCounters counters;

    public YieldArrivals(String region, java.util.Set<String> peers, ChannelLog log, TakeoverCounters counters) {
        this.region = region;
        this.peers = java.util.Set.copyOf(peers);
        this.log = log;
        this.counters = counters;
    }

    /**
     * @param callerRegion the region of the caller's certificate (null without TLS: then the request's word is taken)
     * @throws io.grpc.StatusRuntimeException PERMISSION_DENIED or INVALID_ARGUMENT as documented in bridge.proto
     */
    public YieldAnswer yield(YieldRequest request, String callerRegion) {
        if (request.getChannel().isEmpty() || request.getNewEpoch() < 1 || request.getNewHome().isEmpty()) {
            counters.yieldsRefused.incrementAndGet();
            throw Status.INVALID_ARGUMENT.withDescription("Yield needs a channel, a new_epoch >= 1 and a new_home")
                    .asRuntimeException();
        }
        String asker = callerRegion != null ? callerRegion : request.getNewHome();
        if (!asker.equals(request.getNewHome()) || !peers.contains(asker)) {
            counters.yieldsRefused.incrementAndGet();
            throw Status.PERMISSION_DENIED.withDescription("region " + asker + " may not take " + request.getChannel()
                    + " over for " + request.getNewHome() + " (a region asks for itself, and must be a peer of "
                    + region + ")").asRuntimeException();
        }
        ChannelState.HeldTail tail = log.yieldTo(request.getChannel(), request.getNewEpoch());
        YieldAnswer.Builder answer = YieldAnswer.newBuilder().setAccepted(tail.accepted())
                .setKnownEpoch(tail.knownEpoch());
        if (tail.latest() != null) {
            answer.setLatest(EnvelopeCodec.toWire(tail.latest()));
        }
        if (tail.accepted()) {
            counters.yielded.incrementAndGet();
        } else {
            counters.yieldsRefused.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "region " + asker + " asked to take " + request.getChannel()
                    + " over in epoch " + request.getNewEpoch() + ", but " + region + " knows epoch "
                    + tail.knownEpoch() + ": its mesh table is stale; refused");
        }
        return answer.build();
    }
}
