package io.heliograph.bridge.forward;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.heliograph.bridge.PeerChannel;
import io.heliograph.bridge.link.PeerReplicas;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.region.forwarding.ForwardOutcome;
import io.heliograph.region.forwarding.ForwardedPublish;
import io.heliograph.region.forwarding.HomeLink;

/**
 * The replica's {@link HomeLink}: a publish this region's edge nodes accepted for a channel homed in a peer region
 * goes to that peer's replicas with {@code Publish}, within what is left of its budget. A replica that cannot be
 * reached (UNAVAILABLE) is passed over for the next, as the link does; anything else, and running out of time, is
 * answered 503 so the publisher retries with its msgId (which keeps the first serial at the home).
 */
public final class HomeForwarding implements HomeLink {

    /** Kept back from the budget so that the answer, even a timeout, reaches the edge node before it gives up. */
    static final long MARGIN_MS = 100;

    private final String region;
    private final Map<String, PeerReplicas> peers;
    private final ForwardCounters counters;
    private final AtomicLong requestIds = new AtomicLong();

    public HomeForwarding(String region, Map<String, PeerReplicas> peers, ForwardCounters counters) {
        this.region = region;
        this.peers = Map.copyOf(peers);
        this.counters = counters;
    }

    @Override
    public ForwardOutcome forward(ForwardedPublish publish) {
        long started = System.nanoTime();
        String home = publish.homeRegion();
        PeerReplicas replicas = peers.get(home);
        if (replicas == null) {
            ForwardOutcome refused = ForwardOutcome.refused(ErrorCode.UNAVAILABLE, "region " + region
                    + " has no bridge link to " + home + ", the home of " + publish.channel()
                    + " (not among its bridge's peers)");
            counters.record(home, ForwardCounters.Direction.OUT, ForwardCounters.Outcome.UNAVAILABLE, 0);
            return refused;
        }
        long deadlineNs = started + TimeUnit.MILLISECONDS.toNanos(Math.max(0, publish.budgetMs() - MARGIN_MS));
        var request = ForwardCodec.toWire(publish, requestIds.incrementAndGet());
        Status last = Status.DEADLINE_EXCEEDED.withDescription("no time was left to try");
        for (int attempt = 0; attempt < replicas.size(); attempt++) {
            long leftNs = deadlineNs - System.nanoTime();
            if (leftNs <= 0) {
                break;
            }
            PeerChannel channel = replicas.current();
            try {
                ForwardOutcome outcome = ForwardCodec.fromWire(channel.publish(request, leftNs));
                counters.record(home, ForwardCounters.Direction.OUT, ForwardCounters.outcomeOf(outcome),
                        System.nanoTime() - started);
                return outcome;
            } catch (StatusRuntimeException e) {
                last = e.getStatus();
                if (last.getCode() != Status.Code.UNAVAILABLE) {
                    break;
                }
                replicas.failed(channel);
            }
        }
        counters.record(home, ForwardCounters.Direction.OUT, ForwardCounters.Outcome.UNAVAILABLE,
                System.nanoTime() - started);
        return ForwardOutcome.refused(ErrorCode.UNAVAILABLE, "region " + home + " (the home of " + publish.channel()
                + ") could not be reached from " + region + ": " + last.getCode()
                + (last.getDescription() == null ? "" : " " + last.getDescription()) + "; retry with the same msgId");
    }
}
