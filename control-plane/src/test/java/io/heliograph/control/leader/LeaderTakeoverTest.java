package io.heliograph.control.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.heliograph.control.ControlPlane;
import io.heliograph.control.testing.Await;
import io.heliograph.control.testing.Configs;
import io.heliograph.control.testing.FakeEdge;
import io.heliograph.control.testing.FakeMesh;
import io.heliograph.region.mesh.MeshTable;
import io.heliograph.region.mesh.RegionState;
import io.heliograph.region.sequencing.Home;

/**
 * Two replicas in one JVM, their own Hazelcast cluster: one leads, the follower answers reads and forwards changes,
 * and when the leader goes the other leads within 5 s and continues the table above the highest version any edge
 * holds. Lease TTL 1.5 s.
 */
class LeaderTakeoverTest {

    @TempDir
    Path dir;

    private final FakeMesh mesh = new FakeMesh(1);
    private final List<ControlPlane> replicas = new ArrayList<>();

    @AfterEach
    void stop() {
        replicas.forEach(ControlPlane::close);
        mesh.close();
    }

    private void startReplicas(int count) {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ports.add(Await.freePort());
        }
        List<String> members = ports.stream().map(p -> "127.0.0.1:" + p).toList();
        String cluster = "hg-control-" + System.nanoTime();
        for (int i = 0; i < count; i++) {
            replicas.add(ControlPlane.start(mesh.config("cp-" + (i + 1), 100, 800, ports.get(i), members, cluster,
                    dir.resolve("audit-" + (i + 1) + ".jsonl"))));
        }
        Await.await("one replica leads and has probed every region serving", Duration.ofSeconds(30),
                () -> replicas.stream().filter(ControlPlane::isLeader).count() == 1 && replicas.stream()
                        .allMatch(r -> r.controller().view().health().values().stream().allMatch(h -> h.serving())));
    }

    private ControlPlane leader() {
        return replicas.stream().filter(ControlPlane::isLeader).findFirst().orElseThrow();
    }

    private ControlPlane follower() {
        return replicas.stream().filter(r -> !r.isLeader()).findFirst().orElseThrow();
    }

    @Test
    void theFirstLeaderContinuesAboveTheHighestVersionAnEdgeHolds() throws Exception {
        FakeEdge edge = mesh.edges("ap-south").getFirst();
        // A table a real edge could hold: its homes name regions it lists (the edge refuses any other).
        edge.hold(io.heliograph.protocol.Json.MAPPER.readTree("""
                {"version": 40, "leader": {"id": "cp-old", "epoch": 9},
                 "homes": {"us-east": {"region": "ap-south", "epoch": 5}},
                 "regions": {"us-east": {"state": "down", "edges": []}, "ap-south": {"state": "healthy", "edges": []}},
                 "preference": {}}
                """));
        startReplicas(1);
        MeshTable table = leader().controller().table().orElseThrow();
        assertTrue(table.version() >= 41, "version " + table.version());
        FakeEdge other = mesh.edges("eu-west").getFirst();
        Await.await("a push reached " + other.id(), Duration.ofSeconds(5), () -> !other.pushes().isEmpty());
        assertEquals(41, other.pushes().getFirst().path("version").asLong(), "the takeover's version");
        assertEquals(new Home("ap-south", 5), table.homeOf("us-east"), "the homes found are kept");
        assertEquals("cp-1", table.leader().id());
        Await.await("every edge holds version 41 or above", Duration.ofSeconds(5),
                () -> mesh.allEdges().stream().allMatch(e -> e.heldVersion() >= 41));
    }

    @Test
    void whenTheLeaderGoesTheOtherReplicaLeadsWithinFiveSecondsAndContinuesTheVersion() {
        startReplicas(2);
        ControlPlane first = leader();
        ControlPlane second = follower();
        assertEquals(first.config().replicaId(),
                FakeMesh.get(second.url() + "/v1/regions").body().path("leader").asText(), "the follower names it");

        FakeMesh.Answer again = FakeMesh.post(second.url() + "/v1/failover", "{\"region\":\"ap-south\"}",
                Configs.TOKEN, java.util.Map.of("X-Heliograph-Forwarded", "cp-x"));
        assertEquals(503, again.status(), "a forwarded change reaching a follower is not forwarded again");
        assertEquals("not_leader", again.body().path("code").asText());
        assertEquals(first.url(), again.body().path("leader").asText());
        assertEquals(401, FakeMesh.post(second.url() + "/v1/failover", "{\"region\":\"ap-south\"}", null).status(),
                "the follower checks the token before forwarding");

        FakeMesh.Answer forwarded = FakeMesh.post(second.url() + "/v1/failover", "{\"region\":\"ap-south\"}",
                Configs.TOKEN);
        assertEquals(200, forwarded.status(), "a change sent to the follower is forwarded: " + forwarded.body());
        long version = first.controller().table().orElseThrow().version();
        Await.await("the follower reads the leader's table", Duration.ofSeconds(5), () -> second.controller().table()
                .map(t -> t.version() == version && t.stateOf("ap-south") == RegionState.DRAINING).orElse(false));

        long goneNs = System.nanoTime();
        first.close();
        replicas.remove(first);
        Await.await("the other replica leads", Duration.ofSeconds(5), second::isLeader);
        long tookMs = (System.nanoTime() - goneNs) / 1_000_000;
        System.out.println("takeover after the leader closed: " + tookMs + " ms");

        MeshTable table = second.controller().table().orElseThrow();
        assertTrue(table.version() > version, "version " + table.version() + " after " + version);
        assertEquals(second.config().replicaId(), table.leader().id());
        assertTrue(table.leader().epoch() > 1, "a new lease epoch: " + table.leader());
        assertEquals(new Home("eu-west", 2), table.homeOf("ap-south"), "the failover is kept");
        assertEquals(RegionState.DRAINING, table.stateOf("ap-south"));
        for (FakeEdge edge : mesh.allEdges()) {
            Await.await(edge.id() + " holds the new leader's table", Duration.ofSeconds(5),
                    () -> edge.heldVersion() >= table.version());
        }
        FakeMesh.Answer restore = FakeMesh.post(second.url() + "/v1/restore", "{\"region\":\"ap-south\"}",
                Configs.TOKEN);
        assertEquals(200, restore.status(), restore.body().toString());
        JsonNode event = restore.body().path("event");
        assertEquals(2, event.at("/epochsBefore/ap-south").asLong());
        assertEquals(3, event.at("/epochsAfter/ap-south").asLong());
        assertTrue(event.path("seq").asLong() > 1, "the audit log continues: " + event);
        List<String> changes = new ArrayList<>();
        FakeMesh.get(second.url() + "/v1/events").body().path("events").forEach(e -> {
            if (!e.path("what").asText().equals("region-state")) {
                changes.add(e.path("who").asText() + " " + e.path("what").asText() + " " + e.path("region").asText());
            }
        });
        assertEquals(List.of("admin failover ap-south", "admin restore ap-south"), changes);
    }
}
