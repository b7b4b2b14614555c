package io.heliograph.edge.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.heliograph.edge.config.EdgeConfig;
import io.heliograph.edge.config.EdgeConfigLoader;
import io.heliograph.protocol.auth.Tokens;
import io.heliograph.region.testing.RegionTesting;

/**
 * Configurations, ports, tokens and bounded waiting for edge-node tests; ports and waiting come from region-state's
 * test jar ({@link RegionTesting}).
 */
public final class TestNodes {

    public static final String SECRET = "test-secret-0123456789abcdef";
    public static final Tokens TOKENS = new Tokens(SECRET);

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
                "--warmup-iterations=0"));
        for (String e : extra) {
            args.add("--" + e);
        }
        return EdgeConfigLoader.load(args.toArray(String[]::new), Map.of());
    }

    public static EdgeConfig standalone(String... extra) {
        return config("us-east", "solo", 0, List.of(), "unused", extra);
    }

    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        RegionTesting.await(what, timeout, condition);
    }
}
