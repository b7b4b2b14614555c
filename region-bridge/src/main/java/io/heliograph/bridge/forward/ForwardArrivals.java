package io.heliograph.bridge.forward;

import java.util.Set;
import java.util.function.Function;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.heliograph.bridge.v1.PublishResult;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.region.forwarding.ForwardOutcome;
import io.heliograph.region.forwarding.ForwardedPublish;

/**
 * The home's side of {@code Publish}: a peer region's forwarded publish, checked (the caller's certificate must name
 * the region it claims to forward for, a configured peer; the fields must be well-formed, else 400), handed to this
 * region's edge nodes within the caller's deadline, and answered. Any replica serves it: sequencing is the edge
 * nodes' work, so it needs no lease.
 */
public final class ForwardArrivals {

    private static final System.Logger LOG = System.getLogger(ForwardArrivals.class.getName());
    /** The most a forwarded publish may wait here when the caller set no deadline (every caller should). */
    static final long DEFAULT_BUDGET_MS = 10_000;

    private final String region;
    private final Set<String> peers;
    private final Function<ForwardedPublish, ForwardOutcome> home;
    private final ForwardCounters counters;

    /** @param home sequences at this region's edge nodes (HazelcastForwarding.atHome) */
    public ForwardArrivals(String region, Set<String> peers, Function<ForwardedPublish, ForwardOutcome> home,
                           ForwardCounters counters) {
        this.region = region;
        this.peers = Set.copyOf(peers);
        this.home = home;
        this.counters = counters;
    }

    /**
     * @param callerRegion the region named by the caller's certificate; null without TLS ({@code insecure})
     * @throws io.grpc.StatusRuntimeException PERMISSION_DENIED when the caller forwards for a region not its own
     */
    public PublishResult publish(io.heliograph.bridge.v1.ForwardedPublish request, String callerRegion) {
        long started = System.nanoTime();
        String origin = request.getOriginRegion();
        if ((callerRegion != null && !callerRegion.equals(origin)) || !peers.contains(origin)) {
            LOG.log(System.Logger.Level.WARNING, "refused a forwarded publish from " + callerRegion + " for region '"
                    + origin + "' (peers: " + peers + ")");
            counters.record(callerRegion == null ? "unknown" : callerRegion, ForwardCounters.Direction.IN,
                    ForwardCounters.Outcome.REFUSED, 0);
            throw Status.PERMISSION_DENIED.withDescription("a forwarded publish for region '" + origin + "' from "
                    + (callerRegion == null ? "a caller" : "region " + callerRegion) + ": only a configured peer "
                    + "forwards, for itself").asRuntimeException();
        }
        Deadline deadline = Context.current().getDeadline();
        long budgetMs = deadline == null ? DEFAULT_BUDGET_MS
                : Math.max(1, deadline.timeRemaining(java.util.concurrent.TimeUnit.MILLISECONDS));
        ForwardOutcome outcome;
        try {
            outcome = home.apply(ForwardCodec.fromWire(request, region, budgetMs));
        } catch (IllegalArgumentException e) {
            outcome = ForwardOutcome.refused(ErrorCode.BAD_REQUEST, "forwarded publish: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a forwarded publish from " + origin + " on "
                    + request.getChannel() + " failed: " + e);
            outcome = ForwardOutcome.refused(ErrorCode.UNAVAILABLE, "region " + region
                    + " could not sequence the publish now; retry with the same msgId");
        }
        counters.record(origin, ForwardCounters.Direction.IN, ForwardCounters.outcomeOf(outcome),
                System.nanoTime() - started);
        return ForwardCodec.toWire(outcome, request.getRequestId());
    }
}
