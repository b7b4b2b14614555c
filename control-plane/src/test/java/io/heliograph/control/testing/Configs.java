package io.heliograph.control.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.heliograph.control.config.ControlConfig;

/**
 * Configurations for tests: three regions {@code us-east}, {@code eu-west}, {@code ap-south}, each with the given
 * number of edges and one bridge, preferences as in docs/control-plane.md.
 */
public final class Configs {

    public static final List<String> REGIONS = List.of("us-east", "eu-west", "ap-south");
    /** Generous for a loaded 2-core machine: a dead fake edge refuses at once, so rounds are short anyway. */
    public static final long PROBE_TIMEOUT_MS = 500;
    public static final String TOKEN = "test-admin-token-0123456789";

    private Configs() {
    }

    public static List<String> preference(String region) {
        return switch (region) {
            case "us-east" -> List.of("eu-west", "ap-south");
            case "eu-west" -> List.of("us-east", "ap-south");
            default -> List.of("eu-west", "us-east");
        };
    }

    /** Regions with {@code edgesPerRegion} edges at made-up URLs (for the pure tests). */
    public static ControlConfig threeRegions(int edgesPerRegion, long downAfterMs, boolean auto, boolean failback) {
        List<ControlConfig.RegionSpec> regions = new ArrayList<>();
        int port = 9000;
        for (String region : REGIONS) {
            List<ControlConfig.EdgeSpec> edges = new ArrayList<>();
            for (int i = 1; i <= edgesPerRegion; i++) {
                edges.add(new ControlConfig.EdgeSpec(region + "-" + i, "http://127.0.0.1:" + port,
                        "ws://127.0.0.1:" + (port + 500) + "/v1/ws"));
                port++;
            }
            regions.add(new ControlConfig.RegionSpec(region, edges,
                    List.of(new ControlConfig.BridgeSpec(region + "-b1", "http://127.0.0.1:" + (port + 1600))),
                    preference(region)));
        }
        return config("cp-1", regions, 100, downAfterMs, auto, failback, 0, List.of(), null);
    }

    public static ControlConfig config(String replicaId, List<ControlConfig.RegionSpec> regions, long intervalMs,
                                       long downAfterMs, boolean auto, boolean failback, int hazelcastPort,
                                       List<String> members, Path auditLog) {
        return new ControlConfig(replicaId, "127.0.0.1", 0, null, TOKEN, regions,
                new ControlConfig.Probe(intervalMs, PROBE_TIMEOUT_MS, true),
                new ControlConfig.Failover(downAfterMs, auto, failback),
                new ControlConfig.Route("X-Client-Region", regions.getFirst().name()),
                new ControlConfig.Hazelcast("hg-control-test-" + System.nanoTime(), "127.0.0.1", hazelcastPort,
                        members),
                1500, auditLog);
    }
}
