package io.heliograph.control.system;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.heliograph.control.config.ControlConfig;
import io.heliograph.control.testing.Await;
import io.heliograph.control.testing.Configs;
import io.heliograph.control.testing.FakeEdge;
import io.heliograph.control.testing.FakeMesh;
import io.heliograph.launcher.ControlPlaneProcess;

/**
 * Two control-plane processes watching fake edges and bridges in this JVM; the leader is killed with SIGKILL (its
 * lease is not released, it must expire): the other leads within 5 s (lease TTL 3 s, the default) and its table
 * continues above the version the edges hold.
 */
class KillLeaderIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final FakeMesh mesh = new FakeMesh(1);
    private final List<ControlPlaneProcess> replicas = new ArrayList<>();

    @AfterEach
    void stop() {
        replicas.forEach(ControlPlaneProcess::close);
        mesh.close();
    }

    @Test
    void whenTheLeaderIsKilledTheOtherReplicaLeadsWithinFiveSecondsAndContinuesTheVersion() throws IOException {
        Path regions = writeRegions(dir.resolve("control-plane.yaml"));
        List<Integer> hazelcastPorts = List.of(Await.freePort(), Await.freePort());
        List<String> members = hazelcastPorts.stream().map(p -> "127.0.0.1:" + p).toList();
        String cluster = "hg-control-it-" + System.nanoTime();
        for (int i = 0; i < 2; i++) {
            replicas.add(ControlPlaneProcess.builder()
                    .replicaId("cp-" + (i + 1)).httpPort(Await.freePort()).hazelcastPort(hazelcastPorts.get(i))
                    .clusterName(cluster).members(members).regionsFile(regions)
                    .auditLog(dir.resolve("cp-" + (i + 1) + "-audit.jsonl")).adminToken(Configs.TOKEN)
                    .jvmOptions(List.of("-Xmx256m", "-Dhazelcast.phone.home.enabled=false"))
                    .classpath(System.getProperty("control.classpath", System.getProperty("java.class.path")))
                    .flags(List.of("--probe.interval-ms=200", "--probe.timeout-ms=500"))
                    .log(dir.resolve("cp-" + (i + 1) + ".log")).start());
        }
        replicas.forEach(r -> r.awaitReady(Duration.ofSeconds(60)));
        Await.await("one replica leads and every edge holds its table", Duration.ofSeconds(30), () ->
                replicas.stream().filter(r -> "leader".equals(role(r))).count() == 1
                        && mesh.allEdges().stream().allMatch(e -> e.heldVersion() > 0));
        ControlPlaneProcess leader = replicas.stream().filter(r -> "leader".equals(role(r))).findFirst().orElseThrow();
        ControlPlaneProcess other = replicas.stream().filter(r -> r != leader).findFirst().orElseThrow();
        String leaderId = leader.replicaId();
        Await.await(other.replicaId() + " names " + leaderId + " the leader", Duration.ofSeconds(10),
                () -> leaderId.equals(other.health().path("leader").asText()));
        long before = mesh.allEdges().stream().mapToLong(FakeEdge::heldVersion).max().orElseThrow();

        long killedNs = System.nanoTime();
        leader.kill9();
        Await.await(other.replicaId() + " leads", Duration.ofSeconds(5), () -> "leader".equals(role(other)));
        long tookMs = (System.nanoTime() - killedNs) / 1_000_000;
        System.out.println("takeover after SIGKILL of the leader: " + tookMs + " ms");
        assertTrue(tookMs >= 1000, "the killed leader's lease must expire, not be released: " + tookMs + " ms");

        Await.await("every edge holds the new leader's table", Duration.ofSeconds(5),
                () -> mesh.allEdges().stream().allMatch(e -> e.heldVersion() > before
                        && other.replicaId().equals(e.held().at("/leader/id").asText())));
        assertTrue(other.health().path("tableVersion").asLong() > before);
    }

    private static String role(ControlPlaneProcess replica) {
        try {
            return replica.health().path("role").asText();
        } catch (RuntimeException e) {
            return "unreachable";
        }
    }

    private Path writeRegions(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putObject("heliograph").putArray("regions");
        for (ControlConfig.RegionSpec region : mesh.regions()) {
            ObjectNode r = list.addObject().put("name", region.name());
            ArrayNode edges = r.putArray("edges");
            region.edges().forEach(e -> edges.addObject().put("id", e.id()).put("http", e.http()).put("ws", e.ws()));
            ArrayNode bridges = r.putArray("bridges");
            region.bridges().forEach(b -> bridges.addObject().put("id", b.id()).put("http", b.http()));
            ArrayNode preference = r.putArray("preference");
            region.preference().forEach(preference::add);
        }
        Files.writeString(file, JSON.writeValueAsString(root));
        return file;
    }
}
