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
import java.util.concurrent.ExecutorService;
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
 * its acks carry. A peer's frames are stored by its {@link PeerStore}, whichever stream they came on: each channel's
 * strictly in order, channels in parallel, a run of a channel's envelopes in one call.
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
    private volatile TableExchange tables = TableExchange.NONE;
    /** Fenced envelopes per peer, told to it with the next acknowledgement. */
    private final FencedNotices fencedNotices = new FencedNotices();
    private final Map<String, EpochFence> fences = new ConcurrentHashMap<>();
    private final Map<String, PeerStore> stores = new ConcurrentHashMap<>();
    private final Map<String, ReceiverSession> admitted = new ConcurrentHashMap<>();
    /** This region's outbound half per peer that dials this region (one stream per pair, {@link LinkSender#acceptFrom}). */
    private final Map<String, LinkSender> accepting = new ConcurrentHashMap<>();
    private final Set<ReceiverSession> open = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    /** Where the peers' channel stores run: a store blocks on the region's storage. */
    private final ExecutorService storeThreads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual()
            .name("link-store-", 0).factory());

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
        this.applier = new EnvelopeApplier(replication, timing, leaseEpoch, counters, fencedNotices);
        this.history = new HistoryBackfill(log, timing.backfillPageLimit(), BACKFILL_MAX_BYTES);
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                .name("link-receiver-timer-" + region).factory());
        long tickMs = Math.max(5, Math.min(timing.heartbeatMs() / 4, timing.reorderWaitMs() / 4));
        if (timing.ackDelayMs() > 0) {
            tickMs = Math.max(5, Math.min(tickMs, timing.ackDelayMs()));
        }
        timer.scheduleWithFixedDelay(this::tick, tickMs, tickMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public StreamObserver<LinkFrame> link(StreamObserver<LinkFrame> responses) {
        ReceiverSession session = new ReceiverSession(this, (ServerCallStreamObserver<LinkFrame>) responses,
                PeerIdentity.current().orElse(null), nowMs());
        open.add(session);
        counters.streamsAccepted.incrementAndGet();
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
        PeerStore store = stores.get(peerRegion);
        return store == null ? 0 : store.ackable();
    }

    /**
     * A Hello from {@code peerRegion} names the incarnation of its outbound log to this region. Another one than the
     * link_seqs held so far belong to means that log started again at 1 (its region lost it): what is held of the old
     * one says nothing of the new, and acknowledging it would be beyond the new log, so this region starts again from
     * 0 with the new one (messages already held are dropped as duplicates by channel and serial). Counted and logged.
     */
    void peerLogIncarnation(String peerRegion, long incarnation) {
        if (store(peerRegion).incarnation(incarnation)) {
            counters.peerLogRestarts.incrementAndGet();
        }
    }

    /** The incarnation of {@code peerRegion}'s outbound log that {@link #heldThrough} counts in (0: none known). */
    long heldIncarnation(String peerRegion) {
        PeerStore store = stores.get(peerRegion);
        return store == null ? 0 : store.incarnation();
    }

    /** The highest {@code link_seq} of {@code peerRegion} received, held or not (0: none). */
    long receivedThrough(String peerRegion) {
        PeerStore store = stores.get(peerRegion);
        return store == null ? 0 : store.highest();
    }

    /** Envelopes of {@code peerRegion} waiting for their channel's predecessor now. */
    public int parked(String peerRegion) {
        PeerStore store = stores.get(peerRegion);
        return store == null ? 0 : store.parked();
    }

    /** The fence of {@code peerRegion}'s bridge lease: the highest epoch seen, and refusals. */
    public EpochFence fence(String peerRegion) {
        return fences.computeIfAbsent(peerRegion, r -> new EpochFence());
    }

    FencedNotices fencedNotices() {
        return fencedNotices;
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

    /**
     * The answer to {@code peerRegion}'s Hello. With this region's {@code outbound} half for the peer (one stream per
     * pair) it is that half's Hello, saying where its log can resend from; without one this stream carries no
     * envelopes of ours (our own LinkSender dials the peer for those), so there is nothing to resend on it:
     * oldest_link_seq 0.
     */
    Hello hello(String peerRegion, LinkSender outbound) {
        if (outbound != null) {
            return outbound.hello();
        }
        return MeshTableCodec.withTable(Hello.newBuilder().setOriginRegion(region).setReplicaId(replicaId)
                .setLeaseEpoch(leaseEpoch.getAsLong()).setProtocolVersion(PROTOCOL_VERSION)
                .setAckedLinkSeq(heldThrough(peerRegion)).setAckedLogIncarnation(heldIncarnation(peerRegion))
                .setOldestLinkSeq(0), tables).build();
    }

    /** {@code half} sends this region's envelopes to its peer on the streams the peer dials here. */
    void accepting(LinkSender half) {
        LinkSender previous = accepting.put(half.peerRegion(), half);
        if (previous != null && previous != half) {
            LOG.log(System.Logger.Level.DEBUG, "outbound half for " + half.peerRegion() + " replaced");
        }
        // A stream the peer opened for both ways while this region had no half to send on carries one way only
        // until it ends: end it, so that the peer dials again and this region's envelopes go out on the new one.
        ReceiverSession current = admitted.get(half.peerRegion());
        if (current != null && current.oneWayThoughOfferedBoth()) {
            current.close(Status.UNAVAILABLE.withDescription("region " + region + " sends to " + half.peerRegion()
                    + " on this stream from now on: dial again"));
        }
    }

    /** {@code half} no longer does (closed). */
    void notAccepting(LinkSender half) {
        accepting.remove(half.peerRegion(), half);
    }

    /** This region's outbound half for streams {@code peerRegion} dials, if any. */
    LinkSender acceptingHalf(String peerRegion) {
        return accepting.get(peerRegion);
    }

    /** A receiving half on a stream this region dialled: ticked like an accepted one until it ends. */
    void opened(ReceiverSession session) {
        open.add(session);
    }

    /** How the Hellos of accepted links carry the mesh table; {@link TableExchange#NONE} unless set. */
    public RegionBridgeService tableExchange(TableExchange exchange) {
        this.tables = java.util.Objects.requireNonNull(exchange, "exchange");
        return this;
    }

    TableExchange tables() {
        return tables;
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
     * Hands one envelope or presence frame of {@code peerRegion} (or, {@code snapshot}, a member of its presence
     * snapshot) to the peer's {@link PeerStore}, without waiting for the store; {@code finished} is told once it is
     * stored, parked, dropped or failed. What is held advances as stores finish (each then acknowledged at once,
     * {@link #held}); a store that fails ends the peer's stream, so that the peer resends what is not held.
     */
    void accept(String peerRegion, LinkFrame frame, boolean snapshot, Runnable finished) {
        store(peerRegion).accept(frame, snapshot, finished);
    }

    /** Whether a store of {@code peerRegion}'s frames runs or waits: its stream is not silent meanwhile. */
    boolean storing(String peerRegion) {
        PeerStore store = stores.get(peerRegion);
        return store != null && store.busy();
    }

    /** The peer can no longer resend anything below {@code oldestLinkSeq}. */
    void peerResendsFrom(String peerRegion, long oldestLinkSeq) {
        store(peerRegion).peerResendsFrom(oldestLinkSeq);
    }

    private PeerStore store(String peerRegion) {
        return stores.computeIfAbsent(peerRegion, peer -> new PeerStore(peer, applier, presence, counters,
                () -> backfillFrom.apply(peer), timing, this.nowMs, storeThreads, () -> held(peer),
                problem -> storeFailed(peer, problem)));
    }

    /** A store of {@code peerRegion}'s frames finished: the stream admitted now acknowledges what is held. */
    private void held(String peerRegion) {
        ReceiverSession session = admitted.get(peerRegion);
        if (session != null) {
            session.held();
        }
    }

    /** A store failed: the peer's stream ends (UNAVAILABLE), and the peer resends what is not held. */
    private void storeFailed(String peerRegion, String problem) {
        ReceiverSession session = admitted.get(peerRegion);
        if (session != null) {
            session.close(Status.UNAVAILABLE.withDescription("region " + region + " could not store frames from "
                    + peerRegion + ": " + problem));
        }
    }

    private void tick() {
        long now = nowMs();
        for (PeerStore store : stores.values()) {
            try {
                store.flushOverdue(now);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "flushing parked envelopes failed", e);
            }
        }
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
        storeThreads.shutdownNow();
    }
}
