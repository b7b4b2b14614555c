package io.heliograph.edge;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderValues;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.observe.ObserveFeature;

import io.heliograph.bridge.outbound.OutboundLimits;
import io.heliograph.bridge.outbound.OutboundLog;
import io.heliograph.bridge.outbound.OutboundPresence;
import io.heliograph.bridge.outbound.ReplicatingCommitment;
import io.heliograph.region.presence.PresenceReplication;
import io.heliograph.bridge.outbound.hazelcast.HazelcastOutboundLog;
import io.heliograph.edge.api.DepartedNodeAgent;
import io.heliograph.edge.api.EdgeOperations;
import io.heliograph.edge.config.EdgeConfig;
import io.heliograph.edge.delivery.DeliveryHub;
import io.heliograph.region.fabric.FanOut;
import io.heliograph.region.sequencing.Commitment;
import io.heliograph.region.sequencing.Forwarder;
import io.heliograph.region.sequencing.RendezvousHomes;
import io.heliograph.region.hazelcast.HazelcastForwarding;
import io.heliograph.region.sequencing.Sequencer;
import io.heliograph.region.sequencing.Takeover;
import io.heliograph.region.mesh.InMemoryMeshTableStore;
import io.heliograph.region.mesh.MeshHomes;
import io.heliograph.region.mesh.MeshTable;
import io.heliograph.region.mesh.MeshTableStore;
import io.heliograph.region.hazelcast.HazelcastMeshTableStore;
import io.heliograph.edge.mesh.MeshAdminApi;
import io.heliograph.edge.mesh.PauseFence;
import io.heliograph.edge.observe.EdgeHealth;
import io.heliograph.edge.observe.EdgeMetrics;
import io.heliograph.edge.transport.ConnectionRegistry;
import io.heliograph.edge.transport.ConnectionRehearsal;
import io.heliograph.edge.transport.EdgeWebSocket;
import io.heliograph.edge.transport.FrameHandler;
import io.heliograph.edge.transport.HttpApi;
import io.heliograph.edge.transport.JitWarmup;
import io.heliograph.edge.transport.WsServer;
import io.heliograph.protocol.auth.Tokens;
import io.heliograph.region.channel.ChannelLog;
import io.heliograph.region.channel.HistoryLimits;
import io.heliograph.region.channel.InMemoryChannelLog;
import io.heliograph.region.fabric.LocalFabric;
import io.heliograph.region.fabric.RegionFabric;
import io.heliograph.region.hazelcast.HazelcastChannelLog;
import io.heliograph.region.hazelcast.HazelcastFabric;
import io.heliograph.region.hazelcast.HazelcastPresenceRegistry;
import io.heliograph.region.hazelcast.RegionCalls;
import io.heliograph.region.hazelcast.RegionMember;
import io.heliograph.region.presence.InMemoryPresenceRegistry;
import io.heliograph.region.presence.PresenceRegistry;

/** One running edge node: region state, delivery, WebSocket and HTTP, with an orderly shutdown. */
public final class EdgeNode implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EdgeNode.class.getName());
    /** How long an early message waits for the ones before it before history is read. */
    private static final long GAP_WAIT_MS = 150;
    /** How often the coordinator trims aged history of every channel. */
    private static final long EXPIRY_SWEEP_MS = 60_000;
    private final int rehearsedConnections;
    private static final Object SERVER_BUILD_LOCK = new Object();
    /** How often a node with global publishes waiting reads each peer's acknowledged position. */
    private static final long ACK_POLL_MS = 2;
    /**
     * How much longer than a global commit may take a forwarded publish is waited for: the home's own wait plus two
     * region round trips and the hops inside both regions.
     */
    static final long FORWARD_MARGIN_MS = 5_000;

    private final EdgeConfig config;
    private final HazelcastInstance hazelcast;
    private final RegionFabric fabric;
    private final EdgeMetrics metrics;
    private final ConnectionRegistry connections;
    private final DeliveryHub hub;
    private final WebServer server;
    private final WsServer wsServer;
    private final ScheduledExecutorService timer;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final Commitment commitment;
    private final MeshTableStore meshTables;
    private final PauseFence pauseFence;

    private EdgeNode(EdgeConfig config, HazelcastInstance hazelcast, ChannelLog log, PresenceRegistry presence,
                     RegionFabric fabric, Commitment commitment, EdgeMetrics metrics, LongSupplier nowMs) {
        this.config = config;
        this.hazelcast = hazelcast;
        this.fabric = fabric;
        this.metrics = metrics;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "edge-timer");
            t.setDaemon(true);
            return t;
        });
        Tokens tokens = new Tokens(config.jwtSecret(), () -> java.time.Instant.ofEpochMilli(nowMs.getAsLong()));
        this.hub = new DeliveryHub(log, fabric.localNodeId(), timer, GAP_WAIT_MS, metrics);
        // Until the control plane hands out home tables (and moves homes), every region computes the same one from its
        // configuration; a publish on a channel homed elsewhere goes to its home through this region's bridge.
        EdgeConfig.Replication replication = config.replication();
        // The configuration places every channel in a base region; the mesh table the control plane pushes says where
        // each base region's channels are sequenced now. A home of a mesh takes a channel over (through its bridge)
        // before its first serial in an epoch.
        this.meshTables = hazelcast != null ? new HazelcastMeshTableStore(hazelcast) : new InMemoryMeshTableStore();
        boolean mesh = !replication.peers().isEmpty() && hazelcast != null;
        long bridgeTimeoutMs = replication.globalTimeoutMs() + FORWARD_MARGIN_MS;
        // A node paused longer than a failover takes may hold a table its region's homes have left: it sequences
        // nothing until the control plane confirms the table (shared/MULTI-REGION.md, invariant 2).
        this.pauseFence = new PauseFence(config.pauseFenceMs(), System::nanoTime,
                () -> meshTables.current().isPresent(), metrics::pauseFence, metrics::pausedAppend);
        Sequencer sequencer = new Sequencer(config.region(), new MeshHomes(
                new RendezvousHomes(replication.regions(config.region()), replication.homes()), meshTables), log,
                mesh ? HazelcastForwarding.viaBridge(hazelcast, bridgeTimeoutMs) : Forwarder.NONE,
                mesh ? HazelcastForwarding.takeoverViaBridge(hazelcast, bridgeTimeoutMs) : Takeover.NONE,
                metrics::epochFenced, pauseFence);
        this.commitment = commitment;
        if (commitment instanceof ReplicatingCommitment replicating) {
            metrics.globalDurability(replicating::globalTimeouts, replicating::lateCommitsWaiting,
                    replicating::lateCommitsAbandoned);
        }
        // This region's members go to every peer through the same outbound logs as its messages.
        PresenceReplication presenceReplication = commitment instanceof ReplicatingCommitment replicating
                ? new OutboundPresence(replicating.logs()) : PresenceReplication.NONE;
        EdgeOperations operations = new EdgeOperations(log, sequencer, commitment, presence, presenceReplication,
                replication.durabilityDefaults(), fabric,
                new FanOut(fabric, hub), metrics, config.region(), config.limits().maxMessageBytes(), nowMs);
        if (hazelcast != null) {
            // Publishes other regions accept for channels homed here arrive through this region's bridges.
            HazelcastForwarding.offerHomePublisher(hazelcast, operations::publishAtHome);
        }
        this.connections = new ConnectionRegistry(hub, operations, metrics, config.heartbeatMs(), nowMs, timer);
        FrameHandler frames = new FrameHandler(operations, hub, metrics, config.limits());
        HttpApi http = new HttpApi(operations, tokens, metrics, config.limits().maxMessageBytes());
        MeshAdminApi admin = new MeshAdminApi(config.region(), config.adminToken(), meshTables,
                () -> new MeshTable.EdgeAddress(config.nodeId(), wsUrl(), httpUrl()), this::drain, this::undrain,
                metrics::error, pauseFence::confirm);
        metrics.gauges(hub::channelCount, () -> fabric.liveNodes().size());
        EdgeHealth health = new EdgeHealth(config.region(), config.nodeId(), fabric::describe, draining::get,
                connections::size, hub::channelCount,
                () -> meshTables.current().map(MeshTable::version).orElse(0L), pauseFence::pendingConfirmation);

        DepartedNodeAgent departed = new DepartedNodeAgent(operations::forgetNode, operations::forgetDepartedNodes,
                nodeId -> fabric.liveNodes().contains(nodeId), fabric::isCoordinator, metrics::departedNodeCleanup,
                timer, DepartedNodeAgent.Schedule.DEFAULT);
        fabric.start(hub, departed::nodeLeft, () -> {
            LOG.log(System.Logger.Level.WARNING, "rejoined the region after a split; re-registering interest and "
                    + "presence");
            metrics.splitBrainMerge("rejoined");
            hub.resync();
            connections.reenterPresence();
        }, () -> {
            LOG.log(System.Logger.Level.INFO, "a node merged back into the region; re-registering interest");
            metrics.splitBrainMerge("absorbed");
            hub.resync();
        });
        connections.start();
        departed.start();
        pauseFence.start();
        // Quiet channels would otherwise keep aged history until their next publish or attach.
        timer.scheduleAtFixedRate(() -> {
            if (fabric.isCoordinator()) {
                Thread.ofVirtual().start(() -> {
                    try {
                        log.expireAll();
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "history expiry sweep failed: " + e.getMessage());
                    }
                });
            }
        }, EXPIRY_SWEEP_MS, EXPIRY_SWEEP_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        WebServer built;
        // Helidon 4.5's metrics observer registers its request meters in a static HashMap while the server is built;
        // two nodes built at once in one JVM (the cluster tests) corrupt it, so building is serialised.
        synchronized (SERVER_BUILD_LOCK) {
            built = WebServer.builder()
                    .host(config.host())
                    .port(config.port())
                    .shutdownHook(false)
                    // Realtime frames go out at once: no Nagle delay waiting for the client's (delayed) ACK.
                    .connectionOptions(options -> options.tcpNoDelay(true))
                    .featuresDiscoverServices(false)
                    .addFeature(ObserveFeature.builder()
                            .endpoint("/")
                            .observersDiscoverServices(false)
                            .addObserver(metrics.observer())
                            .addObserver(health.observer())
                            .build())
                    // A refused upgrade's JSON body (a safe message) is sent; unsafe messages stay hidden.
                    .errorHandling(io.helidon.webserver.ErrorHandling.builder().includeEntity(true).build())
                    .directHandlers(DirectHandlers.builder()
                            .addHandler(DirectHandler.EventType.OTHER, EdgeNode::jsonRefusal)
                            .build())
                    .maxPayloadSize(config.limits().maxFrameBytes())
                    .routing(routing -> {
                        http.routing(routing, this::wsUrl);
                        admin.routing(routing);
                    })
                    .build();
        }
        // Before the first client: compile the connection path, so a storm of clients meets compiled code.
        int rounds = JitWarmup.run(tokens, config.warmupIterations(), java.time.Duration.ofSeconds(10));
        // Then what needs sockets: real connections to a private listener.
        this.rehearsedConnections = ConnectionRehearsal.run(tokens, hub, operations, frames, config, nowMs, timer,
                config.warmupConnections(), java.time.Duration.ofSeconds(10));
        if (rounds > 0 || rehearsedConnections > 0) {
            // One collection for both warm-ups: their garbage would otherwise leave the heap grown (and resident)
            // for the node's whole life.
            System.gc();
        }
        // WebSocket clients are served by our own event loops on a port of their own (WsServer says why).
        this.wsServer = WsServer.start(config.host(), config.wsPort(), 0, EdgeWebSocket.factory(tokens, frames,
                connections, metrics, config, nowMs, draining::get), () -> metrics.inputRefused("handshake_timeout"));
        try {
            this.server = built.start();
            // Helidon logs a listener that failed to bind and returns a stopped server instead of throwing.
            if (!server.isRunning()) {
                throw new IllegalStateException("the HTTP listener on " + config.host() + ":" + config.port()
                        + " did not start (port in use?)");
            }
        } catch (RuntimeException e) {
            wsServer.close();
            throw e;
        }
        LOG.log(System.Logger.Level.INFO, "edge " + config.region() + " " + config.nodeId() + " listening on "
                + wsUrl() + " (" + fabric.describe().get("engine") + ")");
    }

    /**
     * Answers a refused WebSocket upgrade with the JSON body the transport prepared; Helidon's default handler would
     * HTML-escape it.
     */
    private static DirectHandler.TransportResponse jsonRefusal(DirectHandler.TransportRequest request,
                                                               DirectHandler.EventType type, Status status,
                                                               ServerResponseHeaders headers, String message) {
        if (headers.contains(HeaderValues.CONTENT_TYPE_JSON)) {
            return DirectHandler.TransportResponse.builder().status(status).headers(headers).entity(message).build();
        }
        return DirectHandler.defaultHandler().handle(request, type, status, headers, message);
    }

    /** Starts a node whose region state lives in an embedded Hazelcast member. */
    public static EdgeNode start(EdgeConfig config) {
        // Every member of a region holds part of the bridges' outbound logs, whether or not this one has peers.
        HazelcastInstance hz = Hazelcast.newHazelcastInstance(
                HazelcastOutboundLog.configure(RegionMember.config(config.memberSettings())));
        EdgeMetrics metrics = null;
        try {
            metrics = new EdgeMetrics(config.nodeId());
            RegionCalls calls = new RegionCalls(metrics::regionUnavailable);
            HistoryLimits limits = limits(config);
            var log = new HazelcastChannelLog(hz, limits, System::currentTimeMillis, calls);
            return new EdgeNode(config, hz, log, new HazelcastPresenceRegistry(hz, calls), new HazelcastFabric(hz),
                    commitment(config, hz, calls, log), metrics, System::currentTimeMillis);
        } catch (RuntimeException e) {
            if (metrics != null) {
                metrics.close();
            }
            hz.shutdown();
            throw e;
        }
    }

    /** Starts a standalone node that keeps its state in memory (tests, development). */
    public static EdgeNode startStandalone(EdgeConfig config, LongSupplier nowMs) {
        return new EdgeNode(config, null, new InMemoryChannelLog(limits(config), nowMs),
                new InMemoryPresenceRegistry(), new LocalFabric(), Commitment.regionOnly(),
                new EdgeMetrics(config.nodeId()), nowMs);
    }

    /** With peers, every sequenced message goes into their outbound logs, and a global publish waits for one. */
    private static Commitment commitment(EdgeConfig config, HazelcastInstance hz, RegionCalls calls,
                                         ChannelLog log) {
        List<String> peers = config.replication().peers();
        if (peers.isEmpty()) {
            return Commitment.regionOnly();
        }
        List<OutboundLog> logs = peers.stream().<OutboundLog>map(peer -> new HazelcastOutboundLog(hz, peer,
                OutboundLimits.DEFAULTS, System::currentTimeMillis, calls)).toList();
        return new ReplicatingCommitment(logs, config.replication().globalTimeoutMs(), ACK_POLL_MS, log::commit);
    }

    private static HistoryLimits limits(EdgeConfig config) {
        return new HistoryLimits(config.history().maxMessages(), config.history().maxAgeMs(), config.dedupWindowMs());
    }

    /** Connections rehearsed at start on a private listener ({@link ConnectionRehearsal}). */
    public int rehearsedConnections() {
        return rehearsedConnections;
    }

    /** The HTTP API's port. */
    public int port() {
        return server.port();
    }

    /** The WebSocket listener's port. */
    public int wsPort() {
        return wsServer.port();
    }

    public String wsUrl() {
        return "ws://" + config.host() + ":" + wsPort() + "/v1/ws";
    }

    public String httpUrl() {
        return "http://" + config.host() + ":" + port();
    }

    public EdgeConfig config() {
        return config;
    }

    public EdgeMetrics metrics() {
        return metrics;
    }

    public int connectionCount() {
        return connections.size();
    }

    /**
     * Asked by the control plane (drain-node, or its region drained): stop taking new clients and send every client a
     * redirect to another node of this region when the mesh table lists one (else to the usual entry point), then a
     * 1001 close; each resumes where it was. The node keeps running (its partitions, forwarded publishes) until it is
     * stopped.
     */
    public void drain() {
        if (!draining.compareAndSet(false, true)) {
            return;
        }
        String elsewhere = meshTables.current()
                .flatMap(table -> table.route(config.region(), null, "near"))
                .flatMap(route -> route.edges().stream().filter(edge -> !edge.id().equals(config.nodeId()))
                        .map(MeshTable.EdgeAddress::ws).findFirst())
                .orElse(null);
        LOG.log(System.Logger.Level.INFO, "draining: redirecting " + connections.size() + " clients to "
                + (elsewhere == null ? "their entry point" : elsewhere));
        connections.redirectAll(elsewhere, "node draining");
    }

    /**
     * Asked by the control plane when it restores this node's region: take new clients again. A node shutting down
     * stays drained. Answers whether the node takes clients now.
     */
    public boolean undrain() {
        if (stopped.get()) {
            return false;
        }
        if (draining.compareAndSet(true, false)) {
            LOG.log(System.Logger.Level.INFO, "drain ended: taking new clients again");
        }
        return true;
    }

    /** The region's mesh table store (the newest table the control plane gave the region). */
    public MeshTableStore meshTables() {
        return meshTables;
    }

    /**
     * Graceful shutdown: stop accepting, redirect every client, close them with 1001, hand the Hazelcast partitions
     * over, stop.
     */
    public void shutdown() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        draining.set(true);
        try {
            connections.redirectAll(config.publicWsUrl());
            connections.awaitEmpty(config.shutdownGraceMs());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        wsServer.close();
        server.stop();
        fabric.close();
        if (hazelcast != null) {
            HazelcastForwarding.withdraw(hazelcast);
            hazelcast.shutdown();
        }
        timer.shutdownNow();
        pauseFence.close();
        if (commitment instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "closing the commitment failed: " + e.getMessage());
            }
        }
        metrics.close();
        LOG.log(System.Logger.Level.INFO, "edge " + config.nodeId() + " stopped");
    }

    @Override
    public void close() {
        shutdown();
    }
}
