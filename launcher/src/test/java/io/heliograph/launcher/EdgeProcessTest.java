package io.heliograph.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class EdgeProcessTest {

    @Test
    void aPlannedNodesCommandRunsTheEdgeMainWithEveryPlacementFlagThenTheExtraFlags() {
        MeshPlan.NodeSpec node = MeshPlan.create(List.of("a"), 1, 9100).nodes().get(0);

        List<String> command = EdgeProcess.builder().spec(node).java("/jdk/bin/java").jvmOptions(List.of("-Xmx512m"))
                .classpath("classes:lib/*").flags(List.of("--heartbeat-ms=1000")).command();

        assertEquals(List.of("/jdk/bin/java", "-Xmx512m", "-cp", "classes:lib/*", "io.heliograph.edge.Main",
                "--region=a", "--node-id=a-1", "--host=127.0.0.1", "--port=9100", "--ws-port=9600",
                "--hazelcast.port=10100", "--hazelcast.cluster-name=heliograph-a",
                "--hazelcast.members=127.0.0.1:10100", "--heartbeat-ms=1000"), command);
    }

    @Test
    void aNodeInANamespaceRunsThroughThePrefixAndBindsItsMemberApart() {
        List<String> command = EdgeProcess.builder().commandPrefix(List.of("ip", "netns", "exec", "ns1"))
                .java("java").classpath("cp").region("r").nodeId("n1").host("0.0.0.0").port(8080).wsPort(8081)
                .hazelcastHost("10.0.0.11").hazelcastPort(5701).clusterName("c")
                .members(List.of("10.0.0.11:5701", "10.0.0.12:5701")).command();

        assertEquals(List.of("ip", "netns", "exec", "ns1", "java", "-cp", "cp", "io.heliograph.edge.Main",
                "--region=r", "--node-id=n1", "--host=0.0.0.0", "--port=8080", "--ws-port=8081",
                "--hazelcast.port=5701", "--hazelcast.host=10.0.0.11", "--hazelcast.cluster-name=c",
                "--hazelcast.members=10.0.0.11:5701,10.0.0.12:5701"), command);
    }

    @Test
    void aNodeOfALinkedRegionNamesEveryOtherRegionAsPeerBeforeTheExtraFlags() {
        MeshPlan.NodeSpec node = MeshPlan.create(List.of("a", "b", "c"), 1, 9100).nodesOf("b").getFirst();

        List<String> command = EdgeProcess.builder().spec(node).java("java").classpath("cp")
                .flags(List.of("--heartbeat-ms=1000")).command();

        assertEquals(List.of("--hazelcast.members=127.0.0.1:10101", "--peers=a,c", "--heartbeat-ms=1000"),
                command.subList(command.size() - 3, command.size()));
    }

    @Test
    void aBuilderMissingPlacementNamesWhatIsMissing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EdgeProcess.builder().region("r").nodeId("n1").classpath("cp").command());

        assertTrue(e.getMessage().contains("[port, wsPort, hazelcastPort, clusterName, members]"), e.getMessage());
    }

    @Test
    void readinessDataIsTheDataOfTheCheckNamedEdge() throws Exception {
        var health = new ObjectMapper().readTree("{\"status\":\"UP\",\"checks\":[{\"name\":\"region\",\"data\":{}},"
                + "{\"name\":\"edge\",\"status\":\"UP\",\"data\":{\"cluster\":{\"members\":2}}}]}");

        assertEquals(2, EdgeProcess.readinessData(health).path("cluster").path("members").asInt());
        assertTrue(EdgeProcess.readinessData(new ObjectMapper().readTree("{\"checks\":[]}")).isMissingNode());
    }

    @Test
    void urlsNameWhereTheNodeIsReachedNotWhereItBinds() {
        EdgeProcess.Builder b = EdgeProcess.builder().host("0.0.0.0").reachHost("100.64.1.6").port(8080).wsPort(8081);
        assertEquals(URI.create("ws://100.64.1.6:8081/v1/ws"), b.wsUrl());
        assertEquals(URI.create("http://100.64.1.6:8080"), b.httpUrl());
    }
}
