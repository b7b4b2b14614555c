package io.heliograph.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlPlaneProcessTest {

    @TempDir
    Path dir;

    @Test
    void aPlannedReplicasCommandRunsTheControlPlaneMainWithItsRegionsFileAndPlacement() {
        MeshPlan plan = MeshPlan.builder().regions(List.of("a", "b")).nodesPerRegion(1).controlPlanes(2)
                .basePort(9100).build();

        List<String> command = ControlPlaneProcess.builder().spec(plan.controlPlanes().get(1)).java("/jdk/bin/java")
                .jvmOptions(List.of("-Xmx256m")).classpath("classes:lib/*").regionsFile(Path.of("/m/cp.yaml"))
                .auditLog(Path.of("/m/cp-2-audit.jsonl")).flags(List.of("--probe.interval-ms=500")).command();

        assertEquals(List.of("/jdk/bin/java", "-Xmx256m", "-cp", "classes:lib/*", "io.heliograph.control.Main",
                "--config=/m/cp.yaml", "--replica-id=cp-2", "--host=127.0.0.1", "--port=11101",
                "--hazelcast.cluster-name=hg-control", "--hazelcast.port=11151",
                "--hazelcast.members=127.0.0.1:11150,127.0.0.1:11151", "--audit-log=/m/cp-2-audit.jsonl",
                "--probe.interval-ms=500"), command);
        assertEquals("control-plane http://127.0.0.1:11101", ControlPlaneProcess.builder()
                .spec(plan.controlPlanes().get(1)).httpUrl().toString().replace("http", "control-plane http"));
    }

    @Test
    void aCommandWithoutItsRegionsFileIsRefused() {
        MeshPlan plan = MeshPlan.builder().regions(List.of("a")).nodesPerRegion(1).controlPlanes(1).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ControlPlaneProcess.builder()
                .spec(plan.controlPlanes().getFirst()).classpath("x").command());
        assertTrue(e.getMessage().contains("regionsFile"), e.getMessage());
    }

    @Test
    void theRegionsFileNamesEveryRegionsEdgesBridgesAndPreferenceInPlanOrder() throws Exception {
        MeshPlan plan = MeshPlan.builder().regions(List.of("us-east", "eu-west", "ap-south")).nodesPerRegion(2)
                .controlPlanes(1).basePort(9100).build();
        Path file = ControlPlaneProcess.writeRegions(plan, dir.resolve("cp.yaml"));

        JsonNode regions = new ObjectMapper().readTree(Files.readString(file)).at("/heliograph/regions");
        assertEquals(3, regions.size());
        JsonNode euWest = regions.get(1);
        assertEquals("eu-west", euWest.path("name").asText());
        assertEquals("eu-west-1", euWest.at("/edges/0/id").asText());
        assertEquals("http://127.0.0.1:9102", euWest.at("/edges/0/http").asText());
        assertEquals("ws://127.0.0.1:9602/v1/ws", euWest.at("/edges/0/ws").asText());
        assertEquals("eu-west-b1", euWest.at("/bridges/0/id").asText());
        assertEquals("http://127.0.0.1:10701", euWest.at("/bridges/0/http").asText());
        assertEquals("[\"us-east\",\"ap-south\"]", euWest.path("preference").toString());
    }
}
