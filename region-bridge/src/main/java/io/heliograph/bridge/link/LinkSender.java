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
 * Keeps this region's Link stream to one peer region open while it is wanted, and streams the outbound log towards
 * that peer over it, from the peer's acknowledgement on (invariant 7), trimming the log by the peer's acks. One
 * virtual thread runs it: connect, Hellos, stream; on any failure back off (exponential, with jitter, capped) and
 * connect again, for as long as the link is wanted. A circuit breaker per peer records connection attempts, so
 * {@code /health} can say a peer is unreachable rather than merely slow; while it is open, attempts wait.
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
        this.agent = Thread.ofVirtual().name(name).unstarted(this::run);
    }

    /** Starts linking in the background. */
    public LinkSender start() {
        agent.start();
        return this;
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

    void resumed(Hello peerHello, OutboundStatus status) {
        lastResumeAfter = peerHello.getAckedLinkSeq();
        LOG.log(System.Logger.Level.INFO, "link to " + peerRegion() + " (replica " + peerHello.getReplicaId()
                + ", lease epoch " + peerHello.getLeaseEpoch() + ") open; resending after " + lastResumeAfter
                + " of " + status.lastAppended());
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

    Hello hello() {
        OutboundStatus status = log.status();
        return MeshTableCodec.withTable(Hello.newBuilder().setOriginRegion(region).setReplicaId(replicaId)
                .setLeaseEpoch(leaseEpoch.getAsLong()).setProtocolVersion(RegionBridgeService.PROTOCOL_VERSION)
                .setAckedLinkSeq(heldFromPeer.getAsLong()).setOldestLinkSeq(status.oldestHeld())
                .setLogIncarnation(status.incarnation()), tables).build();
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
