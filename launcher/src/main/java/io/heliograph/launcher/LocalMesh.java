package io.heliograph.launcher;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import io.heliograph.bridge.tls.BridgeTlsFiles;
import io.heliograph.bridge.tls.ThrowawayCa;
import io.heliograph.launcher.net.TcpProxy;
import io.heliograph.launcher.process.ManagedProcess;
import io.heliograph.launcher.process.MeshProcess;

/**
 * Runs a {@link MeshPlan} as real processes: an edge-node JVM per node ({@link EdgeProcess}) and, with two or more
 * regions, a region-bridge JVM per bridge replica ({@link RegionBridgeProcess}) with mutual TLS from a throwaway CA
 * written at start, and optionally a {@link TcpProxy} per WAN link. It waits until every node is UP with its whole
 * region joined, every replica is ready, and every region's lease holder streams to every peer; and it stops them
 * again: bridges first (SIGTERM: each releases its lease and leaves the region's cluster), then the proxies, then
 * the edge nodes (SIGTERM so they drain their clients and hand over their partitions), with SIGKILL for any process
 * that overstays. It only ever signals processes it started. With control-plane replicas in the plan it writes their
 * regions file ({@code control-plane.yaml} beside the log directory: {@code .mesh/}), starts them once the edge nodes are started, waits until each
 * answers, and stops them before everything else (so that they do not fail over a mesh that is being stopped).
 */
public final class LocalMesh implements AutoCloseable {

    /** How long the region certificates issued at start stay valid. */
    private static final Duration CERTIFICATE_VALIDITY = Duration.ofDays(30);
    private static final Duration LINK_POLL = Duration.ofMillis(200);

    private final Builder settings;
    private final List<EdgeProcess> nodes = new CopyOnWriteArrayList<>();
    private final List<RegionBridgeProcess> bridges = new CopyOnWriteArrayList<>();
    private final List<EdgeProcess> startedNodes = new CopyOnWriteArrayList<>();
    private final List<RegionBridgeProcess> startedBridges = new CopyOnWriteArrayList<>();
    private final List<ControlPlaneProcess> controlPlanes = new CopyOnWriteArrayList<>();
    private final List<ControlPlaneProcess> startedControlPlanes = new CopyOnWriteArrayList<>();
    /** WAN proxies by "from-region to-replica-id", in plan order. */
    private final Map<String, TcpProxy> proxies = new LinkedHashMap<>();
    private final Object starting = new Object();
    private final AtomicBoolean closing = new AtomicBoolean();

    private LocalMesh(Builder settings) {
        this.settings = settings;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A fresh random secret for a throw-away mesh: 32 random bytes, base64url. */
    public static String randomSecret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The repository root: {@code -Dheliograph.home} (set by {@code ./mesh}), else the working directory. */
    public static Path home() {
        return Path.of(System.getProperty("heliograph.home", System.getProperty("user.dir"))).toAbsolutePath();
    }

    /** The nodes that are ready, in plan order. */
    public List<EdgeProcess> nodes() {
        return List.copyOf(nodes);
    }

    /** The bridge replicas that are ready, in plan order. */
    public List<RegionBridgeProcess> bridges() {
        return List.copyOf(bridges);
    }

    /** The control-plane replicas that are ready, in plan order. */
    public List<ControlPlaneProcess> controlPlanes() {
        return List.copyOf(controlPlanes);
    }

    /** The ready bridge replica {@code replicaId} (e.g. {@code eu-west-b1}). */
    public RegionBridgeProcess bridge(String replicaId) {
        return bridges.stream().filter(b -> b.replicaId().equals(replicaId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no bridge replica " + replicaId + "; the mesh has "
                        + bridges.stream().map(RegionBridgeProcess::replicaId).toList()));
    }

    /** The WAN proxies, in plan order (none unless the plan asked for them). */
    /** Kills every edge node and bridge replica of {@code region} with SIGKILL: the region lost whole. */
    public void killRegion(String region) {
        regionProcesses(region).forEach(MeshProcess::kill9);
    }

    /** Stops every edge node and bridge replica of {@code region} with SIGSTOP: the region frozen whole. */
    public void freezeRegion(String region) {
        regionProcesses(region).forEach(MeshProcess::freeze);
    }

    /** Resumes every process of {@code region} that {@link #freezeRegion} stopped (SIGCONT). */
    public void thawRegion(String region) {
        regionProcesses(region).forEach(MeshProcess::thaw);
    }

    private List<MeshProcess> regionProcesses(String region) {
        List<MeshProcess> processes = new ArrayList<>();
        nodes().stream().filter(node -> node.region().equals(region)).forEach(processes::add);
        bridges().stream().filter(bridge -> bridge.region().equals(region)).forEach(processes::add);
        if (processes.isEmpty()) {
            throw new IllegalArgumentException("no process of region " + region + " in this mesh");
        }
        return processes;
    }

    public List<TcpProxy> proxies() {
        synchronized (proxies) {
            return List.copyOf(proxies.values());
        }
    }

    /**
     * The WAN proxy that the replicas of {@code fromRegion} dial to reach replica {@code toReplicaId} of another
     * region: cut it to cut that link.
     */
    public TcpProxy proxy(String fromRegion, String toReplicaId) {
        synchronized (proxies) {
            TcpProxy proxy = proxies.get(proxyKey(fromRegion, toReplicaId));
            if (proxy == null) {
                throw new IllegalArgumentException("no WAN proxy from " + fromRegion + " to " + toReplicaId
                        + "; the mesh has " + proxies.keySet() + " (proxies need MeshPlan.Builder.wanProxies)");
            }
            return proxy;
        }
    }

    private static String proxyKey(String fromRegion, String toReplicaId) {
        return fromRegion + " to " + toReplicaId;
    }

    public MeshPlan plan() {
        return settings.plan;
    }

    /** Where the CA and the region certificates are written. */
    public Path tlsDir() {
        return settings.tlsDir;
    }

    /** True once {@link #close()} has begun; exits after that are expected. */
    public boolean closing() {
        return closing.get();
    }

    /**
     * Starts every process and returns once all are ready and every region's bridges are linked. On failure what
     * started is stopped and the exception names the process and carries its log's tail. {@link #close()} may run
     * concurrently (from a shutdown hook).
     */
    public LocalMesh start() {
        try {
            launch();
            return this;
        } catch (RuntimeException e) {
            boolean stopping = closing.get();
            close();
            throw stopping ? new IllegalStateException("mesh is stopping", e) : e;
        }
    }

    private void launch() {
        MeshPlan plan = settings.plan;
        String edgeClasspath = settings.edgeClasspath != null ? settings.edgeClasspath
                : builtClasspath("edge-node", "edge node");
        String bridgeClasspath = plan.bridges().isEmpty() ? null : settings.bridgeClasspath != null
                ? settings.bridgeClasspath : builtClasspath("region-bridge", "region bridge");
        for (int port : plan.ports()) {
            requireFree(port);
        }
        Map<String, BridgeTlsFiles> tls = plan.bridges().isEmpty() ? Map.of() : writeCertificates(plan.regions());
        long deadlineNs = System.nanoTime() + settings.startTimeout.toNanos();

        for (MeshPlan.NodeSpec spec : plan.nodes()) {
            EdgeProcess.Builder node = EdgeProcess.builder()
                    .spec(spec)
                    .jvmOptions(settings.jvmOptions)
                    .classpath(edgeClasspath)
                    .flags(settings.extraFlags)
                    .secret(settings.secret)
                    .adminToken(settings.adminToken)
                    .log(settings.logDir.resolve(spec.nodeId() + ".log"));
            synchronized (starting) {
                requireNotClosing();
                startedNodes.add(node.start());
            }
        }
        startProxies(plan);
        startControlPlanes(plan);
        // A region's replicas join its cluster as lite members, so they start once its data members are up.
        for (String region : plan.regions()) {
            for (EdgeProcess node : startedNodes) {
                if (node.region().equals(region)) {
                    requireNotClosing();
                    nodes.add(node.awaitReady(left(deadlineNs)));
                }
            }
            for (MeshPlan.BridgeSpec spec : plan.bridgesOf(region)) {
                RegionBridgeProcess.Builder bridge = RegionBridgeProcess.builder()
                        .spec(spec)
                        .jvmOptions(settings.bridgeJvmOptions)
                        .classpath(bridgeClasspath)
                        .tls(tls.get(region))
                        .leaseTtl(settings.leaseTtl)
                        .flags(settings.bridgeFlags)
                        .log(settings.logDir.resolve(spec.replicaId() + ".log"));
                synchronized (starting) {
                    requireNotClosing();
                    startedBridges.add(bridge.start());
                }
            }
        }
        for (RegionBridgeProcess bridge : startedBridges) {
            requireNotClosing();
            bridges.add(bridge.awaitReady(left(deadlineNs)));
        }
        for (String region : plan.regions()) {
            awaitLinked(region, deadlineNs);
        }
        for (ControlPlaneProcess replica : startedControlPlanes) {
            requireNotClosing();
            controlPlanes.add(replica.awaitReady(left(deadlineNs)));
        }
    }

    private void startControlPlanes(MeshPlan plan) {
        if (plan.controlPlanes().isEmpty()) {
            return;
        }
        String classpath = settings.controlPlaneClasspath != null ? settings.controlPlaneClasspath
                : builtClasspath("control-plane", "control plane");
        Path regions = ControlPlaneProcess.writeRegions(plan,
                settings.logDir.toAbsolutePath().resolveSibling("control-plane.yaml"));
        for (MeshPlan.ControlPlaneSpec spec : plan.controlPlanes()) {
            ControlPlaneProcess.Builder replica = ControlPlaneProcess.builder()
                    .spec(spec)
                    .jvmOptions(settings.controlPlaneJvmOptions)
                    .flags(settings.controlPlaneFlags)
                    .classpath(classpath)
                    .regionsFile(regions)
                    .auditLog(settings.logDir.resolve(spec.replicaId() + "-audit.jsonl"))
                    .adminToken(settings.adminToken)
                    .log(settings.logDir.resolve(spec.replicaId() + ".log"));
            synchronized (starting) {
                requireNotClosing();
                startedControlPlanes.add(replica.start());
            }
        }
    }

    /** {@code <module>/target/classes:<module>/target/lib/*} under the home, or why it cannot be used. */
    private String builtClasspath(String module, String what) {
        Path classes = settings.home.resolve(module + "/target/classes");
        Path lib = settings.home.resolve(module + "/target/lib");
        if (!Files.isDirectory(lib) || !Files.isDirectory(classes)) {
            throw new IllegalStateException(what + " is not built: " + classes + " and " + lib + " are needed "
                    + "(run ./mesh, or mvn -B package -DskipTests)");
        }
        return classes + File.pathSeparator + lib + File.separator + "*";
    }

    /**
     * The mesh's CA (kept in the TLS directory across runs, made there the first time) and a fresh certificate per
     * region, each naming its region, which is what bridges check of each other.
     */
    private Map<String, BridgeTlsFiles> writeCertificates(List<String> regions) {
        ThrowawayCa ca = ThrowawayCa.loadOrCreate(settings.tlsDir, InstantSource.system());
        Map<String, BridgeTlsFiles> files = new LinkedHashMap<>();
        for (String region : regions) {
            files.put(region, ca.issueRegion(settings.tlsDir, region, CERTIFICATE_VALIDITY));
        }
        return files;
    }

    private void startProxies(MeshPlan plan) {
        for (MeshPlan.WanLinkSpec link : plan.wanLinks()) {
            synchronized (starting) {
                requireNotClosing();
                TcpProxy proxy = TcpProxy.builder()
                        .name("wan-" + link.fromRegion() + "-to-" + link.toReplicaId())
                        .listen(link.host(), link.port())
                        .target(link.host(), link.targetPort())
                        .oneWayDelay(Duration.ofMillis(plan.wanDelayMs()))
                        .start();
                synchronized (proxies) {
                    proxies.put(proxyKey(link.fromRegion(), link.toReplicaId()), proxy);
                }
            }
        }
    }

    /** Waits until one replica of {@code region} holds its lease and streams to every peer. */
    private void awaitLinked(String region, long deadlineNs) {
        List<RegionBridgeProcess> replicas = bridges.stream().filter(b -> b.region().equals(region)).toList();
        if (replicas.isEmpty()) {
            return;
        }
        while (true) {
            requireNotClosing();
            for (RegionBridgeProcess replica : replicas) {
                if (!replica.isAlive()) {
                    throw new IllegalStateException(replica.replicaId() + " exited while linking; last "
                            + ManagedProcess.TAIL_LINES + " lines of " + replica.log() + ":\n"
                            + replica.tail(ManagedProcess.TAIL_LINES));
                }
                if (replica.isLinked()) {
                    return;
                }
            }
            if (System.nanoTime() >= deadlineNs) {
                StringBuilder states = new StringBuilder();
                for (RegionBridgeProcess replica : replicas) {
                    states.append("\n  ").append(replica.replicaId()).append(": ").append(replica.healthOrWhyNot());
                }
                throw new IllegalStateException("no bridge replica of " + region + " linked to every peer within "
                        + settings.startTimeout.toSeconds() + " s; their /health:" + states + "\nlogs: "
                        + replicas.stream().map(RegionBridgeProcess::log).toList());
            }
            // Pauses until the next poll, and notices an exit at once.
            replicas.getFirst().awaitExit(LINK_POLL);
        }
    }

    private void requireNotClosing() {
        if (closing.get()) {
            throw new IllegalStateException("mesh is stopping");
        }
    }

    private static Duration left(long deadlineNs) {
        return Duration.ofNanos(Math.max(0, deadlineNs - System.nanoTime()));
    }

    /**
     * Stops every process this mesh started: SIGTERM to every bridge replica and a bounded wait (a replica
     * releases its lease through the region's cluster, so the edge nodes must still run), the proxies closed, then
     * SIGTERM to every edge node and a bounded wait; SIGKILL for any that overstay. Safe to call twice (the shutdown
     * hook and a normal exit may both call it).
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        List<ManagedProcess> controlProcesses;
        List<ManagedProcess> bridgeProcesses;
        List<ManagedProcess> nodeProcesses;
        synchronized (starting) {
            controlProcesses = startedControlPlanes.stream().map(ControlPlaneProcess::process).toList();
            bridgeProcesses = startedBridges.stream().map(RegionBridgeProcess::process).toList();
            nodeProcesses = startedNodes.stream().map(EdgeProcess::process).toList();
        }
        long deadlineNs = System.nanoTime() + settings.stopTimeout.toNanos();
        stopAll(controlProcesses, "control-plane", deadlineNs);
        stopAll(bridgeProcesses, "bridge", deadlineNs);
        for (TcpProxy proxy : proxies()) {
            proxy.close();
        }
        stopAll(nodeProcesses, "edge", deadlineNs);
    }

    private void stopAll(List<ManagedProcess> processes, String kind, long deadlineNs) {
        processes.forEach(ManagedProcess::terminate);
        for (ManagedProcess process : processes) {
            process.awaitExit(left(deadlineNs));
        }
        for (ManagedProcess process : processes) {
            if (process.isAlive()) {
                System.err.println(kind + " process " + process.name() + " (pid " + process.pid()
                        + ") ignored SIGTERM until the stop timeout of " + settings.stopTimeout.toSeconds()
                        + " s; killing it");
                try {
                    process.kill9();
                } catch (IllegalStateException e) {
                    System.err.println(e.getMessage());
                }
            }
        }
    }

    private static void requireFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            // Like the processes themselves: TIME_WAIT leftovers of an earlier run do not block a listener.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " is in use (another ./mesh up? choose --base-port)");
        }
    }

    /** Settings of a local mesh. */
    public static final class Builder {
        private MeshPlan plan = MeshPlan.create(List.of("us-east"), 2, 8080);
        private String secret;
        private String adminToken;
        private String controlPlaneClasspath;
        private List<String> controlPlaneFlags = List.of();
        private List<String> controlPlaneJvmOptions = List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError",
                "-Dhazelcast.phone.home.enabled=false");
        private Path home = LocalMesh.home();
        private Path logDir;
        private Path tlsDir;
        private String edgeClasspath;
        private String bridgeClasspath;
        private List<String> jvmOptions = List.of("-Xmx512m", "-XX:+ExitOnOutOfMemoryError",
                "-Dhazelcast.phone.home.enabled=false");
        private List<String> bridgeJvmOptions = List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError",
                "-Dhazelcast.phone.home.enabled=false");
        private List<String> extraFlags = List.of();
        private List<String> bridgeFlags = List.of();
        private Duration leaseTtl;
        private Duration startTimeout = Duration.ofSeconds(180);
        private Duration stopTimeout = Duration.ofSeconds(20);

        private Builder() {
        }

        public Builder plan(MeshPlan plan) {
            this.plan = plan;
            return this;
        }

        public Builder secret(String secret) {
            this.secret = secret;
            return this;
        }

        /** The admin token given to every edge node and control-plane replica ({@code HELIOGRAPH_ADMIN_TOKEN}). */
        public Builder adminToken(String adminToken) {
            this.adminToken = adminToken;
            return this;
        }

        /** The control plane's classpath; {@code <home>/control-plane/target/classes} and its {@code lib/*}. */
        public Builder controlPlaneClasspath(String controlPlaneClasspath) {
            this.controlPlaneClasspath = controlPlaneClasspath;
            return this;
        }

        /** JVM options of every control-plane replica. */
        /** Further flags of every control-plane replica ({@code --key=value}, docs/configuration.md). */
        public Builder controlPlaneFlags(List<String> controlPlaneFlags) {
            this.controlPlaneFlags = List.copyOf(controlPlaneFlags);
            return this;
        }

        public Builder controlPlaneJvmOptions(List<String> controlPlaneJvmOptions) {
            this.controlPlaneJvmOptions = List.copyOf(controlPlaneJvmOptions);
            return this;
        }

        /** The repository root, where the built modules are found ({@link LocalMesh#home()} by default). */
        public Builder home(Path home) {
            this.home = home;
            return this;
        }

        /** Where each process's log goes ({@code <id>.log}); {@code <home>/.mesh/logs} by default. */
        public Builder logDir(Path logDir) {
            this.logDir = logDir;
            return this;
        }

        /**
         * Where the throwaway CA and the region certificates are written ({@code ca.pem}, {@code <region>/chain.pem},
         * {@code <region>/key.pem}); {@code <home>/.mesh/tls} by default. The CA found there is kept, the region
         * certificates are issued again at every start.
         */
        public Builder tlsDir(Path tlsDir) {
            this.tlsDir = tlsDir;
            return this;
        }

        /** The edge node's classpath; {@code <home>/edge-node/target/classes} and its {@code lib/*} by default. */
        public Builder edgeClasspath(String edgeClasspath) {
            this.edgeClasspath = edgeClasspath;
            return this;
        }

        /** The bridge's classpath; {@code <home>/region-bridge/target/classes} and its {@code lib/*} by default. */
        public Builder bridgeClasspath(String bridgeClasspath) {
            this.bridgeClasspath = bridgeClasspath;
            return this;
        }

        /** JVM options of every edge node. */
        public Builder jvmOptions(List<String> jvmOptions) {
            this.jvmOptions = List.copyOf(jvmOptions);
            return this;
        }

        /** JVM options of every bridge replica. */
        public Builder bridgeJvmOptions(List<String> bridgeJvmOptions) {
            this.bridgeJvmOptions = List.copyOf(bridgeJvmOptions);
            return this;
        }

        /** Edge-node flags added to every node, after the plan's own (e.g. raised limits). */
        public Builder extraFlags(List<String> extraFlags) {
            this.extraFlags = List.copyOf(extraFlags);
            return this;
        }

        /** BridgeMain flags added to every replica, after the plan's own (e.g. faster reconnects). */
        public Builder bridgeFlags(List<String> bridgeFlags) {
            this.bridgeFlags = List.copyOf(bridgeFlags);
            return this;
        }

        /** The TTL of each region's bridge lease; the bridge's default (3 s) when not set. */
        public Builder leaseTtl(Duration leaseTtl) {
            this.leaseTtl = leaseTtl;
            return this;
        }

        /** How long start-up may take in all: every process ready and every region linked. */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
            return this;
        }

        /** How long the bridges and then the edge nodes get, together, to exit after SIGTERM. */
        public Builder stopTimeout(Duration stopTimeout) {
            this.stopTimeout = stopTimeout;
            return this;
        }

        /** A mesh not yet started: register its {@link #close()} as a shutdown hook, then {@link #start()}. */
        public LocalMesh build() {
            if (secret == null || secret.length() < 16) {
                throw new IllegalArgumentException("JWT secret must be at least 16 characters");
            }
            if (logDir == null) {
                logDir = home.resolve(".mesh/logs");
            }
            if (tlsDir == null) {
                tlsDir = home.resolve(".mesh/tls");
            }
            if (!plan.controlPlanes().isEmpty() && (adminToken == null || adminToken.length() < 16)) {
                throw new IllegalArgumentException("control planes need an admin token of at least 16 characters");
            }
            return new LocalMesh(this);
        }
    }
}
