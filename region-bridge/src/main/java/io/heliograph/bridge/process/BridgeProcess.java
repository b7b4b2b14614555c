package io.heliograph.bridge.process;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.heliograph.bridge.BridgeConfigException;
import io.heliograph.bridge.BridgeServer;
import io.heliograph.bridge.PeerChannel;
import io.heliograph.bridge.link.LinkSender;
import io.heliograph.bridge.link.PresenceCodec;
import io.heliograph.bridge.link.PeerReplicas;
import io.heliograph.bridge.link.RegionBridgeService;
import io.heliograph.bridge.link.TableExchange;
import io.heliograph.bridge.outbound.OutboundLog;
import io.heliograph.bridge.outbound.hazelcast.HazelcastOutboundLog;
import io.heliograph.bridge.tls.BridgeTls;
import io.heliograph.bridge.v1.RegionBridgeGrpc;
import io.heliograph.bridge.forward.ForwardArrivals;
import io.heliograph.bridge.forward.ForwardCounters;
import io.heliograph.bridge.forward.HomeForwarding;
import io.heliograph.bridge.takeover.ChannelTakeover;
import io.heliograph.bridge.takeover.TakeoverCounters;
import io.heliograph.bridge.takeover.YieldArrivals;
import io.heliograph.region.hazelcast.HazelcastMeshTableStore;
import io.heliograph.region.fabric.FanOut;
import io.heliograph.region.hazelcast.HazelcastForwarding;
import io.heliograph.region.hazelcast.HazelcastPresenceRegistry;
import io.heliograph.region.hazelcast.HazelcastChannelLog;
import io.heliograph.region.hazelcast.HazelcastFabric;
import io.heliograph.region.hazelcast.HazelcastLeaseStore;
import io.heliograph.region.hazelcast.RegionCalls;
import io.heliograph.region.hazelcast.RegionMember;
import io.heliograph.region.lease.Lease;
import io.heliograph.region.lease.LeaseKeeper;
import io.heliograph.region.lease.LeaseListener;
import io.heliograph.region.lease.LeaseTiming;
import io.heliograph.region.sequencing.Replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One bridge replica of a region, running: a lite member of the region's Hazelcast cluster (it owns no partitions,
 * so losing it loses no data and moves none), the bridge server, and the region's bridge lease. The holder serves
 * {@code RegionBridge} (receiving from every peer into the region's channel logs through {@link Replication}, fanned
 * out to the edge nodes' subscribers) and runs one {@link io.heliograph.bridge.link.LinkSender} per peer from that
 * peer's {@link HazelcastOutboundLog}; the standby answers Link with UNAVAILABLE and serves health only. Roles change
 * only with the lease ({@link LeaseListener}): on losing it the holder stops its senders and ends its inbound streams
 * at once; on gaining it a replica starts senders that resume from each peer's acknowledgement.
 */
public final class BridgeProcess implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(BridgeProcess.class.getName());

    private final BridgeConfig config;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final Map<String, AtomicLong> regionUnavailable = new ConcurrentHashMap<>();
    private final RegionPresenceSink presence;
    private final BridgeTls tls;
    private final HazelcastInstance hz;
    private final Map<String, OutboundLog> outbound = new LinkedHashMap<>();
    private final RegionBridgeService service;
    private final HolderGate gate;
    private final BridgeServer server;
    private final PeerLinks links;
    private final PeerPresenceExpiry presenceExpiry;
    private final ForwardCounters forwardCounters = new ForwardCounters();
    private final TakeoverCounters takeoverCounters = new TakeoverCounters();
    private final LeaseKeeper keeper;
    private final BridgeHttp http;
    private volatile boolean closing;

    private BridgeProcess(BridgeConfig config) {
        this.config = config;
        try {
            LongSupplier nowMs = System::currentTimeMillis;
            // Cheap checks first: certificate files and peers before joining the cluster.
            this.tls = config.insecure() ? null : tls(config);
            Map<String, PeerReplicas> replicas = new LinkedHashMap<>();
            config.peers().forEach((peer, addresses) -> {
                List<PeerChannel> channels = new ArrayList<>();
                for (BridgeConfig.PeerAddress address : addresses) {
                    channels.add(PeerChannel.builder().peerRegion(peer).address(address.host(), address.port())
                            .tls(tls).insecure(config.insecure()).settings(config.settings()).build());
                }
                replicas.put(peer, closing(new PeerReplicas(peer, channels,
                        addresses.stream().map(BridgeConfig.PeerAddress::url).toList())));
            });

            Config member = HazelcastOutboundLog.configure(RegionMember.config(config.memberSettings()));
            // A bridge owns no partitions: killing a replica loses no data and moves no partitions.
            member.setLiteMember(true);
            this.hz = Hazelcast.newHazelcastInstance(member);
            closing(() -> hz.getLifecycleService().shutdown());
            if (hz.getCluster().getMembers().stream().allMatch(m -> m.isLiteMember())) {
                // Alone, a lite member forms a cluster of its own that can store nothing.
                throw new BridgeConfigException("hazelcast.members: no member of cluster '"
                        + config.hazelcast().clusterName() + "' that holds data answered at "
                        + config.hazelcast().members() + " (start the region's edge nodes first)");
            }
            RegionCalls calls = new RegionCalls(reason ->
                    regionUnavailable.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet());
            HazelcastChannelLog channels = new HazelcastChannelLog(hz, config.history(), nowMs, calls);
            HazelcastFabric fabric = new HazelcastFabric(hz);
            // Peers' presence is applied here and announced to this region's subscribers through the edge nodes.
            HazelcastPresenceRegistry registry = new HazelcastPresenceRegistry(hz, calls);
            this.presence = new RegionPresenceSink(registry, fabric);
            // No local receiver: a bridge has no subscribers, so every replicated message goes to the edge nodes.
            Replication replication = new Replication(channels, new FanOut(fabric, null));
            for (String peer : config.peers().keySet()) {
                HazelcastOutboundLog log = new HazelcastOutboundLog(hz, peer, config.outbound(), nowMs, calls);
                log.begin();
                outbound.put(peer, log);
                // The edge nodes append in other processes: each append wakes the peer's sender at once.
                closing(log.onAppend(() -> wakeSender(peer)));
            }

            LongSupplier leaseEpoch = () -> keeper().currentEpoch().orElse(0);
            this.service = closing(new RegionBridgeService(config.region(), config.replicaId(), leaseEpoch, channels,
                    replication, presence, peer -> {
                        PeerReplicas peerReplicas = replicas.get(peer);
                        if (peerReplicas == null) {
                            return request -> {
                                throw new IllegalStateException(peer + " is not a peer of " + config.region());
                            };
                        }
                        return peerReplicas.backfill();
                    }, config.timing(), nowMs));
            // Forwarded publishes: out from this region's edge nodes to a channel's home, in from peers for channels
            // homed here. Every replica carries them; they need no lease.
            ForwardArrivals forwardArrivals = new ForwardArrivals(config.region(), config.peers().keySet(),
                    publish -> HazelcastForwarding.atHome(hz, publish), forwardCounters);
            HazelcastForwarding.offerHomeLink(hz, new HomeForwarding(config.region(), replicas, forwardCounters));
            closing(() -> HazelcastForwarding.withdraw(hz));
            // Takeovers: out for channels this region's edge nodes start sequencing in an epoch, in from peers that do.
            HazelcastMeshTableStore tables = new HazelcastMeshTableStore(hz, calls);
            // Every Hello carries the region's table and takes a newer one from the peer: a region that missed the
            // control plane's push (frozen, or cut off from the control plane only) learns the moves from its peers.
            TableExchange tableExchange = new TableExchange() {
                @Override
                public java.util.Optional<io.heliograph.region.mesh.MeshTable> held() {
                    return tables.current();
                }

                @Override
                public void offered(io.heliograph.region.mesh.MeshTable table, String peer) {
                    // Most Hellos carry the table this region holds already: the local copy says so without the
                    // entry processor's round trip to the table's partition owner.
                    if (tables.current().map(held -> held.version() >= table.version()).orElse(false)) {
                        return;
                    }
                    if (tables.offer(table).applied()) {
                        takeoverCounters.tablesLearned.incrementAndGet();
                        LOG.log(System.Logger.Level.INFO, "mesh table " + table.version() + " learned from " + peer
                                + "'s Hello: homes " + table.homes());
                    }
                }
            };
            service.tableExchange(tableExchange);
            HazelcastForwarding.offerTakeoverLink(hz, new ChannelTakeover(config.region(), replicas, tables, channels,
                    replication, leaseEpoch, takeoverCounters));
            this.gate = new HolderGate(config.region(), service, forwardArrivals,
                    new YieldArrivals(config.region(), config.peers().keySet(), channels, takeoverCounters));
            try {
                this.server = closing(BridgeServer.builder().region(config.region())
                        .listen(config.host(), config.port()).tls(tls).insecure(config.insecure()).service(gate)
                        .settings(config.settings()).build()).start();
            } catch (java.io.UncheckedIOException e) {
                throw new BridgeConfigException("port: cannot listen on " + config.host() + ":" + config.port()
                        + ": " + BridgeMain.describe(e.getCause()), e);
            }
            server.health().setStatus(RegionBridgeGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
            // What a peer acknowledges is committed here: a global publish nobody waits for any more is released.
            this.links = new PeerLinks(config.region(), config.replicaId(), leaseEpoch, replicas, outbound, service,
                    config.timing(), nowMs, channels::commit,
                    // A peer fenced this region's envelopes (a stale home): the epoch ends here where it ended there.
                    (channel, end) -> channels.fence(channel, end.epoch() + 1, end), () -> registry.membersOf(config.region()).stream()
                    .map(event -> PresenceCodec.toWire(event, nowMs.getAsLong())).toList())
                    .tableExchange(tableExchange);
            // A peer unreachable for the presence timeout: its members leave here (they come back with its snapshot).
            this.presenceExpiry = new PeerPresenceExpiry(config.peers().keySet(), config.presencePeerTimeoutMs(),
                    service::linkedPeers, presence::forget, nowMs);
            closing(presenceExpiry.start());

            this.http = closing(BridgeHttp.start(config.httpHost(), config.httpPort(), new BridgeHealth(this),
                    new BridgeMetrics(this)));
            this.keeper = new LeaseKeeper(new HazelcastLeaseStore(hz, nowMs, calls), config.leaseName(),
                    config.replicaId(), LeaseTiming.ofTtl(Duration.ofMillis(config.leaseTtlMs())), new Roles());
            keeper.start();
        } catch (RuntimeException e) {
            // Whatever started before the failure (ports, the member) is closed, so a failed start leaves nothing.
            closeStarted(started);
            throw e;
        }
    }

    private void wakeSender(String peer) {
        PeerLinks running = links;
        if (running != null) {
            running.sender(peer).ifPresent(LinkSender::wake);
        }
    }

    /** The TLS files read now; a bad one stops start-up with its key ({@code tls.cert-chain}, …). */
    private static BridgeTls tls(BridgeConfig config) {
        try {
            return BridgeTls.builder().region(config.region()).peerRegions(config.peers().keySet())
                    .files(config.tls()).build();
        } catch (BridgeConfigException e) {
            String message = String.valueOf(e.getMessage());
            throw message.startsWith("cert-chain") || message.startsWith("private-key")
                    || message.startsWith("trusted-ca") ? new BridgeConfigException("tls." + message, e) : e;
        }
    }

    /**
     * Starts a replica and waits (at most one lease TTL) until it knows its first role.
     *
     * @throws BridgeConfigException when the configuration cannot work (files, peers)
     * @throws RuntimeException      when a port is taken or the region cannot be joined; what started is closed
     */
    public static BridgeProcess start(BridgeConfig config) {
        BridgeProcess process = new BridgeProcess(config);
        try {
            process.awaitFirstRole();
            return process;
        } catch (RuntimeException e) {
            process.close();
            throw e;
        }
    }

    private <T extends AutoCloseable> T closing(T closeable) {
        started.add(closeable);
        return closeable;
    }

    private LeaseKeeper keeper() {
        return keeper;
    }

    /**
     * Becomes holder at once when the lease is free; a standby knows it once the holder's record is read. Waits at
     * most one lease TTL; a replica whose role is not known by then starts as a standby and learns it later.
     */
    private void awaitFirstRole() {
        HazelcastLeaseStore store = new HazelcastLeaseStore(hz);
        long deadline = System.nanoTime() + Duration.ofMillis(config.leaseTtlMs()).toNanos();
        while (System.nanoTime() < deadline && !keeper.isHolder()) {
            java.util.Optional<Lease> current;
            try {
                current = store.current(config.leaseName());
            } catch (io.heliograph.protocol.HeliographException e) {
                // The region's data members are briefly out of reach (a loaded machine, a member rejoining): the
                // role is only awaited here, the keeper acts on its own; ask again until the deadline.
                current = java.util.Optional.empty();
            }
            // A released record has no holder: the lease is free, and this replica takes it at its next attempt.
            if (current.isPresent() && current.get().holder() != null
                    && !current.get().holder().equals(keeper.holder())
                    && current.get().heldAt(System.currentTimeMillis())) {
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The lease's role changes: short work on the keeper's notification thread; stopping senders is parallel. */
    private final class Roles implements LeaseListener {
        @Override
        public void gained(Lease lease) {
            if (closing || !keeper.isHolder()) {
                return;
            }
            LOG.log(System.Logger.Level.INFO, "region bridge " + config.region() + " replica " + config.replicaId()
                    + " holds the bridge lease (epoch " + lease.leaseEpoch() + "): linking to "
                    + config.peers().keySet());
            presenceExpiry.holding(true);
            gate.open();
            server.health().setStatus(RegionBridgeGrpc.SERVICE_NAME, ServingStatus.SERVING);
            links.start();
        }

        @Override
        public void lost(Lease lease, LossReason reason) {
            LOG.log(closing ? System.Logger.Level.INFO : System.Logger.Level.WARNING, "region bridge "
                    + config.region() + " replica " + config.replicaId() + " lost the bridge lease (epoch "
                    + lease.leaseEpoch() + ", " + reason + "): standing by");
            presenceExpiry.holding(false);
            gate.shut();
            server.health().setStatus(RegionBridgeGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
            links.stop();
        }
    }

    /** {@code bridge <region> <replica-id> <bridge-url> <http-url> <holder|standby>}: printed once when ready. */
    public String readyLine() {
        return "bridge " + config.region() + " " + config.replicaId() + " " + bridgeUrl() + " " + httpUrl() + " "
                + role();
    }

    public String bridgeUrl() {
        return (config.insecure() ? "http://" : "https://") + config.host() + ":" + server.port();
    }

    public String httpUrl() {
        return "http://" + config.httpHost() + ":" + http.port();
    }

    /** {@code holder} or {@code standby}. */
    public String role() {
        return keeper.isHolder() ? "holder" : "standby";
    }

    public boolean isHolder() {
        return keeper.isHolder();
    }

    public BridgeConfig config() {
        return config;
    }

    BridgeTls tls() {
        return tls;
    }

    HazelcastInstance member() {
        return hz;
    }

    LeaseKeeper lease() {
        return keeper;
    }

    PeerLinks links() {
        return links;
    }

    Map<String, OutboundLog> outbound() {
        return outbound;
    }

    RegionBridgeService service() {
        return service;
    }

    TakeoverCounters takeoverCounters() {
        return takeoverCounters;
    }

    ForwardCounters forwardCounters() {
        return forwardCounters;
    }

    HolderGate gate() {
        return gate;
    }

    RegionPresenceSink presence() {
        return presence;
    }

    Map<String, AtomicLong> regionUnavailable() {
        return regionUnavailable;
    }

    /**
     * Graceful: releases the lease first (so the standby takes over at once, not after the TTL; the senders stop
     * and the inbound streams end on the loss), then the servers, the channels and the member.
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        if (keeper != null) {
            keeper.close();
        }
        if (links != null) {
            links.close();
        }
        closeStarted(started);
    }

    /**
     * As if the process were killed: the member leaves the cluster without a word and the lease is not released,
     * so the standby takes over only when the lease expires. For tests of takeover.
     */
    public void halt() {
        if (hz != null) {
            hz.getLifecycleService().terminate();
        }
        close();
    }

    private static void closeStarted(List<AutoCloseable> closeables) {
        for (AutoCloseable closeable : closeables.reversed()) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "closing " + closeable + " failed: " + e.getMessage());
            }
        }
        closeables.clear();
    }
}
