package io.heliograph.bridge.link;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.heliograph.bridge.PeerChannel;
import io.heliograph.bridge.outbound.OutboundLog;
import io.heliograph.bridge.outbound.OutboundStatus;
import io.heliograph.bridge.v1.Hello;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * This region's outbound half of the link to one peer region: streams the outbound log towards that peer, from the
 * peer's acknowledgement on (invariant 7), trimming the log by the peer's acks. One virtual thread runs it.
 *
 * <p>One stream per pair of regions ({@link #dials}): the region whose name sorts first dials, and the stream it
 * opens carries both directions. The dialling side ({@link #start}, with {@link #bothWays} to receive on the same
 * stream) keeps the stream open while it is wanted: connect, Hellos, stream; on any failure back off (exponential,
 * with jitter, capped) and connect again. A circuit breaker per peer records connection attempts, so {@code /health}
 * can say a peer is unreachable rather than merely slow; while it is open, attempts wait. The other side
 * ({@link #acceptFrom}) dials nothing: its {@link RegionBridgeService} hands it each stream the peer opens
 * ({@link #attach}) and it sends on that one, from the acknowledgement in the peer's Hello, until the stream ends.
 * Without {@link #bothWays} a dialler only sends (the layout of two streams per pair, one per direction, which a peer
 * that does not answer {@code duplex} still gets).
 *
 * <p>When the outbound log has dropped entries the peer never acknowledged ({@link OutboundStatus#overflowed()}),
 * this says so once per overflow (a WARNING, {@link SenderCounters#overflowReports()}) and streams on from the
 * oldest entry held; the peer repairs the channels concerned by Backfill from this region's history.
 */
public final class LinkSender implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(LinkSender.class.getName());

    private final String region;
    private final String replicaId;
    private final LongSupplier leaseEpoch;
    private final PeerReplicas replicas;
    private final OutboundLog log;
    private final LongSupplier heldFromPeer;
    private final LinkTiming timing;
    private final LongSupplier nowMs;
    private final AckCommitter committer;
    /** This region's own presence, sent at the start of every stream (see {@link #presenceSnapshot}). */
    private volatile java.util.function.Supplier<java.util.List<io.heliograph.bridge.v1.PresenceChange>> presence =
            java.util.List::of;
    private final Retry retry;
    private final CircuitBreaker breaker;
    private final SenderCounters counters = new SenderCounters();
    private final AtomicLong maxInFlightSeen = new AtomicLong();
    private final Thread agent;
    /** The dialling side of a duplex stream: the peer's envelopes come back on it, to this service (else null). */
    private volatile RegionBridgeService receiving;
    /** The accepting side: streams the peer dials here are handed over by this service (else null). */
    private volatile RegionBridgeService acceptingOn;
    /** Streams the peer dialled, handed over and not yet taken by the agent (the newest wins). */
    private final java.util.concurrent.BlockingQueue<SenderSession> attachments =
            new java.util.concurrent.LinkedBlockingQueue<>();
    private volatile boolean wanted = true;
    private volatile LinkState state = LinkState.NEW;
    private volatile SenderSession session;
    private volatile long lastResumeAfter = -1;
    private volatile String lastFailure = "";
    private final java.util.Map<String, String> lastFailureByReplica = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile long reportedOverflowThrough;
    /** The highest link_seq this sender ever sent: a frame at or below it is a resend. */
    private long highestSent;
    /** The log's acknowledgement when last seen (-1: not yet), so that only acks this sender saw are counted. */
    private long lastAcknowledged = -1;

    /**
     * @param leaseEpoch   this replica's bridge lease epoch, read at every (re)connect (the LeaseKeeper's
     *                     {@code currentEpoch()})
     * @param heldFromPeer how far this region holds the peer's own {@code link_seq}s
     *                     ({@link RegionBridgeService#heldThrough}), for the Hello and heartbeats
     */
    public LinkSender(String region, String replicaId, LongSupplier leaseEpoch, PeerChannel channel, OutboundLog log,
                      LongSupplier heldFromPeer, LinkTiming timing, LongSupplier nowMs) {
        this(region, replicaId, leaseEpoch, PeerReplicas.of(channel), log, heldFromPeer, timing, nowMs,
                (ch, serial) -> { }, (ch, serial) -> { });
    }

    /**
     * With several replicas of the peer: a failed attempt or stream moves on to the next replica (only the peer's
     * lease holder accepts the link; a standby answers UNAVAILABLE).
     */
    public LinkSender(String region, String replicaId, LongSupplier leaseEpoch, PeerReplicas replicas, OutboundLog log,
                      LongSupplier heldFromPeer, LinkTiming timing, LongSupplier nowMs) {
        this(region, replicaId, leaseEpoch, replicas, log, heldFromPeer, timing, nowMs, (ch, serial) -> { },
                (ch, serial) -> { });
    }

    /** One peer replica, committing what the peer acknowledges; see the full constructor. */
    public LinkSender(String region, String replicaId, LongSupplier leaseEpoch, PeerChannel channel, OutboundLog log,
                      LongSupplier heldFromPeer, LinkTiming timing, LongSupplier nowMs,
                      java.util.function.BiConsumer<String, io.heliograph.protocol.Serial> commitAcknowledged) {
        this(region, replicaId, leaseEpoch, PeerReplicas.of(channel), log, heldFromPeer, timing, nowMs,
                commitAcknowledged, (c, end) -> { });
    }

    /**
     * @param commitAcknowledged commits a channel through a serial once the peer holds it (the region's
     *                           {@code ChannelLog.commit}): what releases global publishes nobody waits for any more
     * @param endFencedEpoch     ends a channel's epoch here where the peer says it ended (the peer fenced this
     *                           region's envelopes: this region is a stale home); see {@code Ack.fenced}
     */
    public LinkSender(String region, String replicaId, LongSupplier leaseEpoch, PeerReplicas replicas, OutboundLog log,
                      LongSupplier heldFromPeer, LinkTiming timing, LongSupplier nowMs,
                      java.util.function.BiConsumer<String, io.heliograph.protocol.Serial> commitAcknowledged,
                      java.util.function.BiConsumer<String, io.heliograph.protocol.Serial> endFencedEpoch) {
        this.committer = new AckCommitter(Objects.requireNonNull(commitAcknowledged, "commitAcknowledged"),
                Objects.requireNonNull(endFencedEpoch, "endFencedEpoch"));
        this.region = Objects.requireNonNull(region, "region");
        this.replicaId = Objects.requireNonNull(replicaId, "replicaId");
        this.leaseEpoch = Objects.requireNonNull(leaseEpoch, "leaseEpoch");
        this.replicas = Objects.requireNonNull(replicas, "replicas");
        this.log = Objects.requireNonNull(log, "log");
        this.heldFromPeer = Objects.requireNonNull(heldFromPeer, "heldFromPeer");
        this.timing = Objects.requireNonNull(timing, "timing");
        this.nowMs = Objects.requireNonNull(nowMs, "nowMs");
        if (!log.peerRegion().equals(replicas.peerRegion())) {
            throw new IllegalArgumentException("outbound log for " + log.peerRegion() + " given to the link to "
                    + replicas.peerRegion());
        }
        String name = "peer-link-" + region + "-to-" + replicas.peerRegion();
        this.retry = Retry.of(name, RetryConfig.custom()
                .maxAttempts(Integer.MAX_VALUE)
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(timing.backoffInitial(), 2.0, 0.5,
                        timing.backoffMax()))
                .retryOnException(e -> wanted)
                .failAfterMaxAttempts(false)
                .build());
        this.breaker = CircuitBreaker.of(name, CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(5)
                .minimumNumberOfCalls(3)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofMillis(timing.breakerOpenMs()))
                .permittedNumberOfCallsInHalfOpenState(1)
                .build());
        this.agent = Thread.ofVirtual().name(name).unstarted(() -> {
            if (acceptingOn != null) {
                runAccepting();
            } else {
                run();
            }
        });
    }

    /**
     * Which side of a pair of regions dials the one stream between them: the region whose name sorts first. Both
     * sides compute it alike from their names alone, so neither needs to know the other's configuration.
     */
    public static boolean dials(String region, String peerRegion) {
        return region.compareTo(peerRegion) < 0;
    }

    /**
     * The stream this sender dials carries the peer's envelopes back as well, received by {@code service} (which
     * stores them, acknowledges them on the same stream and fences the peer's lease epoch). Set before
     * {@link #start()}.
     */
    public LinkSender bothWays(RegionBridgeService service) {
        this.receiving = Objects.requireNonNull(service, "service");
        return this;
    }

    /** Starts dialling in the background. */
    public LinkSender start() {
        agent.start();
        return this;
    }

    /**
     * Starts the accepting side instead of dialling: this region's outbound log goes to the peer on the streams the
     * peer dials to {@code service} ({@link #dials} says it is the peer's to dial). Instead of {@link #start()}.
     */
    public LinkSender acceptFrom(RegionBridgeService service) {
        this.acceptingOn = Objects.requireNonNull(service, "service");
        state = LinkState.ACCEPTING;
        service.accepting(this);
        agent.start();
        return this;
    }

    /**
     * The peer dialled and said {@code duplex} in {@code peerHello}, which was admitted and answered with this
     * sender's {@link #hello()}: this region's outbound log goes out on {@code stream} from now on, replacing any
     * stream before it. Called on a gRPC thread; the agent does the rest. Answers the half to hand the peer's
     * acknowledgements to, or null once this sender is closed.
     */
    SenderSession attach(LinkStream stream, Hello peerHello) {
        if (!wanted) {
            return null;
        }
        // The table its Hello carries was offered to this region by the service that admitted it.
        SenderSession half = new SenderSession(this, stream, peerHello);
        // Read before handing the new half over: the agent may take it at once, and it is not to end itself.
        SenderSession current = session;
        attachments.add(half);
        if (current != null) {
            current.streamEnded("superseded by a newer Link stream from " + peerRegion());
        }
        return half;
    }

    /** The accepting side's loop: each stream the peer dials, in turn, until closed. */
    private void runAccepting() {
        while (wanted) {
            SenderSession next;
            try {
                next = attachments.poll(timing.heartbeatMs(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue;
            }
            if (next == null) {
                continue;
            }
            for (SenderSession newer; (newer = attachments.poll()) != null; ) {
                next.streamEnded("superseded by a newer Link stream from " + peerRegion());
                next = newer;
            }
            session = next;
            try {
                next.openAttached();
                counters.streamsOpened.incrementAndGet();
                state = LinkState.STREAMING;
                next.stream();
            } catch (LinkException e) {
                if (wanted) {
                    counters.failedAttempts.incrementAndGet();
                    lastFailure = String.valueOf(e.getMessage());
                    LOG.log(System.Logger.Level.WARNING, "link from " + peerRegion() + ": " + e.getMessage()
                            + "; waiting for it to dial again");
                }
            } catch (InterruptedException e) {
                // Closing.
            } catch (RuntimeException e) {
                counters.failedAttempts.incrementAndGet();
                lastFailure = String.valueOf(e.getMessage());
                LOG.log(System.Logger.Level.WARNING, "link from " + peerRegion() + " failed", e);
            } finally {
                session = null;
                next.commitDue(nowMs(), true);
                next.cancel("link from " + peerRegion() + " " + (wanted ? "ended here" : "closed"));
                if (wanted) {
                    state = LinkState.ACCEPTING;
                }
            }
        }
        state = LinkState.CLOSED;
    }

    /** The service the peer's envelopes go to on the stream this sender dials (null: the stream sends only). */
    RegionBridgeService receivingService() {
        return receiving;
    }

    /** Something was appended to the outbound log: look at it now rather than at the next idle poll. */
    public void wake() {
        SenderSession current = session;
        if (current != null) {
            current.appended();
        }
    }

    private void run() {
        while (wanted) {
            try {
                retry.executeCallable(this::attempt);
            } catch (Exception e) {
                if (wanted) {
                    // Only reached if the retry gave up, which it never does while the link is wanted.
                    LOG.log(System.Logger.Level.WARNING, "link to " + peerRegion() + ": " + e.getMessage(), e);
                }
            }
        }
        state = LinkState.CLOSED;
    }

    /**
     * One connection: returns normally when the link is no longer wanted or a stream that had been healthy for
     * {@code stableSessionMs} ended (so the next backoff starts from the beginning); throws to be retried after a
     * backoff otherwise.
     */
    private Void attempt() throws Exception {
        if (!wanted) {
            return null;
        }
        long started = nowMs();
        boolean opened = false;
        PeerChannel dialled = replicas.current();
        try {
            breaker.acquirePermission();
            // Dial now, whatever gRPC's own backoff says: this retry's backoff is the one that paces reconnects.
            dialled.resetConnectBackoff();
            state = LinkState.CONNECTING;
            session = new SenderSession(this);
            session.open();
            opened = true;
            breaker.onSuccess(nowMs() - started, java.util.concurrent.TimeUnit.MILLISECONDS);
            counters.streamsOpened.incrementAndGet();
            state = LinkState.STREAMING;
            session.stream();
            return null;
        } catch (CallNotPermittedException e) {
            state = LinkState.BACKING_OFF;
            counters.failedAttempts.incrementAndGet();
            lastFailure = "circuit breaker open after repeated failed connects";
            throw e;
        } catch (Exception e) {
            if (!opened) {
                breaker.onError(nowMs() - started, java.util.concurrent.TimeUnit.MILLISECONDS, e);
            }
            // Whatever failed, the replica dialled may be a standby or gone: the next attempt tries the next one.
            replicas.failed(dialled);
            if (!wanted) {
                return null;
            }
            state = LinkState.BACKING_OFF;
            counters.failedAttempts.incrementAndGet();
            String failure = replicas.size() == 1 ? String.valueOf(e.getMessage())
                    : replicas.urlOf(dialled) + ": " + e.getMessage();
            // One WARNING when a link goes down or a replica's failure changes; repeats of one failure at DEBUG
            // (kept per replica, since attempts alternate between the peer's replicas).
            String previous = lastFailureByReplica.put(replicas.urlOf(dialled), failure);
            LOG.log(opened || !failure.equals(previous) ? System.Logger.Level.WARNING
                    : System.Logger.Level.DEBUG, "link to " + peerRegion() + ": " + failure + "; reconnecting");
            lastFailure = failure;
            if (opened && nowMs() - started >= timing.stableSessionMs()) {
                return null;
            }
            throw e;
        } finally {
            SenderSession ended = session;
            session = null;
            if (ended != null) {
                // What the peer acknowledged on this stream and is not committed yet (best effort, as any commit).
                ended.commitDue(nowMs(), true);
                ended.cancel("link to " + peerRegion() + " " + (wanted ? "reconnecting" : "closed"));
            }
        }
    }

    void resumed(Hello peerHello, long resumeAfter, OutboundStatus status) {
        lastResumeAfter = resumeAfter;
        LOG.log(System.Logger.Level.INFO, "link " + (acceptingOn != null ? "from " : "to ") + peerRegion()
                + " (replica " + peerHello.getReplicaId() + ", lease epoch " + peerHello.getLeaseEpoch() + ") open"
                + (acceptingOn != null || peerHello.getDuplex() && receiving != null ? " both ways" : "")
                + "; resending after " + lastResumeAfter + " of " + status.lastAppended());
    }

    void sent(int frames, long inFlight) {
        counters.framesSent.addAndGet(frames);
        maxInFlightSeen.accumulateAndGet(inFlight, Math::max);
    }

    /** One frame of {@code linkSeq} went out; called on the sender's own thread. */
    void sentLinkSeq(long linkSeq) {
        if (linkSeq <= highestSent) {
            counters.framesResent.incrementAndGet();
        } else {
            highestSent = linkSeq;
        }
    }

    /** The log's acknowledgement after an ack was applied; called on the sender's own thread. */
    void acknowledgedThrough(long acknowledged) {
        if (lastAcknowledged >= 0 && acknowledged > lastAcknowledged) {
            counters.framesAcked.addAndGet(acknowledged - lastAcknowledged);
        }
        lastAcknowledged = Math.max(lastAcknowledged, acknowledged);
    }

    /** Reports an overflow of the outbound log once per overflow. */
    void checkOverflow(OutboundStatus status) {
        if (status.overflowed() && status.droppedThrough() > reportedOverflowThrough) {
            reportedOverflowThrough = status.droppedThrough();
            counters.overflowReports.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "outbound log to " + peerRegion() + " overflowed: "
                    + status.missingEntries() + " entries after its acknowledgement " + status.acknowledged()
                    + " were dropped unacknowledged (through link_seq " + status.droppedThrough() + ", since "
                    + status.overflowSinceMs() + "); " + peerRegion() + " repairs their channels by Backfill");
        }
    }

    /**
     * This side's Hello: on the dialling side the first frame of the stream, on the accepting side the answer to the
     * peer's. Both say {@code duplex} when the stream carries both directions.
     */
    Hello hello() {
        OutboundStatus status = log.status();
        RegionBridgeService service = acceptingOn != null ? acceptingOn : receiving;
        return MeshTableCodec.withTable(Hello.newBuilder().setOriginRegion(region).setReplicaId(replicaId)
                .setLeaseEpoch(leaseEpoch.getAsLong()).setProtocolVersion(RegionBridgeService.PROTOCOL_VERSION)
                .setAckedLinkSeq(heldFromPeer.getAsLong())
                .setAckedLogIncarnation(service == null ? 0 : service.heldIncarnation(peerRegion()))
                .setOldestLinkSeq(status.oldestHeld()).setLogIncarnation(status.incarnation())
                .setDuplex(service != null), tables).build();
    }

    /** The peer's Hello came: the table it carries is offered to this region. */
    void peerHello(Hello hello) {
        MeshTableCodec.offerFrom(hello, peerRegion(), tables);
    }

    /** How the Hellos of this link carry the mesh table; {@link TableExchange#NONE} unless set before {@link #start()}. */
    public LinkSender tableExchange(TableExchange exchange) {
        this.tables = Objects.requireNonNull(exchange, "exchange");
        return this;
    }

    public String peerRegion() {
        return replicas.peerRegion();
    }

    /** The URL of the peer replica this link dials now (or streams to). */
    public String peerUrl() {
        return replicas.currentUrl();
    }

    public LinkState state() {
        return state;
    }

    /** The peer's circuit breaker (CLOSED, OPEN, HALF_OPEN), for {@code /metrics} and {@code /health}. */
    public CircuitBreaker.State circuitState() {
        return breaker.getState();
    }

    /** Whether the outbound log no longer reaches back to the peer's acknowledgement, for {@code /health}. */
    public boolean overflowed() {
        return log.status().overflowed();
    }

    public SenderCounters counters() {
        return counters;
    }

    /** Entries sent on the current stream and not yet acknowledged (0 without a stream). */
    public long inFlight() {
        SenderSession current = session;
        return current == null ? 0 : current.inFlight();
    }

    /** The most entries ever in flight at once. */
    public long maxInFlightSeen() {
        return maxInFlightSeen.get();
    }

    /** The peer's acknowledgement in its last Hello: where the last stream resent from (-1: never connected). */
    public long lastResumeAfter() {
        return lastResumeAfter;
    }

    /** Why the last attempt or stream failed ("" if none did). */
    public String lastFailure() {
        return lastFailure;
    }

    /** Stops linking: half-closes the stream, ends the thread. The channel is the caller's to close. */
    @Override
    public void close() {
        wanted = false;
        RegionBridgeService service = acceptingOn;
        if (service != null) {
            service.notAccepting(this);
        }
        attachments.forEach(pending -> pending.cancel("link from " + peerRegion() + " closed"));
        SenderSession current = session;
        if (current != null) {
            current.wake();
        }
        agent.interrupt();
        try {
            agent.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        state = LinkState.CLOSED;
    }

    boolean wanted() {
        return wanted;
    }

    PeerChannel channel() {
        return replicas.current();
    }


    OutboundLog log() {
        return log;
    }

    LinkTiming timing() {
        return timing;
    }

    /**
     * What this region's members are now, sent to the peer as presence frames without a {@code link_seq} after every
     * Hello, before the log is resent: a peer that forgot this region's members (its link was down longer than its
     * presence timeout) gets them back, and one that did not finds nothing new. Set before {@link #start()}.
     */
    private volatile TableExchange tables = TableExchange.NONE;

    public LinkSender presenceSnapshot(
            java.util.function.Supplier<java.util.List<io.heliograph.bridge.v1.PresenceChange>> snapshot) {
        this.presence = Objects.requireNonNull(snapshot, "snapshot");
        return this;
    }

    java.util.List<io.heliograph.bridge.v1.PresenceChange> presenceSnapshot() {
        return presence.get();
    }

    AckCommitter committer() {
        return committer;
    }

    long heldFromPeer() {
        return heldFromPeer.getAsLong();
    }

    long nowMs() {
        return nowMs.getAsLong();
    }
}
