package io.heliograph.bridge.link;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.heliograph.bridge.tls.PeerIdentity;
import io.heliograph.bridge.v1.BackfillPage;
import io.heliograph.bridge.v1.BackfillRequest;
import io.heliograph.bridge.v1.Hello;
import io.heliograph.bridge.v1.LinkFrame;
import io.heliograph.bridge.v1.RegionBridgeGrpc;
import io.heliograph.region.channel.ChannelLog;
import io.heliograph.region.lease.EpochFence;
import io.heliograph.region.sequencing.Replication;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * This region's side of {@code RegionBridge}: the accepting end of every peer's Link stream, and Backfill served from
 * this region's history. Per peer region it keeps the {@link EpochFence} of that region's bridge lease (a Hello or
 * Backfill with a lower epoch is refused, FAILED_PRECONDITION, counted), the one admitted stream (a newer one ends
 * it), and how far this region holds that peer's {@code link_seq}s ({@link #heldThrough}), which its Hello reports and
 * its acks carry. Frames of one peer are stored one at a time, in order, whichever stream they came on.
 */
public final class RegionBridgeService extends RegionBridgeGrpc.RegionBridgeImplBase implements AutoCloseable {

    /** The version of the contract spoken: heliograph.bridge.v1. */
    public static final int PROTOCOL_VERSION = 1;
    /** Bytes of a Backfill page past its first message: well below the 4 MiB default frame limit. */
    static final long BACKFILL_MAX_BYTES = 1024 * 1024;
    /** Envelopes parked per peer at most; beyond, the oldest goes to Backfill at once. */
    static final int MAX_PARKED = 10_000;

    private static final System.Logger LOG = System.getLogger(RegionBridgeService.class.getName());

    private final String region;
    private final String replicaId;
    private final LongSupplier leaseEpoch;
    private final LinkTiming timing;
    private final LongSupplier nowMs;
    private final EnvelopeApplier applier;
    private final HistoryBackfill history;
    private final PresenceSink presence;
    private final Function<String, PeerBackfill> backfillFrom;
    private final ReceiverCounters counters = new ReceiverCounters();
    private final Map<String, EpochFence> fences = new ConcurrentHashMap<>();
    private final Map<String, PeerInbound> inbound = new ConcurrentHashMap<>();
    /** Peers whose parked envelopes a virtual thread is taking to Backfill now (one at a time per peer). */
    private final Set<String> flushing = ConcurrentHashMap.newKeySet();
    private final Map<String, ReceiverSession> admitted = new ConcurrentHashMap<>();
    private final Map<String, Object> storeLocks = new ConcurrentHashMap<>();
    private final Set<ReceiverSession> open = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;

    /**
     * @param region       this region
     * @param replicaId    this bridge replica, for the peer's logs
     * @param leaseEpoch   this replica's bridge lease epoch now (the LeaseKeeper's {@code currentEpoch()})
     * @param log          this region's channels: Backfill is served from their history
     * @param replication  how envelopes are stored and fanned out in this region
     * @param presence     where peers' presence changes go
     * @param backfillFrom the Backfill call towards a peer region, to fill a gap in what it sent
     */
    public RegionBridgeService(String region, String replicaId, LongSupplier leaseEpoch, ChannelLog log,
                               Replication replication, PresenceSink presence,
                               Function<String, PeerBackfill> backfillFrom, LinkTiming timing, LongSupplier nowMs) {
        this.region = Objects.requireNonNull(region, "region");
        this.replicaId = Objects.requireNonNull(replicaId, "replicaId");
        this.leaseEpoch = Objects.requireNonNull(leaseEpoch, "leaseEpoch");
        this.timing = Objects.requireNonNull(timing, "timing");
        this.nowMs = Objects.requireNonNull(nowMs, "nowMs");
        this.presence = Objects.requireNonNull(presence, "presence");
        this.backfillFrom = Objects.requireNonNull(backfillFrom, "backfillFrom");
        this.applier = new EnvelopeApplier(replication, timing, leaseEpoch, counters);
        this.history = new HistoryBackfill(log, timing.backfillPageLimit(), BACKFILL_MAX_BYTES);
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                .name("link-receiver-timer-" + region).factory());
        long tickMs = Math.max(5, Math.min(timing.ackDelayMs(), timing.heartbeatMs() / 4));
        timer.scheduleWithFixedDelay(this::tick, tickMs, tickMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public StreamObserver<LinkFrame> link(StreamObserver<LinkFrame> responses) {
        ReceiverSession session = new ReceiverSession(this, (ServerCallStreamObserver<LinkFrame>) responses,
                PeerIdentity.current().orElse(null), nowMs());
        open.add(session);
        return session;
    }

    @Override
    public void backfill(BackfillRequest request, StreamObserver<BackfillPage> response) {
        PeerIdentity caller = PeerIdentity.current().orElse(null);
        if (caller != null && !fence(caller.region()).admit(request.getLeaseEpoch())) {
            counters.refusedStaleEpoch.incrementAndGet();
            String description = "Backfill with lease epoch " + request.getLeaseEpoch() + " of region "
                    + caller.region() + " is below " + fence(caller.region()).highestSeen() + ", the highest seen";
            LOG.log(System.Logger.Level.WARNING, description + "; refused");
            response.onError(Status.FAILED_PRECONDITION.withDescription(description).asRuntimeException());
            return;
        }
        BackfillPage page;
        try {
            page = history.page(request);
        } catch (IllegalArgumentException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Backfill of " + request.getChannel() + " failed", e);
            response.onError(Status.UNAVAILABLE.withDescription("region " + region + " cannot read the history of "
                    + request.getChannel() + ": " + e.getMessage()).asRuntimeException());
            return;
        }
        counters.backfillsServed.incrementAndGet();
        response.onNext(page);
        response.onCompleted();
    }

    /** The highest {@code link_seq} of {@code peerRegion} that this region holds, with all before it (0: none). */
    public long heldThrough(String peerRegion) {
        PeerInbound in = inbound.get(peerRegion);
        return in == null ? 0 : in.ackable();
    }

    /**
     * A Hello from {@code peerRegion} names the incarnation of its outbound log to this region. Another one than the
     * link_seqs held so far belong to means that log started again at 1 (its region lost it): what is held of the old
     * one says nothing of the new, and acknowledging it would be beyond the new log, so this region starts again from
     * 0 with the new one (messages already held are dropped as duplicates by channel and serial). Counted and logged.
     */
    void peerLogIncarnation(String peerRegion, long incarnation) {
        synchronized (storeLock(peerRegion)) {
            PeerInbound in = inbound.computeIfAbsent(peerRegion, r -> new PeerInbound());
            if (in.incarnation() != 0 && in.incarnation() != incarnation) {
                counters.peerLogRestarts.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "the outbound log of " + peerRegion + " started again (incarnation "
                        + Long.toHexString(incarnation) + ", was " + Long.toHexString(in.incarnation()) + ", held "
                        + "through link_seq " + in.ackable() + "): receiving it from the start");
                in = new PeerInbound();
                inbound.put(peerRegion, in);
            }
            in.incarnation(incarnation);
        }
    }

    /** Envelopes of {@code peerRegion} waiting for their channel's predecessor now. */
    public int parked(String peerRegion) {
        synchronized (storeLock(peerRegion)) {
            PeerInbound in = inbound.get(peerRegion);
            return in == null ? 0 : in.parkedCount();
        }
    }

    /** The fence of {@code peerRegion}'s bridge lease: the highest epoch seen, and refusals. */
    public EpochFence fence(String peerRegion) {
        return fences.computeIfAbsent(peerRegion, r -> new EpochFence());
    }

    public ReceiverCounters counters() {
        return counters;
    }

    /** The peer regions with an admitted Link stream now. */
    public Set<String> linkedPeers() {
        return Set.copyOf(admitted.keySet());
    }

    public String region() {
        return region;
    }

    LinkTiming timing() {
        return timing;
    }

    long nowMs() {
        return nowMs.getAsLong();
    }

    Hello hello(String peerRegion) {
        // This stream carries no envelopes of ours (our own LinkSender dials the peer for those), so there is nothing
        // to resend on it: oldest_link_seq 0.
        return Hello.newBuilder().setOriginRegion(region).setReplicaId(replicaId)
                .setLeaseEpoch(leaseEpoch.getAsLong()).setProtocolVersion(PROTOCOL_VERSION)
                .setAckedLinkSeq(heldThrough(peerRegion)).setOldestLinkSeq(0).build();
    }

    /** A Hello was admitted: the stream before it from the same region, if any, is ended. */
    void admitted(ReceiverSession session) {
        ReceiverSession previous = admitted.put(session.peerRegion(), session);
        if (previous != null && previous != session) {
            counters.streamsSuperseded.incrementAndGet();
            previous.close((previous.leaseEpoch() < session.leaseEpoch() ? Status.FAILED_PRECONDITION
                    : Status.ABORTED).withDescription("superseded by a newer Link stream from "
                    + session.peerRegion() + " (lease epoch " + session.leaseEpoch() + ")"));
        }
    }

    void ended(ReceiverSession session) {
        open.remove(session);
        if (session.peerRegion() != null) {
            admitted.remove(session.peerRegion(), session);
        }
    }

    /**
     * Stores one envelope or presence frame of {@code peerRegion} and advances what this region holds of it. Frames of
     * one peer are stored one at a time, so an old stream that has not noticed it was superseded cannot interleave.
     * A malformed envelope is dropped and counted (and acknowledged). An envelope ahead of its channel's predecessor is
     * parked (not held, so not acknowledged) until the predecessor
     * arrives or {@link LinkTiming#reorderWaitMs()} passes, then Backfill fills the gap. A {@code link_seq} beyond the
     * next one means the peer's log dropped the ones between (counted); their channels are repaired by Backfill at
     * their next message.
     */
    void store(String peerRegion, LinkFrame frame) {
        synchronized (storeLock(peerRegion)) {
            PeerInbound in = inbound.computeIfAbsent(peerRegion, r -> new PeerInbound());
            long now = nowMs();
            flushParked(peerRegion, in, now - timing.reorderWaitMs());
            long before = in.highest();
            if (frame.getLinkSeq() > before + 1 && before > 0) {
                counters.missedLinkEntries.addAndGet(frame.getLinkSeq() - before - 1);
            }
            switch (frame.getBodyCase()) {
                case ENVELOPE -> {
                    String problem = EnvelopeCodec.problemWith(frame.getEnvelope());
                    if (problem != null) {
                        // Dropped and acknowledged: resending it would not make it well-formed, and refusing it would
                        // hold every frame after it.
                        counters.malformed.incrementAndGet();
                        LOG.log(System.Logger.Level.WARNING, "envelope at link_seq " + frame.getLinkSeq() + " from "
                                + peerRegion + " dropped: " + problem);
                    } else if (applier.applyIfNext(frame.getEnvelope())) {
                        applyParkedSuccessors(in, frame.getEnvelope().getChannel());
                    } else {
                        counters.parked.incrementAndGet();
                        in.park(frame, now);
                        if (in.parkedCount() > MAX_PARKED) {
                            // Bounded: the oldest goes to Backfill now rather than waiting its time out.
                            flushOne(peerRegion, in, in.oldest());
                        }
                    }
                }
                case PRESENCE -> {
                    presence.accept(peerRegion, frame.getPresence());
                    counters.presenceDelivered.incrementAndGet();
                }
                default -> throw new IllegalArgumentException("not a stored frame: " + frame.getBodyCase());
            }
            in.received(frame.getLinkSeq());
        }
    }

    /** One member of a peer's presence snapshot, in order with its other frames. */
    void presenceSnapshot(String peerRegion, io.heliograph.bridge.v1.PresenceChange change) {
        synchronized (storeLock(peerRegion)) {
            presence.acceptSnapshot(peerRegion, change);
            counters.presenceSnapshotEntries.incrementAndGet();
        }
    }

    private Object storeLock(String peerRegion) {
        return storeLocks.computeIfAbsent(peerRegion, r -> new Object());
    }

    /** After an envelope of {@code channel} was stored, the parked ones it (transitively) unblocks. */
    private void applyParkedSuccessors(PeerInbound in, String channel) {
        boolean progress = true;
        while (progress) {
            progress = false;
            for (LinkFrame parked : in.parkedOf(channel)) {
                if (applier.applyIfNext(parked.getEnvelope())) {
                    in.unpark(parked);
                    progress = true;
                }
            }
        }
    }

    /** Parked envelopes that waited since before {@code cutoffMs}: their predecessor is not coming on the link. */
    private void flushParked(String peerRegion, PeerInbound in, long cutoffMs) {
        for (LinkFrame parked : in.parkedBefore(cutoffMs)) {
            flushOne(peerRegion, in, parked);
        }
    }

    /**
     * Stores a parked envelope with its gap filled by Backfill (as {@link EnvelopeApplier#apply} does); when Backfill
     * fails it stays parked, unacknowledged, for the next attempt.
     */
    private void flushOne(String peerRegion, PeerInbound in, LinkFrame parked) {
        if (parked == null) {
            return;
        }
        try {
            counters.parkTimeouts.incrementAndGet();
            applier.apply(peerRegion, parked.getEnvelope(), backfillFrom.apply(peerRegion));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "channel " + parked.getEnvelope().getChannel() + " from "
                    + peerRegion + ": Backfill for a parked envelope failed (" + e.getMessage() + "); kept for later");
            in.park(parked, nowMs());
            return;
        }
        in.unpark(parked);
        applyParkedSuccessors(in, parked.getEnvelope().getChannel());
    }

    /** From the timer: a quiet link's parked envelopes are flushed on a virtual thread (Backfill blocks). */
    private void flushQuietPeers(long now) {
        for (Map.Entry<String, PeerInbound> peer : inbound.entrySet()) {
            long since;
            synchronized (storeLock(peer.getKey())) {
                since = peer.getValue().oldestSinceMs();
            }
            if (since >= 0 && now - since >= timing.reorderWaitMs() && flushing.add(peer.getKey())) {
                Thread.ofVirtual().name("flush-parked-" + peer.getKey()).start(() -> {
                    try {
                        synchronized (storeLock(peer.getKey())) {
                            flushParked(peer.getKey(), peer.getValue(), nowMs() - timing.reorderWaitMs());
                        }
                    } finally {
                        flushing.remove(peer.getKey());
                    }
                });
            }
        }
    }

    private void tick() {
        long now = nowMs();
        flushQuietPeers(now);
        for (ReceiverSession session : open) {
            try {
                session.tick(now);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "link timer of " + session.peerRegion() + " failed", e);
            }
        }
    }

    /**
     * Ends every open stream now with {@code status} and keeps serving: a replica that lost its region's lease stops
     * receiving at once, and its peers reconnect to the new holder. What this region holds of each peer
     * ({@link #heldThrough}) and the epoch fences are kept: both stay true of the region.
     */
    public void closeStreams(Status status) {
        for (ReceiverSession session : open) {
            session.close(status);
        }
    }

    /** Ends every stream (UNAVAILABLE: the peers reconnect elsewhere or later) and the timer. */
    @Override
    public void close() {
        for (ReceiverSession session : open) {
            session.close(Status.UNAVAILABLE.withDescription("region bridge " + region + " is shutting down"));
        }
        timer.shutdownNow();
    }
}
