package io.heliograph.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.heliograph.bridge.tls.BridgeTlsFiles;

class RegionBridgeProcessTest {

    private static final BridgeTlsFiles TLS = BridgeTlsFiles.inDirectory(Path.of("/tls"), "a");

    @Test
    void aPlannedReplicasCommandRunsBridgeMainWithPlacementPeersTlsAndLeaseThenTheExtraFlags() {
        MeshPlan plan = MeshPlan.builder().regions(List.of("a", "b")).nodesPerRegion(2).bridgesPerRegion(2)
                .basePort(9100).build();

        List<String> command = RegionBridgeProcess.builder().spec(plan.bridges().get(1)).java("/jdk/bin/java")
                .jvmOptions(List.of("-Xmx256m")).classpath("classes:lib/*").tls(TLS)
                .leaseTtl(Duration.ofSeconds(2)).flags(List.of("--link.backoff-max-ms=500")).command();

        assertEquals(List.of("/jdk/bin/java", "-Xmx256m", "-cp", "classes:lib/*",
                "io.heliograph.bridge.process.BridgeMain",
                "--region=a", "--replica-id=a-b2", "--host=127.0.0.1", "--port=10601", "--http.port=10701",
                "--peers.b=https://127.0.0.1:10602,https://127.0.0.1:10603",
                "--tls.cert-chain=/tls/a/chain.pem", "--tls.private-key=/tls/a/key.pem",
                "--tls.trusted-ca=/tls/ca.pem",
                "--hazelcast.cluster-name=heliograph-a", "--hazelcast.port=10801",
                "--hazelcast.members=127.0.0.1:10100,127.0.0.1:10101",
                "--lease.ttl-ms=2000", "--link.backoff-max-ms=500"), command);
    }

    @Test
    void everyPeerRegionGetsItsOwnPeersFlagInPlanOrder() {
        MeshPlan plan = MeshPlan.builder().regions(List.of("a", "b", "c")).nodesPerRegion(1).basePort(9100).build();

        List<String> command = RegionBridgeProcess.builder().spec(plan.bridgesOf("b").getFirst()).classpath("cp")
                .tls(TLS).command();

        assertEquals(List.of("--peers.a=https://127.0.0.1:10600", "--peers.c=https://127.0.0.1:10602"),
                command.stream().filter(arg -> arg.startsWith("--peers.")).toList());
        assertTrue(command.stream().noneMatch(arg -> arg.startsWith("--lease.ttl-ms")), command.toString());
    }

    @Test
    void aBuilderMissingPlacementNamesWhatIsMissing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RegionBridgeProcess.builder().region("a").replicaId("a-b1").classpath("cp").command());

        assertTrue(e.getMessage().contains(
                "[grpcPort, httpPort, hazelcastPort, clusterName, members, peers, tls]"), e.getMessage());
    }

    @Test
    void theMeshLineNamesRegionReplicaAndTheGrpcUrl() {
        MeshPlan.BridgeSpec spec = MeshPlan.builder().regions(List.of("a", "b")).nodesPerRegion(1).basePort(9100)
                .build().bridges().getFirst();
        RegionBridgeProcess.Builder builder = RegionBridgeProcess.builder().spec(spec);

        assertEquals("https://127.0.0.1:10600", builder.grpcUrl());
        assertEquals("http://127.0.0.1:10700", builder.httpUrl().toString());
    }
}
