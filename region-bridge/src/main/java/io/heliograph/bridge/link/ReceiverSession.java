package io.heliograph.bridge.link;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.heliograph.bridge.tls.PeerIdentity;
import io.heliograph.bridge.v1.Ack;
import io.heliograph.bridge.v1.Hello;
import io.heliograph.bridge.v1.LinkFrame;

/**
 * The accepting end of one Link stream: checks the peer's Hello, answers with this region's, stores what the peer
 * sends and acknowledges it cumulatively, only once this region holds it (invariants 5 and 7). gRPC calls
 * {@link #onNext} one frame at a time and asks for the next only when it returns, so a slow region slows its peer
 * through HTTP/2 flow control instead of queueing. The service's timer calls {@link #tick} for delayed acks,
 * heartbeats and the silence deadline; frames out are sent under one lock, as a {@code StreamObserver} is not
 * thread-safe.
 */
final class ReceiverSession implements StreamObserver<LinkFrame> {

    private static final System.Logger LOG = System.getLogger(ReceiverSession.class.getName());

    private final RegionBridgeService service;
    private final ServerCallStreamObserver<LinkFrame> responses;
    /** The caller's certificate identity, taken when the call arrived; absent on a plaintext server. */
    private final PeerIdentity identity;

    private volatile String peerRegion;
    private volatile long leaseEpoch;
    private volatile boolean closed;
    /** Set while a frame is being stored: a long Backfill is not silence of the peer. */
    private volatile boolean busy;
    private volatile long lastReceivedMs;
    private long lastSentMs;
    private long ackedLinkSeq;
    private long unackedSinceMs;

    ReceiverSession(RegionBridgeService service, ServerCallStreamObserver<LinkFrame> responses,
                    PeerIdentity identity, long nowMs) {
        this.service = service;
        this.responses = responses;
        this.identity = identity;
        this.lastReceivedMs = nowMs;
        this.lastSentMs = nowMs;
        responses.setOnCancelHandler(this::ended);
    }

    String peerRegion() {
        return peerRegion;
    }

    long leaseEpoch() {
        return leaseEpoch;
    }

    @Override
    public void onNext(LinkFrame frame) {
        if (closed) {
            return;
        }
        lastReceivedMs = service.nowMs();
        if (peerRegion == null) {
            hello(frame);
            return;
        }
        busy = true;
        try {
            switch (frame.getBodyCase()) {
                case ENVELOPE, PRESENCE -> store(frame);
                case ACK -> {
                    // The peer's heartbeat. This stream carries no envelopes of ours, so there is nothing to trim.
                }
                case HELLO -> close(Status.FAILED_PRECONDITION.withDescription("a second Hello on one Link stream"));
                default -> LOG.log(System.Logger.Level.DEBUG, "frame " + frame.getBodyCase() + " from " + peerRegion
                        + " not handled yet; ignored");
            }
        } catch (StatusRuntimeException e) {
            close(Status.UNAVAILABLE.withDescription("region " + service.region() + " could not store frame "
                    + frame.getLinkSeq() + " from " + peerRegion + ": " + e.getStatus()));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "storing frame " + frame.getLinkSeq() + " from " + peerRegion
                    + " failed; the stream is closed so that it is resent", e);
            close(Status.UNAVAILABLE.withDescription("region " + service.region() + " could not store frame "
                    + frame.getLinkSeq() + " from " + peerRegion + ": " + e.getMessage()));
        } finally {
            busy = false;
            lastReceivedMs = service.nowMs();
        }
    }

    private void hello(LinkFrame frame) {
        if (!frame.hasHello()) {
            service.counters().refusedProtocol.incrementAndGet();
            refuse(Status.FAILED_PRECONDITION, "the first frame of a Link stream must be a Hello, got "
                    + frame.getBodyCase());
            return;
        }
        Hello hello = frame.getHello();
        if (hello.getProtocolVersion() != RegionBridgeService.PROTOCOL_VERSION) {
            service.counters().refusedProtocol.incrementAndGet();
            refuse(Status.FAILED_PRECONDITION, "protocol version " + hello.getProtocolVersion()
                    + " is not spoken here (only " + RegionBridgeService.PROTOCOL_VERSION + ")");
            return;
        }
        String origin = hello.getOriginRegion();
        if (identity != null && !identity.region().equals(origin)) {
            service.counters().refusedWrongOrigin.incrementAndGet();
            refuse(Status.PERMISSION_DENIED, "Hello says origin region '" + origin
                    + "' but the caller's certificate names '" + identity.region() + "'");
            return;
        }
        if (origin.isEmpty() || origin.equals(service.region())) {
            service.counters().refusedProtocol.incrementAndGet();
            refuse(Status.FAILED_PRECONDITION, "Hello names origin region '" + origin + "'");
            return;
        }
        if (!service.fence(origin).admit(hello.getLeaseEpoch())) {
            service.counters().refusedStaleEpoch.incrementAndGet();
            refuse(Status.FAILED_PRECONDITION, "lease epoch " + hello.getLeaseEpoch() + " of region " + origin
                    + " (replica " + hello.getReplicaId() + ") is below " + service.fence(origin).highestSeen()
                    + ", the highest seen: a newer bridge replica of " + origin + " holds its lease");
            return;
        }
        peerRegion = origin;
        leaseEpoch = hello.getLeaseEpoch();
        service.admitted(this);
        service.peerLogIncarnation(origin, hello.getLogIncarnation());
        synchronized (this) {
            ackedLinkSeq = service.heldThrough(origin);
        }
        send(LinkFrame.newBuilder().setHello(service.hello(origin)).build());
        LOG.log(System.Logger.Level.INFO, "link from " + origin + " (replica " + hello.getReplicaId() + ", lease epoch "
                + hello.getLeaseEpoch() + ") accepted; it resends after " + ackedLinkSeq);
    }

    private void store(LinkFrame frame) {
        long linkSeq = frame.getLinkSeq();
        if (linkSeq == 0 && frame.hasPresence()) {
            // The peer's presence snapshot after its Hello: state, not log; neither counted as held nor acked.
            service.presenceSnapshot(peerRegion, frame.getPresence());
            return;
        }
        if (linkSeq <= 0) {
            service.counters().refusedProtocol.incrementAndGet();
            close(Status.FAILED_PRECONDITION.withDescription(frame.getBodyCase() + " frame without a link_seq"));
            return;
        }
        service.store(peerRegion, frame);
        long now = service.nowMs();
        boolean ackNow;
        synchronized (this) {
            if (unackedSinceMs == 0) {
                unackedSinceMs = now;
            }
            ackNow = service.heldThrough(peerRegion) - ackedLinkSeq >= service.timing().ackEveryEntries();
        }
        if (ackNow) {
            sendAck(now);
        }
    }

    /** Delayed acknowledgement, heartbeat and silence deadline; from the service's timer. */
    void tick(long nowMs) {
        if (closed) {
            return;
        }
        LinkTiming timing = service.timing();
        if (!busy && nowMs - lastReceivedMs > timing.silenceTimeoutMs()) {
            service.counters().silentStreamsClosed.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "link from " + (peerRegion == null ? "an unidentified peer"
                    : peerRegion) + " silent for " + (nowMs - lastReceivedMs) + " ms; closed");
            close(Status.UNAVAILABLE.withDescription("nothing received for " + timing.silenceTimeoutMs() + " ms"));
            return;
        }
        if (peerRegion == null) {
            return;
        }
        boolean due;
        synchronized (this) {
            due = unackedSinceMs != 0 && nowMs - unackedSinceMs >= timing.ackDelayMs()
                    || nowMs - lastSentMs >= timing.heartbeatMs()
                    // Parked envelopes stored later (their gap filled by Backfill) advance what is held unprompted.
                    || nowMs - lastSentMs >= timing.ackDelayMs() && service.heldThrough(peerRegion) > ackedLinkSeq;
        }
        if (due) {
            sendAck(nowMs);
        }
    }

    private void sendAck(long nowMs) {
        long held;
        synchronized (this) {
            // Read under the lock that store() marks new entries under, so none is left unacknowledged unnoticed.
            held = service.heldThrough(peerRegion);
            ackedLinkSeq = Math.max(ackedLinkSeq, held);
            unackedSinceMs = 0;
        }
        // A peer that is not reading gets no heartbeat piled on; its own silence deadline speaks for it.
        if (responses.isReady()) {
            send(LinkFrame.newBuilder().setAck(Ack.newBuilder().setLinkSeq(held)).build());
        }
    }

    private synchronized void send(LinkFrame frame) {
        if (closed) {
            return;
        }
        lastSentMs = service.nowMs();
        responses.onNext(frame);
    }

    private void refuse(Status status, String description) {
        LOG.log(System.Logger.Level.WARNING, "Link stream refused: " + description);
        close(status.withDescription(description));
    }

    /** Ends the stream with {@code status}; the peer reconnects (or, refused, backs off). */
    synchronized void close(Status status) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            responses.onError(status.asRuntimeException());
        } catch (IllegalStateException alreadyClosed) {
            // The call ended from the other side meanwhile.
        }
        service.ended(this);
    }

    private void ended() {
        closed = true;
        service.ended(this);
    }

    @Override
    public void onError(Throwable error) {
        LOG.log(System.Logger.Level.DEBUG, "link from " + peerRegion + " ended: " + Status.fromThrowable(error));
        ended();
    }

    @Override
    public synchronized void onCompleted() {
        if (!closed) {
            closed = true;
            responses.onCompleted();
        }
        service.ended(this);
    }
}
