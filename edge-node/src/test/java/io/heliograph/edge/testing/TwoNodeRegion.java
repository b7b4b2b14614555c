package io.heliograph.edge.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.heliograph.client.HeliographClient;
import io.heliograph.launcher.EdgeProcess;

/**
 * A region of two edge-node processes for system tests ({@link EdgeProcess}, started with
 * {@link TestNodes#startNode}), and the clients a test opens against it; closing it closes every client and kills
 * every node it started, even after a failure.
 */
public final class TwoNodeRegion implements AutoCloseable {

    private final EdgeProcess n1;
    private final EdgeProcess n2;
    private final List<AutoCloseable> clients = new ArrayList<>();

    /** The nodes' rate limit, which the SDK clients of the test are told so that they pace to it. */
    private double ratePerSecond = 100;
    private int rateBurst = 200;

    private TwoNodeRegion(EdgeProcess n1, EdgeProcess n2) {
        this.n1 = n1;
        this.n2 = n2;
    }

    /** Starts nodes {@code n1} and {@code n2} with the given extra flags and waits until both see each other. */
    public static TwoNodeRegion start(String clusterPrefix, String... flags) {
        int hz1 = TestNodes.freePort();
        int hz2 = TestNodes.freePort();
        String cluster = clusterPrefix + "-" + System.nanoTime();
        EdgeProcess n1 = TestNodes.startNode("us-east", "n1", TestNodes.freePort(), hz1, List.of(hz1, hz2), cluster,
                flags);
        EdgeProcess n2 = TestNodes.startNode("us-east", "n2", TestNodes.freePort(), hz2, List.of(hz1, hz2), cluster,
                flags);
        TwoNodeRegion region = new TwoNodeRegion(n1, n2);
        for (String flag : flags) {
            if (flag.startsWith("limits.rate-per-second=")) {
                region.ratePerSecond = Double.parseDouble(flag.substring(flag.indexOf('=') + 1));
            } else if (flag.startsWith("limits.rate-burst=")) {
                region.rateBurst = Integer.parseInt(flag.substring(flag.indexOf('=') + 1));
            }
        }
        try {
            n1.awaitReady(Duration.ofSeconds(90));
            n2.awaitReady(Duration.ofSeconds(90));
        } catch (RuntimeException | Error e) {
            region.close();
            throw e;
        }
        return region;
    }

    public EdgeProcess n1() {
        return n1;
    }

    public EdgeProcess n2() {
        return n2;
    }

    /** A connected SDK client trying {@code first}, then {@code second}; closed with the region. */
    public HeliographClient client(String clientId, EdgeProcess first, EdgeProcess second) {
        HeliographClient c = HeliographClient.builder()
                .urls(List.of(first.wsUrl(), second.wsUrl()))
                .token(TestNodes.token(clientId))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .requestTimeout(Duration.ofSeconds(30))
                .rateLimit(ratePerSecond, rateBurst)
                .build();
        clients.add(c);
        c.connect().orTimeout(20, TimeUnit.SECONDS).join();
        return c;
    }

    /** A raw protocol client on {@code node}, past its {@code connected} frame; closed with the region. */
    public WsProbe probe(EdgeProcess node, String clientId) {
        WsProbe probe = WsProbe.connect(node.wsUrl().toString(), TestNodes.token(clientId));
        clients.add(probe);
        probe.awaitType("connected");
        return probe;
    }

    @Override
    public void close() {
        for (AutoCloseable c : clients) {
            try {
                c.close();
            } catch (Exception ignored) {
                // its node may be gone
            }
        }
        n1.close();
        n2.close();
    }
}
