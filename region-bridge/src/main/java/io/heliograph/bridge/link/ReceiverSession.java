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
 * The receiving half of one Link stream: checks the peer's Hello, hands what the peer sends to the peer's
 * {@link PeerStore} and acknowledges it cumulatively, only once this region holds it (invariants 5 and 7). On the
 * accepting end of a stream it answers the Hello with this region's and, when the stream carries both directions (one
 * stream per pair of regions, {@code Hello.duplex}), attaches this region's outbound half for that peer
 * ({@link LinkSender#acceptFrom}) and hands it the peer's acknowledgements. On the dialling end of a duplex stream the
 * {@link SenderSession} that dialled hands it every frame, and it receives the peer's envelopes there. Flow control is by hand: at most {@link #windowFrames} frames (and about {@link #MAX_QUEUED_BYTES}) are
 * asked of gRPC beyond those whose store has finished, so a slow region slows its peer through HTTP/2 flow control
 * instead of queueing, while the frames within the window are stored in parallel across channels. By default an
 * acknowledgement goes out as soon as a store finishes ({@link #held}); while stores are in flight, what finishes
 * meanwhile is covered by the next one. The service's timer calls {@link #tick} for delayed acks (with
 * {@code link.ack-delay-ms} above 0), heartbeats and the silence deadline; frames out are sent under one lock, as a
 * {@code StreamObserver} is not thread-safe.
 */
final class ReceiverSession implements StreamObserver<LinkFrame> {

    private static final System.Logger LOG = System.getLogger(ReceiverSession.class.getName());
    /** Bytes of frames received and not finished with, beyond which no more are asked for. */
    static final long MAX_QUEUED_BYTES = 8L * 1024 * 1024;

    private final RegionBridgeService service;
    private final LinkStream responses;
    /** The caller's certificate identity, taken when the call arrived; absent on a plaintext server and when dialled. */
    private final PeerIdentity identity;
    /** The region dialled, on the dialling end of a stream (null on the accepting end). */
    private final String dialled;
    /** This region's outbound half on this stream, on the accepting end of a duplex one (else null). */
    private volatile SenderSession outboundHalf;
    /** Accepted, and the dialler's Hello offered to receive on this stream too ({@code duplex}). */
    private volatile boolean offeredBoth;
    /** Dialled, and the peer sends nothing on this stream: only its acks and heartbeats, asked for as they come. */
    private volatile boolean passive;

    private volatile String peerRegion;
    private volatile long leaseEpoch;
    private volatile boolean closed;
    private volatile long lastReceivedMs;
    /** Frames received and not finished with may number this many at most. */
    private final int windowFrames;
    private final Object credit = new Object();
    /** Frames finished with whose place in the window has not been asked of gRPC again (bytes above the bound). */
    private int owedRequests;
    private long queuedBytes;
    private long lastSentMs;
    private long ackedLinkSeq;
    private long unackedSinceMs;

    /** The accepting end of a stream, made while the service's {@code link} call runs. */
    ReceiverSession(RegionBridgeService service, ServerCallStreamObserver<LinkFrame> responses,
                    PeerIdentity identity, long nowMs) {
        this.service = service;
        this.identity = identity;
        this.dialled = null;
        this.lastReceivedMs = nowMs;
        this.lastSentMs = nowMs;
        this.windowFrames = Math.max(1, service.timing().maxInFlight());
        this.responses = LinkStream.accepted(responses, this::ended);
        // The Hello first; the window opens once it is admitted.
        this.responses.request(1);
    }

    /**
     * The receiving half on the dialling end of a duplex stream to {@code peerRegion}; {@code stream} was made with
     * manual flow control (its first frame, the peer's Hello, already asked for).
     */
    ReceiverSession(RegionBridgeService service, LinkStream stream, String peerRegion, long nowMs) {
        this.service = service;
        this.identity = null;
        this.dialled = peerRegion;
        this.lastReceivedMs = nowMs;
        this.lastSentMs = nowMs;
        this.windowFrames = Math.max(1, service.timing().maxInFlight());
        this.responses = stream;
    }

    /** Accepted from a dialler that offered both ways, with no outbound half of this region sending on it. */
    boolean oneWayThoughOfferedBoth() {
        return dialled == null && offeredBoth && outboundHalf == null;
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
        if (passive) {
            requestMore(1);
            return;
        }
        if (peerRegion == null) {
            hello(frame);
            return;
        }
        try {
            switch (frame.getBodyCase()) {
                case ENVELOPE, PRESENCE -> store(frame);
                case ACK -> {
                    // The peer's acknowledgement of our envelopes, when this stream carries them, and its heartbeat.
                    SenderSession half = outboundHalf;
                    if (half != null) {
                        half.peerAck(frame.getAck());
                    }
                    requestMore(1);
                }
                case HELLO -> close(Status.FAILED_PRECONDITION.withDescription("a second Hello on one Link stream"));
                default -> {
                    LOG.log(System.Logger.Level.DEBUG, "frame " + frame.getBodyCase() + " from " + peerRegion
                            + " not handled yet; ignored");
                    requestMore(1);
                }
            }
        } catch (StatusRuntimeException e) {
            close(Status.UNAVAILABLE.withDescription("region " + service.region() + " could not store frame "
                    + frame.getLinkSeq() + " from " + peerRegion + ": " + e.getStatus()));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "storing frame " + frame.getLinkSeq() + " from " + peerRegion
                    + " failed; the stream is closed so that it is resent", e);
            close(Status.UNAVAILABLE.withDescription("region " + service.region() + " could not store frame "
                    + frame.getLinkSeq() + " from " + peerRegion + ": " + e.getMessage()));
        }
    }

    /** Asks gRPC for {@code frames} more, or owes them while the bytes held are above the bound. */
    private void requestMore(int frames) {
        synchronized (credit) {
            owedRequests += frames;
            int now = queuedBytes < MAX_QUEUED_BYTES ? owedRequests : 0;
            owedRequests -= now;
            if (now > 0 && !closed) {
                responses.request(now);
            }
        }
    }

    /** A frame of {@code bytes} was finished with (stored, parked, dropped or failed): its place is asked again. */
    private void finished(int bytes) {
        synchronized (credit) {
            queuedBytes -= bytes;
        }
        requestMore(1);
    }

    private void hello(LinkFrame frame) {
        if (dialled != null) {
            dialledHello(frame);
            return;
        }
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
        if (!admit(hello)) {
            return;
        }
        MeshTableCodec.offerFrom(hello, origin, service.tables());
        // One stream per pair: when the dialler receives on this stream too and this region sends to it from here,
        // the answer says so and this region's outbound half streams on it from the dialler's acknowledgement.
        offeredBoth = hello.getDuplex();
        LinkSender outbound = hello.getDuplex() ? service.acceptingHalf(origin) : null;
        send(LinkFrame.newBuilder().setHello(service.hello(origin, outbound)).build());
        if (outbound != null) {
            service.counters().duplexStreams.incrementAndGet();
            outboundHalf = outbound.attach(responses, hello);
            if (closed && outboundHalf != null) {
                outboundHalf.streamEnded("the Link stream from " + origin + " ended");
            }
        }
        requestMore(windowFrames);
        LOG.log(System.Logger.Level.INFO, "link from " + origin + " (replica " + hello.getReplicaId() + ", lease epoch "
                + hello.getLeaseEpoch() + (outboundHalf != null ? ", both ways" : "") + ") accepted; it resends after "
                + ackedLinkSeq);
    }

    /**
     * The peer's Hello on a stream this region dialled. On a duplex stream (both Hellos say so) the peer's envelopes
     * come on it: the peer is admitted as on an accepting end (its lease epoch fenced, its log's incarnation and
     * resend point taken) and this half acknowledges what is held. Otherwise only acknowledgements and heartbeats of
     * this region's envelopes come, which the sender handles; this half only asks gRPC for them.
     */
    private void dialledHello(LinkFrame frame) {
        if (!frame.hasHello()) {
            service.counters().refusedProtocol.incrementAndGet();
            refuse(Status.FAILED_PRECONDITION, "the first frame from " + dialled + " must be a Hello, got "
                    + frame.getBodyCase());
            return;
        }
        Hello hello = frame.getHello();
        if (!hello.getOriginRegion().equals(dialled) || !hello.getDuplex()) {
            // A wrong region is refused by the sender, which checks the Hello next; a peer that does not send on
            // this stream (it dials its own) leaves this half nothing to receive.
            passive = true;
            requestMore(windowFrames);
            return;
        }
        if (!admit(hello)) {
            return;
        }
        service.opened(this);
        service.counters().duplexStreams.incrementAndGet();
        requestMore(windowFrames);
        LOG.log(System.Logger.Level.INFO, "link to " + dialled + " (replica " + hello.getReplicaId()
                + ", lease epoch " + hello.getLeaseEpoch() + ") carries its envelopes too; it resends after "
                + ackedLinkSeq);
    }

    /** Fences the peer's lease epoch and takes its Hello's positions; false (the stream refused) if stale. */
    private boolean admit(Hello hello) {
        String origin = hello.getOriginRegion();
        if (!service.fence(origin).admit(hello.getLeaseEpoch())) {
            service.counters().refusedStaleEpoch.incrementAndGet();
            refuse(Status.FAILED_PRECONDITION, "lease epoch " + hello.getLeaseEpoch() + " of region " + origin
                    + " (replica " + hello.getReplicaId() + ") is below " + service.fence(origin).highestSeen()
                    + ", the highest seen: a newer bridge replica of " + origin + " holds its lease");
            return false;
        }
        peerRegion = origin;
        leaseEpoch = hello.getLeaseEpoch();
        service.admitted(this);
        service.peerLogIncarnation(origin, hello.getLogIncarnation());
        synchronized (this) {
            ackedLinkSeq = service.heldThrough(origin);
        }
        service.peerResendsFrom(origin, hello.getOldestLinkSeq());
        return true;
    }

    private void store(LinkFrame frame) {
        long linkSeq = frame.getLinkSeq();
        boolean snapshot = linkSeq == 0 && frame.hasPresence();
        if (linkSeq <= 0 && !snapshot) {
            service.counters().refusedProtocol.incrementAndGet();
            close(Status.FAILED_PRECONDITION.withDescription(frame.getBodyCase() + " frame without a link_seq"));
            return;
        }
        // A snapshot member (after the peer's Hello) is state, not log: neither counted as held nor acked.
        int bytes = frame.getSerializedSize();
        synchronized (credit) {
            queuedBytes += bytes;
        }
        service.accept(peerRegion, frame, snapshot, () -> finished(bytes));
    }

    /**
     * A store of this peer's frames finished: with {@code link.ack-delay-ms} 0 (the default) what is held now is
     * acknowledged at once, unless an acknowledgement already covers it; otherwise at the latest after the delay, or
     * at once every {@code link.ack-every-entries}.
     */
    void held() {
        if (closed || peerRegion == null) {
            return;
        }
        LinkTiming timing = service.timing();
        long now = service.nowMs();
        boolean ackNow;
        synchronized (this) {
            long held = service.heldThrough(peerRegion);
            if (held <= ackedLinkSeq) {
                return;
            }
            if (timing.ackDelayMs() == 0) {
                ackNow = true;
            } else {
                if (unackedSinceMs == 0) {
                    unackedSinceMs = now;
                }
                ackNow = held - ackedLinkSeq >= timing.ackEveryEntries();
            }
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
        // A store that takes long (a Backfill) is not silence of the peer: it may be held up by our own window.
        if (nowMs - lastReceivedMs > timing.silenceTimeoutMs()
                && (peerRegion == null || !service.storing(peerRegion))) {
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
                    // Whatever advanced what is held without an acknowledgement yet (a last resort).
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
            // Taken after reading what is held: every fenced envelope this ack covers has its notice here.
            var fenced = service.fencedNotices().take(peerRegion);
            send(LinkFrame.newBuilder().setAck(Ack.newBuilder().setLinkSeq(held).addAllFenced(fenced)).build());
        }
    }

    private synchronized void send(LinkFrame frame) {
        if (closed) {
            return;
        }
        lastSentMs = service.nowMs();
        responses.send(frame);
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
        responses.fail(status);
        service.ended(this);
        endOutboundHalf("the Link stream with " + peerRegion + " was closed here: " + status.getCode() + " "
                + status.getDescription());
    }

    /** The stream ended from the other side (or, dialled, from the sender that owns it). */
    void ended() {
        closed = true;
        service.ended(this);
        endOutboundHalf("the Link stream with " + peerRegion + " ended");
    }

    private void endOutboundHalf(String why) {
        SenderSession half = outboundHalf;
        if (half != null) {
            half.streamEnded(why);
        }
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
            responses.complete();
        }
        service.ended(this);
        endOutboundHalf(peerRegion + " ended the Link stream");
    }
}
