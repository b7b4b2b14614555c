package io.heliograph.edge.system;

import static io.heliograph.edge.system.MeshFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.heliograph.client.ConnectionState;
import io.heliograph.edge.system.MeshClients.Subscriber;
import io.heliograph.launcher.ControlPlaneProcess;

/**
 * The first failover test, on real processes: three regions (one edge node and one bridge each) and a control
 * plane; region-aware Java clients subscribe and publish in every region, on a channel homed in each. Every process of
 * us-east is killed with SIGKILL under that traffic. Within 10 s every client of us-east is connected to another
 * region and has been handed every message acked before the kill; the control plane says us-east is {@code down} and
 * has moved its channels' home under epoch 2; publishing goes on, and in the end every subscriber in the world was
 * handed every acked message once, each channel in one order, with epoch 2 continuing where epoch 1 ended.
 */
class RegionFailoverIT extends ControlledMeshTest {

    private static final List<String> REGIONS = List.of("us-east", "eu-west", "ap-south");
    private static final List<String> CHANNELS = List.of("a-1", "b-1", "c-1");
    private static final String ADMIN_TOKEN = "region-failover-it-admin-token";

    @Test
    void aRegionKilledUnderTrafficFailsOverWithEveryAckedMessageOnceInOneOrder() throws Exception {
        startMesh(REGIONS, ADMIN_TOKEN, "region-failover-it", false,
                List.of("--homes=a-*=us-east,b-*=eu-west,c-*=ap-south"));

        clients = new MeshClients(mesh, secret, CHANNELS);
        clients.subscribe(REGIONS, 2);
        clients.publish(REGIONS, Duration.ofMillis(150));
        await(() -> clients.acked.size() >= 60, Duration.ofSeconds(60), "traffic under way");

        Map<String, String> ackedBeforeKill = Map.copyOf(clients.acked);
        long killNs = System.nanoTime();
        mesh.killRegion("us-east");

        List<Subscriber> displaced = clients.subscribers.stream().filter(s -> s.region.equals("us-east")).toList();
        Set<String> missed = ackedBeforeKill.keySet();
        await(() -> displaced.stream().allMatch(s -> s.client.state() == ConnectionState.CONNECTED
                        && !"us-east".equals(s.client.region()) && MeshClients.holdsAll(s, missed)),
                Duration.ofSeconds(10), "every client of us-east elsewhere with every message acked before the kill: "
                        + displaced);
        System.err.printf("region-failover-it: us-east's clients resumed elsewhere %.1f s after the kill%n",
                (System.nanoTime() - killNs) / 1e9);

        await(() -> "down".equals(MeshClients.regionEntry(controlPlane, "us-east").path("state").asText()),
                Duration.ofSeconds(20), "the control plane says us-east is down");
        // Traffic on us-east's channel resumes under the new home: at least a few serials of epoch 2 acked.
        await(() -> clients.acked.values().stream().filter(s -> s.startsWith("2:")).count() >= 5,
                Duration.ofSeconds(30), "a-1 sequenced again under epoch 2");
        System.err.printf("region-failover-it: epoch 2 acked on a-1 %.1f s after the kill%n",
                (System.nanoTime() - killNs) / 1e9);
        clients.stopPublishing();

        String newHome = homeOf(controlPlane, "us-east");
        assertTrue(List.of("eu-west", "ap-south").contains(newHome), "us-east's homes moved: " + newHome);
        assertEquals(2, MeshClients.regionEntry(controlPlane, newHome).path("epochs").path("us-east").asLong(),
                "under epoch 2");

        Set<String> everything = Set.copyOf(clients.acked.keySet());
        await(() -> clients.subscribers.stream().allMatch(s -> MeshClients.holdsAll(s, everything)),
                Duration.ofSeconds(60), "every subscriber handed every acked message");
        clients.assertEveryAckedMessageOnceInOneOrder();

        // a-1 in one order: epoch 1 up to where it ended, then epoch 2 from 2:1, with no gap in either.
        List<String> serials = clients.subscribers.get(0).delivered.get("a-1").stream()
                .map(entry -> entry.substring(0, entry.indexOf(' '))).toList();
        assertSerialsRunWithoutGaps(serials);
        for (Subscriber subscriber : displaced) {
            assertEquals(0, subscriber.client.continuityLosses(), subscriber + " lost no continuity");
            assertTrue(subscriber.client.regionChanges() >= 1, subscriber + " changed region");
        }
        System.err.println("region-failover-it: " + everything.size() + " acked messages, per channel "
                + clients.acked.keySet().stream().collect(Collectors.groupingBy(id -> id.split("/")[1],
                        Collectors.counting())));
    }

    /** The base region's home as the control plane's {@code /v1/regions} gives it. */
    private static String homeOf(ControlPlaneProcess controlPlane, String baseRegion) {
        for (JsonNode region : MeshClients.get(controlPlane.httpUrl().resolve("/v1/regions")).path("regions")) {
            for (JsonNode homed : region.path("homes")) {
                if (homed.asText().equals(baseRegion)) {
                    return region.path("name").asText();
                }
            }
        }
        throw new AssertionError("no region homes " + baseRegion);
    }

    /** 1:1, 1:2, ... 1:n, then 2:1, 2:2, ...: every epoch from seq 1 with no gap, epochs in order. */
    static void assertSerialsRunWithoutGaps(List<String> serials) {
        long epoch = 1;
        long seq = 0;
        for (String serial : serials) {
            long e = Long.parseLong(serial.substring(0, serial.indexOf(':')));
            long s = Long.parseLong(serial.substring(serial.indexOf(':') + 1));
            if (e == epoch) {
                assertEquals(seq + 1, s, "no gap before " + serial + " in " + serials);
            } else {
                assertEquals(epoch + 1, e, "epochs in order at " + serial + " in " + serials);
                assertEquals(1, s, "a new epoch starts at seq 1: " + serial);
                epoch = e;
            }
            seq = s;
        }
    }
}
