package io.heliograph.bridge.process;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.heliograph.bridge.forward.ForwardArrivals;
import io.heliograph.bridge.link.RegionBridgeService;
import io.heliograph.bridge.tls.PeerIdentity;
import io.heliograph.bridge.v1.ForwardedPublish;
import io.heliograph.bridge.v1.PublishResult;
import io.heliograph.bridge.v1.BackfillPage;
import io.heliograph.bridge.v1.BackfillRequest;
import io.heliograph.bridge.v1.LinkFrame;
import io.heliograph.bridge.v1.RegionBridgeGrpc;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The RegionBridge service as a replica's server offers it: the region's {@link RegionBridgeService} while this
 * replica holds the bridge lease, UNAVAILABLE while it stands by, so that a peer dialling the region's replicas in
 * order moves on to the holder. Backfill is refused on a standby too: a peer calls it on the replica its link uses.
 * Publish (a forwarded publish) and Yield (a peer's takeover) are served by every replica.
 *
 * <p>Admitting a stream and turning standby exclude each other (one lock), so no stream admitted just before the
 * lease was lost escapes {@link RegionBridgeService#closeStreams}: it is either refused here or already registered
 * with the service when its streams are closed.
 */
final class HolderGate extends RegionBridgeGrpc.RegionBridgeImplBase {

    private final String region;
    private final RegionBridgeService service;
    private final ForwardArrivals arrivals;
    private final io.heliograph.bridge.takeover.YieldArrivals yields;
    private final Object lock = new Object();
    private final AtomicLong refusedLinks = new AtomicLong();
    private final AtomicLong refusedBackfills = new AtomicLong();
    private boolean holder;

    HolderGate(String region, RegionBridgeService service, ForwardArrivals arrivals,
               io.heliograph.bridge.takeover.YieldArrivals yields) {
        this.region = region;
        this.service = service;
        this.arrivals = arrivals;
        this.yields = yields;
    }

    /** On every replica, holder or not: the yield is one atomic change of the region's channel log. */
    @Override
    public void yield(io.heliograph.bridge.v1.YieldRequest request,
                      StreamObserver<io.heliograph.bridge.v1.YieldAnswer> response) {
        io.heliograph.bridge.v1.YieldAnswer answer;
        try {
            answer = yields.yield(request, PeerIdentity.current().map(PeerIdentity::region).orElse(null));
        } catch (io.grpc.StatusRuntimeException e) {
            response.onError(e);
            return;
        } catch (RuntimeException e) {
            response.onError(Status.UNAVAILABLE.withDescription("region " + region + " could not yield "
                    + request.getChannel() + ": " + e.getMessage()).asRuntimeException());
            return;
        }
        response.onNext(answer);
        response.onCompleted();
    }

    /** On every replica, holder or not: the region's edge nodes sequence, so no lease is needed. */
    @Override
    public void publish(ForwardedPublish request, StreamObserver<PublishResult> response) {
        PublishResult result;
        try {
            result = arrivals.publish(request, PeerIdentity.current().map(PeerIdentity::region).orElse(null));
        } catch (io.grpc.StatusRuntimeException e) {
            response.onError(e);
            return;
        }
        response.onNext(result);
        response.onCompleted();
    }

    @Override
    public StreamObserver<LinkFrame> link(StreamObserver<LinkFrame> responses) {
        synchronized (lock) {
            if (holder) {
                return service.link(responses);
            }
        }
        refusedLinks.incrementAndGet();
        responses.onError(standby().asRuntimeException());
        return new StreamObserver<>() {
            @Override
            public void onNext(LinkFrame frame) {
            }

            @Override
            public void onError(Throwable error) {
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    @Override
    public void backfill(BackfillRequest request, StreamObserver<BackfillPage> response) {
        synchronized (lock) {
            if (!holder) {
                refusedBackfills.incrementAndGet();
                response.onError(standby().asRuntimeException());
                return;
            }
        }
        service.backfill(request, response);
    }

    /** This replica holds the lease now: admit Link streams. */
    void open() {
        synchronized (lock) {
            holder = true;
        }
    }

    /** This replica no longer holds the lease: refuse new streams and end the open ones, at once. */
    void shut() {
        synchronized (lock) {
            holder = false;
        }
        service.closeStreams(Status.UNAVAILABLE.withDescription("region bridge " + region
                + " lost its lease (now a standby replica); try the next URL"));
    }

    long refusedLinks() {
        return refusedLinks.get();
    }

    long refusedBackfills() {
        return refusedBackfills.get();
    }

    private Status standby() {
        return Status.UNAVAILABLE.withDescription("standby replica of region " + region
                + " (it does not hold the bridge lease); try the next URL");
    }
}
