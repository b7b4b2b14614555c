package io.heliograph.edge.system;

import static io.heliograph.edge.system.MeshFixture.await;
import static io.heliograph.edge.system.MeshFixture.msgIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.heliograph.launcher.EdgeProcess;
import io.heliograph.protocol.auth.Tokens;

/**
 * The fourth failover test, on real processes: every process of us-east (the home of {@code a-*}) is frozen
 * with SIGSTOP; the control plane marks it down and moves its homes to eu-west under epoch 2, where publishing goes
 * on. When us-east wakes, it holds the old table and no survivor fenced it (it was down, so nobody asked it to
 * yield), yet it assigns no serial: its edge noticed its own pause and sequences nothing until the control plane has
 * confirmed its table, which moves the home away. Every publish made in us-east after waking, even with {@code region}
 * durability (acked without any other region), is sequenced by eu-west in epoch 2; both regions' histories are the
 * same; us-east is healthy again and its homes stay where they moved.
 */
class FrozenRegionIT extends ControlledMeshTest {

    private static final String ADMIN_TOKEN = "frozen-region-it-admin-token";

    @Test
    void aFrozenRegionWokenAfterItsHomesMovedAssignsNoSerialAndRejoins() throws Exception {
        startMesh(List.of("us-east", "eu-west"), ADMIN_TOKEN, "frozen-region-it", false, List.of(
                "--homes=a-*=us-east",
                "--pause-fence-ms=" + System.getProperty("frozen-region-it.pause-fence-ms", "2000")));
        String token = new Tokens(secret).mintAll("it", Duration.ofMinutes(30));
        EdgeProcess us = edgeOf("us-east");
        EdgeProcess eu = edgeOf("eu-west");
        await(() -> MeshClients.get(us.httpUrl().resolve("/health")).toString().contains("\"meshTableVersion\":")
                        && tableVersion(us) > 0 && tableVersion(eu) > 0, Duration.ofSeconds(60),
                "both regions hold the control plane's table");

        // A client of us-east whose application bounds a connection's silence at 3 s: a frozen region says nothing
        // (its sockets stay open), so only that bound moves the client; it resumes a-1 in eu-west.
        clients = new MeshClients(mesh, secret, List.of("a-1")).silence(Duration.ofSeconds(3));
        clients.subscribe(List.of("us-east"), 1);
        MeshClients.Subscriber roamer = clients.subscribers.get(0);

        List<String> published = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            JsonNode ack = MeshFixture.publish(us, token, "a-1", "before-" + i);
            assertEquals("1:" + i, ack.path("serial").asText(), ack.toString());
            published.add("before-" + i);
        }

        await(() -> roamer.msgIds().containsAll(published), Duration.ofSeconds(20), "the roamer has 1:1 to 1:3");

        mesh.freezeRegion("us-east");
        try {
            await(() -> "down".equals(MeshClients.regionEntry(controlPlane, "us-east").path("state").asText()),
                    Duration.ofSeconds(30), "the control plane says us-east is down");
            assertEquals(2, MeshClients.regionEntry(controlPlane, "eu-west").path("epochs").path("us-east").asLong(),
                    "us-east's homes moved to eu-west under epoch 2");
            await(() -> "eu-west".equals(roamer.client.region())
                            && roamer.client.state() == io.heliograph.client.ConnectionState.CONNECTED,
                    Duration.ofSeconds(15), "the roamer left the frozen region for eu-west");
            // Region durability: with us-east frozen no other region can hold a global publish.
            for (int i = 1; i <= 3; i++) {
                String msgId = "moved-" + i;
                assertEquals("2:" + i, publishUntilAcked(eu, token, msgId, "region"),
                        "eu-west continues after 1:3 in epoch 2");
                published.add(msgId);
            }
            assertEquals(List.of("before-1", "before-2", "before-3", "moved-1", "moved-2", "moved-3"),
                    msgIds(eu, token, "a-1"));
        } finally {
            mesh.thawRegion("us-east");
        }

        // Woken with the old table: a region-durability publish needs no other region to be acked, so only the pause
        // fence stands between it and a serial of epoch 1. Refused (503) until confirmed, then sequenced at eu-west.
        List<String> serials = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            String msgId = "woken-" + i;
            serials.add(publishUntilAcked(us, token, msgId, i == 1 ? "region" : i == 2 ? "global" : "region"));
            published.add(msgId);
        }
        for (String serial : serials) {
            assertTrue(serial.startsWith("2:"), "sequenced by the new home in epoch 2, not by the woken one: "
                    + serials);
        }
        assertEquals(List.of("2:4", "2:5", "2:6"), serials, "continuing eu-west's epoch 2");
        String prometheus = get(us, "/metrics");
        assertTrue(prometheus.lines().anyMatch(l -> l.startsWith("heliograph_pause_fences_total")
                && !l.endsWith(" 0.0")), "the pause is counted: " + prometheus.lines()
                .filter(l -> l.contains("pause_fences")).toList());

        await(() -> published.equals(msgIds(us, token, "a-1")), Duration.ofSeconds(30),
                "us-east's history is eu-west's: " + msgIds(us, token, "a-1"));
        assertEquals(published, msgIds(eu, token, "a-1"));
        await(() -> roamer.msgIds().containsAll(published), Duration.ofSeconds(20), "the roamer has every message");
        List<String> handed = roamer.delivered.get("a-1");
        assertEquals(published.size(), handed.size(), "each once: " + handed);
        RegionFailoverIT.assertSerialsRunWithoutGaps(handed.stream()
                .map(entry -> entry.substring(0, entry.indexOf(' '))).toList());
        await(() -> !"down".equals(MeshClients.regionEntry(controlPlane, "us-east").path("state").asText()),
                Duration.ofSeconds(30), "us-east rejoined: not down any more");
        assertEquals(2, MeshClients.regionEntry(controlPlane, "eu-west").path("epochs").path("us-east").asLong(),
                "not failed back: the homes stay where they moved");
    }

    private static long tableVersion(EdgeProcess edge) {
        String health = MeshClients.get(edge.httpUrl().resolve("/health")).toString();
        int at = health.indexOf("\"meshTableVersion\":");
        if (at < 0) {
            return 0;
        }
        String rest = health.substring(at + "\"meshTableVersion\":".length());
        return Long.parseLong(rest.replaceAll("^(\\d+).*", "$1"));
    }

    private static String get(EdgeProcess edge, String path) throws Exception {
        HttpResponse<String> response = MeshFixture.HTTP.send(java.net.http.HttpRequest.newBuilder(
                edge.httpUrl().resolve(path)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    /** A publish retried with its msgId while answered 503 (or not at all), for at most 60 s: the serial acked. */
    private static String publishUntilAcked(EdgeProcess edge, String token, String msgId, String durability)
            throws Exception {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "";
        while (System.nanoTime() < deadlineNs) {
            try {
                HttpResponse<String> response = MeshFixture.publishOnce(edge, token, "a-1", msgId, durability,
                        Duration.ofSeconds(20));
                if (response.statusCode() == 201) {
                    return MeshFixture.JSON.readTree(response.body()).path("serial").asText();
                }
                last = response.statusCode() + " " + response.body();
                assertEquals(503, response.statusCode(), msgId + " refused: " + last);
            } catch (java.io.IOException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        throw new AssertionError(msgId + " not acked within 60 s; last answer " + last);
    }
}
