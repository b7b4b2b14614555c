package io.heliograph.edge.regions;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.heliograph.bridge.process.BridgeConfigLoader;
import io.heliograph.bridge.process.BridgeProcess;
import io.heliograph.bridge.tls.BridgeTlsFiles;
import io.heliograph.bridge.tls.ThrowawayCa;
import io.heliograph.edge.EdgeNode;
import io.heliograph.edge.testing.TestNodes;
import io.heliograph.edge.testing.WsProbe;

/**
 * Two regions in this JVM as they run in production, but each with one edge node and one bridge replica: the edge
 * nodes name each other's region as peers and pin {@code homes}, the bridges link over mutual TLS from a throwaway
 * CA. What the edge nodes do across regions (forwarded publishes, replication to subscribers, global durability) is
 * exercised through their real WebSocket and HTTP APIs.
 */
final class TwoRegions implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(30);
    /** Both regions' edge nodes take the control plane's calls with this token. */
    static final String ADMIN_TOKEN = "two-regions-admin-token";
    /**
     * Tables are pushed by the tests here, with no control plane to confirm one after a pause: a test JVM starved for
     * 2 s on a busy machine would otherwise close a node's sequencing gate for good (FrozenRegionIT tests the fence).
     */
    static final String PAUSE_FENCE_OFF = "pause-fence-ms=0";
    /** How long a peer may be unreachable before its members leave: short, for the tests that wait it out. */
    static final long PRESENCE_PEER_TIMEOUT_MS = 2_000;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    /** One region: its edge node and bridge. */
    static final class Region {
        final String name;
        int hazelcastPort = TestNodes.freePort();
        final int bridgePort = TestNodes.freePort();
        String cluster;
        EdgeNode edge;
        BridgeProcess bridge;

        Region(String name) {
            this.name = name;
            this.cluster = "regions-" + name + "-" + Long.toHexString(System.nanoTime());
        }

        String bridgeUrl() {
            return "https://127.0.0.1:" + bridgePort;
        }
    }

    final Region a = new Region("us-east");
    final Region b = new Region("eu-west");
    private final Path tls;
    private final String homes;

    /** @param homes the {@code homes} rules both regions are given (they must agree) */
    TwoRegions(Path directory, String homes) {
        this.tls = directory;
        this.homes = homes;
        ThrowawayCa ca = ThrowawayCa.create("two-regions-test", Duration.ofDays(1), InstantSource.system());
        ca.writeCa(directory);
        for (Region region : List.of(a, b)) {
            ca.issueRegion(directory, region.name, Duration.ofDays(1));
        }
        try {
            for (Region region : List.of(a, b)) {
                Region peer = region == a ? b : a;
                region.edge = EdgeNode.start(TestNodes.config(region.name, region.name + "-1", region.hazelcastPort,
                        List.of(region.hazelcastPort), region.cluster, "peers=" + peer.name, "homes=" + homes,
                        "durability.global-timeout-ms=3000", "admin-token=" + ADMIN_TOKEN,
                PAUSE_FENCE_OFF));
            }
            for (Region region : List.of(a, b)) {
                region.bridge = BridgeProcess.start(BridgeConfigLoader.load(bridgeArgs(region, region == a ? b : a),
                        Map.of()));
            }
            for (Region region : List.of(a, b)) {
                TestNodes.await(region.name + "'s bridge streaming to its peer", WAIT,
                        () -> health(region).contains("\"link\":\"STREAMING\""));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Stops {@code region}'s edge node and bridge and starts both again as a new cluster: the region lost every state
     * it held (its history, its outbound logs), as after losing all its processes together.
     */
    void restartFromNothing(Region region) {
        region.bridge.close();
        region.edge.close();
        region.hazelcastPort = TestNodes.freePort();
        region.cluster = "regions-" + region.name + "-" + Long.toHexString(System.nanoTime());
        Region peer = region == a ? b : a;
        region.edge = EdgeNode.start(TestNodes.config(region.name, region.name + "-1", region.hazelcastPort,
                List.of(region.hazelcastPort), region.cluster, "peers=" + peer.name, "homes=" + homes,
                "durability.global-timeout-ms=3000", "admin-token=" + ADMIN_TOKEN,
                PAUSE_FENCE_OFF));
        restartBridge(region);
    }

    /** Starts {@code region}'s bridge again (after a test closed it), and waits until it streams to its peer. */
    void restartBridge(Region region) {
        region.bridge = BridgeProcess.start(BridgeConfigLoader.load(bridgeArgs(region, region == a ? b : a),
                Map.of()));
        TestNodes.await(region.name + "'s bridge streaming again", WAIT,
                () -> health(region).contains("\"link\":\"STREAMING\""));
    }

    /** A WebSocket client of {@code region}'s edge node, connected. */
    static WsProbe connect(Region region, String clientId) {
        WsProbe probe = WsProbe.connect(region.edge.wsUrl(), TestNodes.token(clientId));
        probe.awaitType("connected");
        return probe;
    }

    /** The bridge's {@code /health} body, or the failure to read it. */
    static String health(Region region) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(region.bridge.httpUrl() + "/health"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e.toString();
        }
    }

    private String[] bridgeArgs(Region region, Region peer) {
        BridgeTlsFiles files = BridgeTlsFiles.inDirectory(tls, region.name);
        List<String> args = new ArrayList<>(List.of(
                "--region=" + region.name,
                "--replica-id=" + region.name + "-b1",
                "--port=" + region.bridgePort,
                "--peers." + peer.name + "=" + peer.bridgeUrl(),
                "--tls.cert-chain=" + files.certChain(),
                "--tls.private-key=" + files.privateKey(),
                "--tls.trusted-ca=" + files.trustedCa(),
                "--hazelcast.cluster-name=" + region.cluster,
                "--hazelcast.port=" + TestNodes.freePort(),
                "--hazelcast.members=127.0.0.1:" + region.hazelcastPort,
                "--lease.ttl-ms=2000",
                "--link.backoff-initial-ms=50",
                "--link.backoff-max-ms=500",
                "--link.breaker-open-ms=500",
                "--shutdown-grace-ms=200",
                "--presence.peer-timeout-ms=" + PRESENCE_PEER_TIMEOUT_MS,
                "--http.port=0"));
        return args.toArray(String[]::new);
    }

    @Override
    public void close() {
        for (Region region : List.of(a, b)) {
            if (region.bridge != null) {
                region.bridge.close();
            }
        }
        for (Region region : List.of(a, b)) {
            if (region.edge != null) {
                region.edge.close();
            }
        }
    }
}
