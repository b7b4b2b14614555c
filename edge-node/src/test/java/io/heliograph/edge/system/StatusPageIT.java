package io.heliograph.edge.system;

import static io.heliograph.edge.system.MeshFixture.planOnFreePorts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.heliograph.launcher.LocalMesh;
import io.heliograph.launcher.MeshPlan;

/**
 * The control plane's status page in headless Debian chromium (playwright-core 1.64.1, installed by the test's own
 * script, never a downloaded browser): two real regions and a control plane; every process of us-east is killed with
 * SIGKILL, and the page shows us-east turning {@code down} and the failover in its timeline, live over the stream.
 * The screenshot is kept in {@code edge-node/target/status-page-it/status-page.png}.
 */
class StatusPageIT {

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
    void thePageShowsAKilledRegionGoingDownAndItsFailover() throws Exception {
        Path root = MeshFixture.repositoryRoot();
        Path browser = root.resolve("control-plane/src/test/browser");
        Path work = root.resolve("edge-node/target/status-page-it");
        Files.createDirectories(work);
        Path install = work.resolve("playwright");
        Process installer = new ProcessBuilder("bash", browser.resolve("install.sh").toString(), install.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("install.log").toFile()).start();
        assertTrue(installer.waitFor(10, TimeUnit.MINUTES), "installing chromium and playwright-core took too long");
        assertEquals(0, installer.exitValue(), "install failed: " + Files.readString(work.resolve("install.log")));

        MeshPlan plan = planOnFreePorts(base -> MeshPlan.builder().regions(List.of("us-east", "eu-west"))
                .nodesPerRegion(1).bridgesPerRegion(1).controlPlanes(1).basePort(base).build());
        mesh = MeshFixture.startMesh(plan, LocalMesh.randomSecret(), "status-page-it-admin-token", tls,
                "status-page-it", List.of());
        String url = mesh.controlPlanes().get(0).httpUrl().toString();

        Path screenshot = work.resolve("status-page.png");
        ProcessBuilder driver = new ProcessBuilder("node", browser.resolve("status-page.mjs").toString(), url + "/",
                "us-east", screenshot.toString(), "90000").redirectError(work.resolve("browser.log").toFile());
        driver.environment().put("PLAYWRIGHT_HOME", install.toString());
        Process page = driver.start();
        CompletableFuture<String> ready = new CompletableFuture<>();
        StringBuilder output = new StringBuilder();
        Thread.ofVirtual().start(() -> {
            try (var lines = new BufferedReader(new InputStreamReader(page.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    output.append(line).append('\n');
                    if (line.equals("READY")) {
                        ready.complete(line);
                    }
                }
            } catch (java.io.IOException e) {
                ready.completeExceptionally(e);
            }
            ready.complete("ended: " + output);
        });
        assertEquals("READY", ready.get(120, TimeUnit.SECONDS), "the page never showed the regions: "
                + Files.readString(work.resolve("browser.log")));

        mesh.killRegion("us-east");
        assertTrue(page.waitFor(120, TimeUnit.SECONDS), "the page did not show us-east down in time");
        assertEquals(0, page.exitValue(), "the page did not show us-east down and its failover: " + output
                + Files.readString(work.resolve("browser.log")));
        assertTrue(output.toString().contains("DOWN") && output.toString().contains("failover us-east"), output.toString());
        assertTrue(Files.size(screenshot) > 0, "a screenshot is kept");
    }
}
