package io.heliograph.edge.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.heliograph.edge.config.EdgeConfig;
import io.heliograph.edge.config.EdgeConfigLoader;
import io.heliograph.launcher.EdgeProcess;
import io.heliograph.protocol.auth.Tokens;
import io.heliograph.region.testing.RegionTesting;

/**
 * Configurations, ports, tokens and bounded waiting for edge-node tests, and the settings of the system tests' node
 * processes (started through launcher's {@link EdgeProcess}); ports and waiting come from region-state's test jar
 * ({@link RegionTesting}).
 */
public final class TestNodes {

    public static final String SECRET = "test-secret-0123456789abcdef";
    public static final Tokens TOKENS = new Tokens(SECRET);
    /** JVM options of a node process: several run at once on a small machine. */
    private static final List<String> NODE_JVM_OPTIONS = List.of("-Xmx512m", "-XX:+UseSerialGC",
            "-Dhazelcast.phone.home.enabled=false");

    private TestNodes() {
    }

    public static String token(String clientId) {
        return TOKENS.mintAll(clientId, Duration.ofHours(1));
    }

    public static int freePort() {
        return RegionTesting.freePort();
    }

    /** Flags for a node; extra flags (key=value without dashes) override. */
    public static EdgeConfig config(String region, String nodeId, int hzPort, List<Integer> hzMembers,
                                    String clusterName, String... extra) {
        List<String> args = new ArrayList<>(List.of("--region=" + region, "--node-id=" + nodeId, "--port=0",
                "--hazelcast.port=" + hzPort, "--hazelcast.cluster-name=" + clusterName,
                "--hazelcast.members=" + String.join(",", hzMembers.stream().map(p -> "127.0.0.1:" + p).toList()),
                "--jwt-secret=" + SECRET, "--shutdown-grace-ms=2000",
                // Tests start many nodes; the JIT warm-up is for storms of clients (JitWarmupTest covers it).
                "--warmup-iterations=0", "--warmup-connections=0"));
        for (String e : extra) {
            args.add("--" + e);
        }
        return EdgeConfigLoader.load(args.toArray(String[]::new), Map.of());
    }

    public static EdgeConfig standalone(String... extra) {
        return config("us-east", "solo", 0, List.of(), "unused", extra);
    }

    /** A node process's JVM options: the tests' own, then {@code more}. */
    public static List<String> nodeJvmOptions(String... more) {
        List<String> options = new ArrayList<>(NODE_JVM_OPTIONS);
        options.addAll(List.of(more));
        return options;
    }

    /**
     * An edge-node process with the system tests' settings, to be placed (port, Hazelcast) and started: this JVM's
     * java with {@link #nodeJvmOptions}, the node's classes from failsafe's {@code edge.classpath} (else this JVM's
     * class path), the test secret, no JIT warm-up, a free WebSocket port, its log under {@code target/node-logs/}.
     * Extra flags are {@code key=value}, without dashes, and come last.
     */
    public static EdgeProcess.Builder nodeProcess(String region, String nodeId, String... extra) {
        List<String> flags = new ArrayList<>(List.of("--warmup-iterations=0", "--warmup-connections=0"));
        for (String e : extra) {
            flags.add("--" + e);
        }
        return EdgeProcess.builder()
                .jvmOptions(nodeJvmOptions())
                .classpath(System.getProperty("edge.classpath", System.getProperty("java.class.path")))
                .region(region)
                .nodeId(nodeId)
                .wsPort(freePort())
                .secret(SECRET)
                .flags(flags)
                .log(Path.of("target", "node-logs", nodeId + "-" + System.currentTimeMillis() + ".log"));
    }

    /** Starts (not yet ready) a node process on loopback whose region's Hazelcast members are {@code hzMembers}. */
    public static EdgeProcess startNode(String region, String nodeId, int port, int hzPort, List<Integer> hzMembers,
                                        String clusterName, String... extra) {
        return nodeProcess(region, nodeId, extra)
                .port(port)
                .hazelcastPort(hzPort)
                .clusterName(clusterName)
                .members(hzMembers.stream().map(p -> "127.0.0.1:" + p).toList())
                .start();
    }

    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        RegionTesting.await(what, timeout, condition);
    }
}
