package io.heliograph.edge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.heliograph.launcher.EdgeProcess;
import io.heliograph.launcher.LocalMesh;
import io.heliograph.launcher.MeshPlan;
import io.heliograph.launcher.MeshUpCommand;
import io.heliograph.launcher.RegionBridgeProcess;
import io.heliograph.launcher.net.TcpProxy;
import io.heliograph.protocol.auth.Tokens;

import static io.heliograph.edge.system.MeshFixture.await;
import static io.heliograph.edge.system.MeshFixture.msgIds;
import static io.heliograph.edge.system.MeshFixture.planOnFreePorts;
import static io.heliograph.edge.system.MeshFixture.publish;

/**
 * {@code ./mesh up}'s layout as real processes, through launcher's {@link LocalMesh}: two regions of one edge node
 * each, linked by one bridge replica each over mutual TLS, every link through a WAN proxy. The mesh comes up linked
 * (so the TLS region check does not mind the proxy: it reads the region from the certificate, not the address), a
 * {@code global} publish in one region is answered once the other holds it, a cut link comes back, and stopping the
 * mesh leaves no process behind.
 *
 * <p>Here rather than in launcher: edge-node depends on launcher (its process fixture), so launcher's own tests run
 * before edge-node is built; a failsafe test of this module runs after edge-node and region-bridge are packaged.
 */
class LocalMeshBridgesIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tls;
    private LocalMesh mesh;

    @AfterEach
    void stop() {
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void twoRegionsComeUpLinkedThroughProxiesCarryAGlobalPublishSurviveACutAndStopLeavingNoProcess()
            throws Exception {
        MeshPlan plan = planOnFreePorts(base -> MeshPlan.builder().regions(List.of("us-east", "eu-west"))
                .nodesPerRegion(1).bridgesPerRegion(1).basePort(base).wanProxies(20).build());
        String secret = LocalMesh.randomSecret();
        mesh = MeshFixture.startMesh(plan, secret, tls, "local-mesh-it", List.of());

        // Every process came up and printed what ./mesh up prints, in order.
        assertEquals(2, mesh.nodes().size());
        assertEquals(2, mesh.bridges().size());
        String token = new Tokens(secret).mintAll("it", Duration.ofMinutes(10));
        List<String> lines = MeshUpCommand.readyLines(mesh, token, null);
        assertEquals(5, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches(
                "edge us-east us-east-1 ws://127\\.0\\.0\\.1:\\d+/v1/ws http://127\\.0\\.0\\.1:\\d+"), lines.get(0));
        assertTrue(lines.get(1).startsWith("edge eu-west eu-west-1 ws://"), lines.get(1));
        assertEquals("bridge us-east us-east-b1 " + plan.bridgesOf("us-east").getFirst().url(), lines.get(2));
        assertEquals("bridge eu-west eu-west-b1 " + plan.bridgesOf("eu-west").getFirst().url(), lines.get(3));
        assertTrue(lines.get(2).matches("bridge \\S+ \\S+ https://127\\.0\\.0\\.1:\\d+"), lines.get(2));
        assertEquals("token " + token, lines.get(4));
        assertTrue(Files.isRegularFile(tls.resolve("ca.pem")) && Files.isRegularFile(tls.resolve("eu-west/key.pem")));

        // Each holder streams to its peer on the pair's one stream: eu-west (sorting first) dials it through its
        // proxy, TLS and all, and us-east sends on the stream it accepts.
        RegionBridgeProcess usEast = mesh.bridge("us-east-b1");
        RegionBridgeProcess euWest = mesh.bridge("eu-west-b1");
        TcpProxy usEastToEuWest = mesh.proxy("us-east", "eu-west-b1");
        TcpProxy euWestToUsEast = mesh.proxy("eu-west", "us-east-b1");
        assertLinkedThrough(usEast, "eu-west", usEastToEuWest, "accepts");
        assertLinkedThrough(euWest, "us-east", euWestToUsEast, "dials");
        assertTrue(euWestToUsEast.bytesToTarget() > 0 && euWestToUsEast.bytesFromTarget() > 0);

        // Edge nodes were given their peers: a global publish is answered once eu-west holds it.
        EdgeProcess usEastEdge = mesh.nodes().get(0);
        EdgeProcess euWestEdge = mesh.nodes().get(1);
        assertEquals("global", publish(usEastEdge, token, "crossing", "m-1").path("durability").asText());
        assertEquals(List.of("m-1"), msgIds(euWestEdge, token, "crossing"));

        // A cut of the stream's path takes the link down both ways, and it comes back once restored; publishes
        // from us-east, which sends on the stream eu-west dials, are global again.
        euWestToUsEast.cut();
        await(() -> !RegionBridgeProcess.STREAMING.equals(usEast.linkStates().get("eu-west"))
                        && !RegionBridgeProcess.STREAMING.equals(euWest.linkStates().get("us-east")), WAIT,
                "both halves of the link to notice the cut");
        euWestToUsEast.restore();
        usEast.awaitLinked(WAIT);
        euWest.awaitLinked(WAIT);
        assertEquals("global", publish(usEastEdge, token, "crossing", "m-2").path("durability").asText());
        await(() -> msgIds(euWestEdge, token, "crossing").equals(List.of("m-1", "m-2")), WAIT, "m-2 in eu-west");

        // Stopping leaves nothing: every process exits after SIGTERM, well within the stop timeout.
        List<ProcessHandle> processes = new ArrayList<>();
        mesh.nodes().forEach(n -> processes.add(ProcessHandle.of(n.pid()).orElseThrow()));
        mesh.bridges().forEach(b -> processes.add(ProcessHandle.of(b.pid()).orElseThrow()));
        long stopNs = System.nanoTime();
        mesh.close();
        long stopMs = (System.nanoTime() - stopNs) / 1_000_000;
        for (ProcessHandle process : processes) {
            assertFalse(process.isAlive(), "pid " + process.pid() + " still runs after close");
        }
        assertTrue(stopMs < 15_000, "stopping took " + stopMs + " ms: something needed SIGKILL");
        for (TcpProxy proxy : mesh.proxies()) {
            assertFalse(canConnect(proxy.port()), proxy + " still listens");
        }
    }

    private static void assertLinkedThrough(RegionBridgeProcess bridge, String peer, TcpProxy proxy, String stream) {
        JsonNode health = bridge.health();
        assertEquals("UP", health.path("status").asText(), health.toString());
        assertEquals("holder", health.path("lease").path("role").asText(), health.toString());
        JsonNode link = health.path("peers").path(peer);
        assertEquals(RegionBridgeProcess.STREAMING, link.path("link").asText(), health.toString());
        assertEquals("https://127.0.0.1:" + proxy.port(), link.path("url").asText(), health.toString());
        assertEquals(stream, link.path("stream").asText(), health.toString());
    }

    private static boolean canConnect(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
