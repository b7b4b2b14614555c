package io.heliograph.launcher;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

import io.heliograph.protocol.auth.Tokens;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mesh up}: a local mesh in the foreground. Standard output carries exactly one {@code edge ...} line per
 * node, then {@code token <jwt>} (and {@code secret <value>} when the secret was generated), so scripts can read it;
 * everything else goes to standard error or to the node logs under {@code .mesh/logs/}.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Starts a local mesh of edge-node processes and stays in the foreground; Ctrl-C stops it.")
public final class MeshUpCommand implements Callable<Integer> {

    @Option(names = "--regions", split = ",", defaultValue = "us-east",
            description = "Comma-separated regions, each its own Hazelcast cluster (default: ${DEFAULT-VALUE}).")
    List<String> regions;

    @Option(names = "--nodes", defaultValue = "2", description = "Edge nodes per region (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--base-port", defaultValue = "8080",
            description = "First HTTP port; WebSocket ports start 500 higher, Hazelcast ports 1000 higher (default: ${DEFAULT-VALUE}).")
    int basePort;

    @Option(names = "--token-ttl", defaultValue = "PT24H",
            description = "Lifetime of the printed token, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration tokenTtl;

    public static void main(String[] args) {
        System.exit(new CommandLine(new MeshUpCommand()).execute(args));
    }

    @Override
    public Integer call() {
        MeshPlan plan;
        try {
            plan = MeshPlan.create(regions, nodes, basePort);
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
        LocalMesh mesh = LocalMesh.builder().plan(plan).secret(secret).build();
        Runtime.getRuntime().addShutdownHook(new Thread(mesh::close, "mesh-stop"));
        System.err.println("mesh up: starting " + plan.nodes().size() + " edge node(s); logs in "
                + LocalMesh.home().resolve(".mesh/logs"));
        try {
            mesh.start();
        } catch (RuntimeException e) {
            System.err.println("mesh up: " + e.getMessage());
            return 1;
        }
        mesh.nodes().forEach(node -> System.out.println(node.announcement()));
        System.out.println("token " + new Tokens(secret).mintAll("mesh-admin", tokenTtl));
        if (generated) {
            System.out.println("secret " + secret);
        }
        System.out.flush();
        System.err.println("mesh up: ready; Ctrl-C stops every node");

        List<CompletableFuture<Integer>> exits = mesh.nodes().stream().map(node -> node.process().onExit()
                .whenComplete((code, e) -> {
                    if (!mesh.closing()) {
                        System.err.println("mesh up: " + node.nodeId() + " exited with code " + code
                                + "; see " + node.log());
                    }
                })).toList();
        CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new)).join();
        if (mesh.closing()) {
            return 0;
        }
        System.err.println("mesh up: every edge node has exited");
        return 1;
    }
}
