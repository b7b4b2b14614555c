package io.heliograph.edge.system;

import static io.heliograph.edge.system.MeshFixture.await;
import static io.heliograph.edge.system.MeshFixture.planOnFreePorts;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import io.heliograph.launcher.ControlPlaneProcess;
import io.heliograph.launcher.EdgeProcess;
import io.heliograph.launcher.LocalMesh;
import io.heliograph.launcher.MeshPlan;

/**
 * What the failover system tests share: regions of one edge node and one bridge each, a control plane, the
 * region-aware clients of a test, and stopping them all after it.
 */
abstract class ControlledMeshTest {

    @TempDir
    Path tls;

    LocalMesh mesh;
    MeshClients clients;
    String secret;
    ControlPlaneProcess controlPlane;

    @AfterEach
    void stopMeshAndClients() {
        if (clients != null) {
            clients.close();
        }
        if (mesh != null) {
            mesh.close();
        }
    }

    /**
     * Starts the mesh (WAN proxies of 1 ms when {@code proxies}, so that links can be cut), with the admin token, and
     * waits until the control plane sees every region healthy.
     */
    void startMesh(List<String> regions, String adminToken, String logName, boolean proxies, List<String> edgeFlags)
            throws InterruptedException {
        MeshPlan plan = planOnFreePorts(base -> {
            MeshPlan.Builder builder = MeshPlan.builder().regions(regions).nodesPerRegion(1).bridgesPerRegion(1)
                    .controlPlanes(1).basePort(base);
            return (proxies ? builder.wanProxies(1) : builder).build();
        });
        secret = LocalMesh.randomSecret();
        mesh = MeshFixture.startMesh(plan, secret, adminToken, tls, logName, edgeFlags);
        controlPlane = mesh.controlPlanes().get(0);
        await(() -> regions.stream().allMatch(r -> "healthy".equals(
                MeshClients.regionEntry(controlPlane, r).path("state").asText())), Duration.ofSeconds(60),
                "the control plane sees every region healthy");
    }

    EdgeProcess edgeOf(String region) {
        return mesh.nodes().stream().filter(e -> e.region().equals(region)).findFirst().orElseThrow();
    }
}
