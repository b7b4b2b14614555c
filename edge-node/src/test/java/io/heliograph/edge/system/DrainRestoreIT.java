package io.heliograph.edge.system;

import static io.heliograph.edge.system.MeshFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.heliograph.client.ConnectionState;
import io.heliograph.client.HeliographClient;
import io.heliograph.launcher.ControlPlaneProcess;

/**
 * The second failover test, on real processes, driven by the real {@code meshctl}: two regions and a control
 * plane, region-aware clients subscribing and publishing in both, on a channel homed in each. {@code meshctl failover
 * eu-west} under that traffic moves eu-west's homes to us-east under epoch 2 (a handover: eu-west yields at its last
 * serial) and drains its edge, whose clients are redirected and resume in us-east; {@code meshctl restore eu-west}
 * moves the homes back under epoch 3 and ends the drain, and the clients of eu-west return there by themselves. In
 * the end every subscriber was handed every acked message once, each channel in one order, with no gap at either
 * epoch change, and nothing surfaced to the application as an error. Before the failover the link between the
 * regions is cut both ways for longer than the control plane's down-after-ms: nothing fails over (the issue's fifth
 * case); after the restore the control plane is killed with SIGKILL: connected clients notice nothing (its third).
 */
class DrainRestoreIT extends ControlledMeshTest {

    private static final List<String> REGIONS = List.of("us-east", "eu-west");
    private static final List<String> CHANNELS = List.of("a-1", "b-1");
    private static final String ADMIN_TOKEN = "drain-restore-it-admin-token";

    @Test
    void meshctlFailoverAndRestoreMoveTheClientsAwayAndBackWithNothingLostOrTwice() throws Exception {
        startMesh(REGIONS, ADMIN_TOKEN, "drain-restore-it", true, List.of("--homes=a-*=us-east,b-*=eu-west"));

        clients = new MeshClients(mesh, secret, CHANNELS).returning(Duration.ofSeconds(1), Duration.ofSeconds(2));
        clients.subscribe(REGIONS, 2);
        clients.publish(REGIONS, Duration.ofMillis(150));
        await(() -> clients.acked.size() >= 40, Duration.ofSeconds(60), "traffic under way");
        List<HeliographClient> euClients = Stream.concat(clients.subscribers.stream()
                        .filter(s -> s.region.equals("eu-west")).map(s -> s.client),
                Stream.of(clients.publishers.get("eu-west"))).toList();

        // The fifth case: the link between the regions cut both ways (each bridge reports it down), while
        // both regions answer the control plane's probes: no failover, for longer than down-after-ms.
        List<io.heliograph.launcher.net.TcpProxy> links = mesh.proxies();
        links.forEach(io.heliograph.launcher.net.TcpProxy::cut);
        long cutNs = System.nanoTime();
        await(() -> mesh.bridges().stream().allMatch(b -> body(b.httpUrl().resolve("/health"))
                        .matches("(?s).*\"link\"\\s*:\\s*\"(?!STREAMING)[A-Z_]+\".*")), Duration.ofSeconds(15),
                "both bridges report their link not streaming");
        Thread.sleep(Math.max(0, 5_000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutNs))); // down-after-ms (3 s) and two rounds: a span to observe, not a condition
        for (String region : REGIONS) {
            assertEquals("healthy", MeshClients.regionEntry(controlPlane, region).path("state").asText(),
                    region + " with its link cut");
        }
        assertTrue(!MeshClients.get(controlPlane.httpUrl().resolve("/v1/events")).toString().contains("failover"),
                "no failover for a cut link alone");
        links.forEach(io.heliograph.launcher.net.TcpProxy::restore);

        String failover = meshctl(controlPlane, "failover", "eu-west");
        assertTrue(failover.contains("failover eu-west -> us-east"), failover);
        await(() -> euClients.stream().allMatch(c -> c.state() == ConnectionState.CONNECTED
                && "us-east".equals(c.region())), Duration.ofSeconds(20), "eu-west's clients redirected to us-east");
        assertEquals("draining", MeshClients.regionEntry(controlPlane, "eu-west").path("state").asText());
        assertEquals(2, MeshClients.regionEntry(controlPlane, "us-east").path("epochs").path("eu-west").asLong());
        await(() -> ackedIn("b-1", 2) >= 5, Duration.ofSeconds(30), "b-1 sequenced by us-east under epoch 2");

        String restore = meshctl(controlPlane, "restore", "eu-west");
        assertTrue(restore.contains("restore eu-west"), restore);
        await(() -> euClients.stream().allMatch(c -> c.state() == ConnectionState.CONNECTED
                && "eu-west".equals(c.region())), Duration.ofSeconds(30), "eu-west's clients back in eu-west");
        assertEquals(3, MeshClients.regionEntry(controlPlane, "eu-west").path("epochs").path("eu-west").asLong());
        await(() -> ackedIn("b-1", 3) >= 5, Duration.ofSeconds(30), "b-1 sequenced at home again under epoch 3");

        // The third case, its second half: with the whole control plane gone, connected clients notice
        // nothing; the data plane goes on with the last tables it was given.
        List<HeliographClient> everyone = Stream.concat(clients.subscribers.stream().map(s -> s.client),
                clients.publishers.values().stream()).toList();
        long reconnectsBefore = everyone.stream().mapToLong(HeliographClient::reconnects).sum();
        int ackedBefore = clients.acked.size();
        mesh.controlPlanes().forEach(ControlPlaneProcess::kill9);
        await(() -> clients.acked.size() >= ackedBefore + 30, Duration.ofSeconds(30),
                "publishing goes on without a control plane");
        assertEquals(reconnectsBefore, everyone.stream().mapToLong(HeliographClient::reconnects).sum(),
                "no client reconnected");
        assertTrue(everyone.stream().allMatch(c -> c.state() == ConnectionState.CONNECTED));
        clients.stopPublishing();

        var everything = java.util.Set.copyOf(clients.acked.keySet());
        await(() -> clients.subscribers.stream().allMatch(s -> MeshClients.holdsAll(s, everything)),
                Duration.ofSeconds(60), "every subscriber handed every acked message");
        clients.assertEveryAckedMessageOnceInOneOrder();
        List<String> serials = clients.subscribers.get(0).delivered.get("b-1").stream()
                .map(entry -> entry.substring(0, entry.indexOf(' '))).toList();
        RegionFailoverIT.assertSerialsRunWithoutGaps(serials);
        for (HeliographClient client : euClients) {
            assertEquals(0, client.continuityLosses(), "no continuity lost");
            assertTrue(client.regionReturns() >= 1, "returned to eu-west by itself");
        }
        System.err.println("drain-restore-it: " + everything.size() + " acked messages; b-1 ended epochs at "
                + epochEnds(serials));
    }

    /** The body of a GET, whatever its status ("" when it does not answer). */
    private static String body(java.net.URI uri) {
        try {
            return MeshFixture.HTTP.send(java.net.http.HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                    .GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private long ackedIn(String channel, long epoch) {
        return clients.acked.entrySet().stream().filter(e -> e.getKey().split("/")[1].equals(channel)
                && e.getValue().startsWith(epoch + ":")).count();
    }

    private static List<String> epochEnds(List<String> serials) {
        List<String> ends = new ArrayList<>();
        for (int i = 0; i + 1 < serials.size(); i++) {
            if (!serials.get(i).split(":")[0].equals(serials.get(i + 1).split(":")[0])) {
                ends.add(serials.get(i));
            }
        }
        return ends;
    }

    /** Runs the packaged meshctl against the control plane with the admin token; its output (exit code 0). */
    private static String meshctl(ControlPlaneProcess controlPlane, String... args) throws Exception {
        Path root = MeshFixture.repositoryRoot();
        Path jar;
        try (Stream<Path> jars = Files.list(root.resolve("meshctl/target"))) {
            jar = jars.filter(p -> p.getFileName().toString().matches("meshctl-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("meshctl is not packaged in meshctl/target"));
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--control-plane", controlPlane.httpUrl().toString(), "--admin-token", ADMIN_TOKEN));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (var in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "meshctl " + String.join(" ", args) + " did not end");
        assertEquals(0, process.exitValue(), "meshctl " + String.join(" ", args) + ": " + output);
        return output;
    }
}
