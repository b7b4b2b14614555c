package io.heliograph.bridge.process;

import io.heliograph.bridge.link.LinkSender;
import io.heliograph.bridge.link.LinkTiming;
import io.heliograph.bridge.link.PeerReplicas;
import io.heliograph.bridge.link.RegionBridgeService;
import io.heliograph.bridge.link.SenderCounters;
import io.heliograph.bridge.outbound.OutboundLog;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * The holder's side of the links: one {@link LinkSender} per peer region while this replica holds the bridge lease,
 * none while it stands by. One stream per pair of regions: towards a peer whose name sorts after this region's the
 * sender dials and receives on the same stream; towards one before it, it sends on the stream the peer dials
 * ({@link LinkSender#dials}). Each tenure starts new senders, which resume from the peer's acknowledgement in its Hello
 * (invariant 7), so nothing carries over but the counters: those of retired senders are kept so that
 * {@code /metrics} counters never go down.
 */
final class PeerLinks {

    private static final System.Logger LOG = System.getLogger(PeerLinks.class.getName());

    private final String region;
    private final String replicaId;
    private final LongSupplier leaseEpoch;
    private final Map<String, PeerReplicas> replicas;
    private final Map<String, OutboundLog> logs;
    private final RegionBridgeService service;
    private final LinkTiming timing;
    private final LongSupplier nowMs;
    private final java.util.function.BiConsumer<String, io.heliograph.protocol.Serial> commitAcknowledged;
    private final java.util.function.BiConsumer<String, io.heliograph.protocol.Serial> endFencedEpoch;
    private final java.util.function.Supplier<List<io.heliograph.bridge.v1.PresenceChange>> presenceSnapshot;
    private final Map<String, LinkSender> running = new ConcurrentHashMap<>();
    private volatile io.heliograph.bridge.link.TableExchange tables = io.heliograph.bridge.link.TableExchange.NONE;
    private final Map<String, List<SenderCounters>> retired = new ConcurrentHashMap<>();
    /** Set by {@link #close()}: a lease gained while the process closes starts nothing. */
    private boolean closed;

    PeerLinks(String region, String replicaId, LongSupplier leaseEpoch, Map<String, PeerReplicas> replicas,
              Map<String, OutboundLog> logs, RegionBridgeService service, LinkTiming timing, LongSupplier nowMs,
              java.util.function.BiConsumer<String, io.heliograph.protocol.Serial> commitAcknowledged,
              java.util.function.BiConsumer<String, io.heliograph.protocol.Serial> endFencedEpoch,
              java.util.function.Supplier<List<io.heliograph.bridge.v1.PresenceChange>> presenceSnapshot) {
        this.commitAcknowledged = commitAcknowledged;
        this.endFencedEpoch = endFencedEpoch;
        this.presenceSnapshot = presenceSnapshot;
        this.region = region;
        this.replicaId = replicaId;
        this.leaseEpoch = leaseEpoch;
        this.replicas = Map.copyOf(replicas);
        this.logs = Map.copyOf(logs);
        this.service = service;
        this.timing = timing;
        this.nowMs = nowMs;
    }

    /** How every sender's Hello carries the mesh table; set before {@link #start()}. */
    PeerLinks tableExchange(io.heliograph.bridge.link.TableExchange exchange) {
        this.tables = exchange;
        return this;
    }

    /** Starts a sender for every peer that has none; nothing once closed. */
    synchronized void start() {
        if (closed) {
            return;
        }
        for (var peer : replicas.entrySet()) {
            running.computeIfAbsent(peer.getKey(), p -> {
                LinkSender sender = new LinkSender(region, replicaId, leaseEpoch, peer.getValue(), logs.get(p),
                        () -> service.heldThrough(p), timing, nowMs, commitAcknowledged, endFencedEpoch)
                        .presenceSnapshot(presenceSnapshot).tableExchange(tables);
                // One stream per pair of regions: the side that dials receives the peer's envelopes on it too;
                // the other sends on the stream the peer dials.
                return LinkSender.dials(region, p) ? sender.bothWays(service).start() : sender.acceptFrom(service);
            });
        }
    }

    /**
     * Stops every sender now: each is told to stop at once (its stream is half-closed and it reads no further), and
     * this waits for all of them together, bounded by {@link LinkSender#close()}'s own wait.
     */
    void stop() {
        List<LinkSender> stopping;
        synchronized (this) {
            stopping = new ArrayList<>(running.values());
            // Moved in one step with total() excluded, so a counter is never read twice or not at all.
            for (LinkSender sender : stopping) {
                retired.computeIfAbsent(sender.peerRegion(), p -> new CopyOnWriteArrayList<>())
                        .add(sender.counters());
            }
            running.clear();
        }
        List<Thread> closers = new ArrayList<>();
        for (LinkSender sender : stopping) {
            closers.add(Thread.ofVirtual().name("stop-link-" + sender.peerRegion()).start(sender::close));
        }
        for (Thread closer : closers) {
            try {
                if (!closer.join(Duration.ofSeconds(10))) {
                    LOG.log(System.Logger.Level.WARNING, "region bridge " + region + ": " + closer.getName()
                            + " did not finish within 10 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops the senders for good: a {@link #start()} racing with the process's close starts none. */
    void close() {
        synchronized (this) {
            closed = true;
        }
        stop();
    }

    Optional<LinkSender> sender(String peer) {
        return Optional.ofNullable(running.get(peer));
    }

    /** A sender counter of {@code peer} over every sender this process ran for it. */
    synchronized long total(String peer, ToLongFunction<SenderCounters> counter) {
        long sum = retired.getOrDefault(peer, List.of()).stream().mapToLong(counter).sum();
        LinkSender current = running.get(peer);
        return current == null ? sum : sum + counter.applyAsLong(current.counters());
    }

    PeerReplicas replicas(String peer) {
        return replicas.get(peer);
    }
}
