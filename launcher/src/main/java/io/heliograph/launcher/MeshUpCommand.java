package io.heliograph.launcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

import io.heliograph.protocol.auth.Tokens;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mesh up}: a local mesh in the foreground. Standard output carries exactly one
 * {@code control-plane <http-url>} line per control-plane replica, then one {@code edge ...} line per node, then one
 * {@code bridge <region> <replica-id> <grpc-url>} line per bridge replica, then {@code token <jwt>} (and
 * {@code secret <value>} when the secret was generated, {@code admin-token <value>} when the admin token was), so
 * scripts can read it; everything else goes to standard error or to the process logs under {@code .mesh/logs/}.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Starts a local mesh of edge-node and region-bridge processes and stays in the foreground;"
                + " Ctrl-C stops it.")
public final class MeshUpCommand implements Callable<Integer> {

    @Option(names = "--regions", split = ",", defaultValue = "us-east,eu-west,ap-south",
            description = "Comma-separated regions, each its own Hazelcast cluster; two or more are linked by"
                    + " bridges (default: ${DEFAULT-VALUE}).")
    List<String> regions;

    @Option(names = "--nodes", defaultValue = "2", description = "Edge nodes per region (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--bridges", defaultValue = "1",
            description = "Bridge replicas per region with two or more regions: 1, or 2 for a holder and a standby;"
                    + " 0 for regions on their own (default: ${DEFAULT-VALUE}).")
    int bridges;

    @Option(names = "--base-port", defaultValue = "8080",
            description = "First edge HTTP port P; edge WebSocket P+500.., edge Hazelcast P+1000.., bridge gRPC"
                    + " P+1500.., bridge HTTP P+1600.., bridge Hazelcast P+1700.., WAN proxies P+1800.."
                    + " (default: ${DEFAULT-VALUE}).")
    int basePort;

    @Option(names = "--wan-delay-ms", defaultValue = "0",
            description = "One-way delay of every link between regions: a TCP proxy in front of each bridge replica"
                    + " per region that dials it (default: ${DEFAULT-VALUE}, no proxies).")
    long wanDelayMs;

    @Option(names = "--control-planes", defaultValue = "1",
            description = "Control-plane replicas (their own Hazelcast cluster, one leads); 0 for none"
                    + " (default: ${DEFAULT-VALUE}).")
    int controlPlanes;

    @Option(names = "--token-ttl", defaultValue = "PT24H",
            description = "Lifetime of the printed token, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration tokenTtl;

    public static void main(String[] args) {
        System.exit(new CommandLine(new MeshUpCommand()).execute(args));
    }

    /** The plan the options describe; {@link IllegalArgumentException} names the bad option. */
    MeshPlan plan() {
        MeshPlan.Builder plan = MeshPlan.builder().regions(regions).nodesPerRegion(nodes).bridgesPerRegion(bridges)
                .basePort(basePort).controlPlanes(controlPlanes);
        if (wanDelayMs < 0) {
            throw new IllegalArgumentException("--wan-delay-ms: " + wanDelayMs + " is negative");
        }
        if (wanDelayMs > 0) {
            plan.wanProxies(wanDelayMs);
        }
        return plan.build();
    }

    /** {@link #readyLines(LocalMesh, String, String, String)} without a generated admin token. */
    public static List<String> readyLines(LocalMesh mesh, String token, String generatedSecret) {
        return readyLines(mesh, token, generatedSecret, null);
    }

    /**
     * What {@code ./mesh up} prints on standard output once the mesh is ready, in order: the {@code control-plane}
     * lines, the {@code edge} lines, the {@code bridge} lines, {@code token <jwt>} and, when given,
     * {@code secret <value>} and {@code admin-token <value>}.
     */
    public static List<String> readyLines(LocalMesh mesh, String token, String generatedSecret,
                                          String generatedAdminToken) {
        List<String> lines = new ArrayList<>();
        mesh.controlPlanes().forEach(replica -> lines.add(replica.announcement()));
        mesh.nodes().forEach(node -> lines.add(node.announcement()));
        mesh.bridges().forEach(bridge -> lines.add(bridge.announcement()));
        lines.add("token " + token);
        if (generatedSecret != null) {
            lines.add("secret " + generatedSecret);
        }
        if (generatedAdminToken != null) {
            lines.add("admin-token " + generatedAdminToken);
        }
        return lines;
    }

    @Override
    public Integer call() {
        MeshPlan plan;
        try {
            plan = plan();
        } catch (IllegalArgumentException e) {
            System.err.println("mesh up: " + e.getMessage());
            return 2;
        }
        String fromEnv = System.getenv("HELIOGRAPH_JWT_SECRET");
        boolean generated = fromEnv == null || fromEnv.isEmpty();
        String secret = generated ? LocalMesh.randomSecret() : fromEnv;
        if (secret.length() < 16) {
            System.err.println("mesh up: HELIOGRAPH_JWT_SECRET must be at least 16 characters");
            return 2;
        }
        String adminFromEnv = System.getenv("HELIOGRAPH_ADMIN_TOKEN");
        boolean adminGenerated = adminFromEnv == null || adminFromEnv.isEmpty();
        String adminToken = adminGenerated ? LocalMesh.randomSecret() : adminFromEnv;
        if (adminToken.length() < 16) {
            System.err.println("mesh up: HELIOGRAPH_ADMIN_TOKEN must be at least 16 characters");
            return 2;
        }
        LocalMesh mesh = LocalMesh.builder().plan(plan).secret(secret).adminToken(adminToken).build();
        Runtime.getRuntime().addShutdownHook(new Thread(mesh::close, "mesh-stop"));
        System.err.println("mesh up: starting " + plan.nodes().size() + " edge node(s), " + plan.bridges().size()
                + " bridge replica(s) and " + plan.controlPlanes().size() + " control-plane replica(s) in "
                + plan.regions().size() + " region(s)"
                + (plan.wanLinks().isEmpty() ? "" : ", " + plan.wanLinks().size() + " WAN proxies adding "
                + plan.wanDelayMs() + " ms one way") + "; logs in " + LocalMesh.home().resolve(".mesh/logs"));
        long startNs = System.nanoTime();
        try {
            mesh.start();
        } catch (RuntimeException e) {
            System.err.println("mesh up: " + e.getMessage());
            return 1;
        }
        String token = new Tokens(secret).mintAll("mesh-admin", tokenTtl);
        readyLines(mesh, token, generated ? secret : null, adminGenerated ? adminToken : null)
                .forEach(System.out::println);
        System.out.flush();
        mesh.bridges().forEach(bridge -> System.err.println("mesh up: " + bridge.replicaId() + " is "
                + bridge.readyLine().substring(bridge.readyLine().lastIndexOf(' ') + 1) + ", /health at "
                + bridge.httpUrl() + "/health"));
        System.err.printf("mesh up: ready in %.1f s; Ctrl-C stops every process%n",
                (System.nanoTime() - startNs) / 1e9);

        List<CompletableFuture<Integer>> exits = new ArrayList<>();
        for (EdgeProcess node : mesh.nodes()) {
            exits.add(watch(mesh, node.process().onExit(), node.nodeId(), node.log().toString()));
        }
        for (RegionBridgeProcess bridge : mesh.bridges()) {
            exits.add(watch(mesh, bridge.process().onExit(), bridge.replicaId(), bridge.log().toString()));
        }
        for (ControlPlaneProcess replica : mesh.controlPlanes()) {
            exits.add(watch(mesh, replica.process().onExit(), replica.replicaId(), replica.log().toString()));
        }
        CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new)).join();
        if (mesh.closing()) {
            return 0;
        }
        System.err.println("mesh up: every process of the mesh has exited");
        return 1;
    }

    private static CompletableFuture<Integer> watch(LocalMesh mesh, CompletableFuture<Integer> exit, String name,
                                                    String log) {
        return exit.whenComplete((code, e) -> {
            if (!mesh.closing()) {
                System.err.println("mesh up: " + name + " exited with code " + code + "; see " + log);
            }
        });
    }
}
