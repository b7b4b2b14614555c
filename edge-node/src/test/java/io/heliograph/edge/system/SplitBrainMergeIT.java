package io.heliograph.edge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.heliograph.edge.testing.IsolatedNetwork;
import io.heliograph.edge.testing.PrometheusText;
import io.heliograph.edge.testing.TestNodes;
import io.heliograph.edge.testing.WsProbe;
import io.heliograph.launcher.EdgeProcess;

/**
 * A region of three node processes, each in a network namespace of its own, is partitioned 2 against 1 by cutting
 * one node's cluster link; both sides keep running and sequence the same channel, the lone side further. When the
 * link is back, the lone node merges into the others and its version of the channel wins (it sequenced further).
 * After the merge every node's subscribers must still get the channel's messages: the winning version must not carry
 * only the interest its own side knew.
 */
class SplitBrainMergeIT {

    private static final String CHANNEL = "split";
    private static final int HTTP_PORT = 8080;
    private static final int HZ_PORT = 5701;

    private IsolatedNetwork net;
    private final List<EdgeProcess> nodes = new ArrayList<>();
    private final List<WsProbe> probes = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (WsProbe p : probes) {
            try {
                p.close();
            } catch (RuntimeException ignored) {
                // its node may be gone
            }
        }
        nodes.forEach(EdgeProcess::close);
        if (net != null) {
            net.close();
        }
    }

    private WsProbe probe(EdgeProcess node, String clientId) {
        WsProbe probe = WsProbe.connect(node.wsUrl().toString(), TestNodes.token(clientId));
        probes.add(probe);
        probe.awaitType("connected");
        return probe;
    }

    @Test
    void afterASplitBrainMergeEveryNodesSubscribersStillGetTheChannel() {
        assumeTrue(IsolatedNetwork.available(), "needs root and ip netns");
        net = IsolatedNetwork.create(3);
        List<String> members = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            members.add(net.clusterAddress(i) + ":" + HZ_PORT);
        }
        String cluster = "split-" + System.nanoTime();
        for (int i = 1; i <= 3; i++) {
            // Three JVMs start at once on a small machine: C1 alone halves their start-up, and this test needs no
            // peak throughput.
            nodes.add(TestNodes.nodeProcess("us-east", "n" + i)
                    .commandPrefix(net.launcher(i))
                    .jvmOptions(TestNodes.nodeJvmOptions("-XX:TieredStopAtLevel=1"))
                    .host("0.0.0.0")
                    .reachHost(net.clientAddress(i))
                    .port(HTTP_PORT)
                    .hazelcastHost(net.clusterAddress(i))
                    .hazelcastPort(HZ_PORT)
                    .clusterName(cluster)
                    .members(members)
                    .start());
        }
        for (EdgeProcess node : nodes) {
            node.awaitReady(Duration.ofSeconds(90));
        }
        EdgeProcess n1 = nodes.get(0);
        EdgeProcess n2 = nodes.get(1);
        EdgeProcess n3 = nodes.get(2);

        List<WsProbe> subscribers = new ArrayList<>();
        for (EdgeProcess node : nodes) {
            WsProbe s = probe(node, "sub-" + node.nodeId());
            s.request("{'type':'attach','id':'a','channel':'" + CHANNEL + "'}").awaitReply("a");
            subscribers.add(s);
        }
        WsProbe pubMajority = probe(n1, "pub-majority");
        WsProbe pubLone = probe(n3, "pub-lone");
        publish(pubMajority, "before");
        for (WsProbe s : subscribers) {
            assertEquals("before", awaitMessage(s, Duration.ofSeconds(10)).get("msgId").asText());
        }

        net.cut(3);
        n1.awaitHealthy(2, Duration.ofSeconds(30));
        n2.awaitHealthy(2, Duration.ofSeconds(30));
        n3.awaitHealthy(1, Duration.ofSeconds(30));
        // Both sides sequence the channel; the lone side further, so its version wins the merge.
        for (int i = 0; i < 2; i++) {
            publish(pubMajority, "majority-" + i);
        }
        for (int i = 0; i < 6; i++) {
            publish(pubLone, "lone-" + i);
        }

        net.heal(3);
        for (EdgeProcess node : nodes) {
            node.awaitHealthy(3, Duration.ofSeconds(60));
        }
        // The merge of the data is done when the lone node reports it rejoined (Hazelcast's MERGED).
        n3.process().awaitLine(Pattern.compile("rejoined the region"), Duration.ofSeconds(30));

        publish(pubMajority, "after-merge");
        List<String> missed = new ArrayList<>();
        for (int i = 0; i < subscribers.size(); i++) {
            try {
                subscribers.get(i).await(f -> "message".equals(f.path("type").asText())
                        && "after-merge".equals(f.path("msgId").asText()), Duration.ofSeconds(15));
            } catch (AssertionError e) {
                missed.add(nodes.get(i).nodeId());
            }
        }
        assertEquals(List.of(), missed, "subscribers on these nodes got nothing after the merge");

        TestNodes.await("n3 counted its rejoining", Duration.ofSeconds(10),
                () -> mergesCounted(n3, "rejoined") == 1.0);
        for (EdgeProcess survivor : List.of(n1, n2)) {
            TestNodes.await(survivor.nodeId() + " counted the merge", Duration.ofSeconds(10),
                    () -> mergesCounted(survivor, "absorbed") == 1.0);
        }
    }

    private static double mergesCounted(EdgeProcess node, String side) {
        try {
            String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(node.httpUrl() + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            return PrometheusText.value(metrics, "heliograph_split_brain_merges_total", "side", side);
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void publish(WsProbe probe, String msgId) {
        JsonNode reply = probe.request("{'type':'publish','id':'" + msgId + "','channel':'" + CHANNEL
                + "','data':1,'msgId':'" + msgId + "'}").awaitReply(msgId);
        assertEquals("ack", reply.path("type").asText(), reply.toString());
    }

    private static JsonNode awaitMessage(WsProbe probe, Duration timeout) {
        return probe.await(f -> "message".equals(f.path("type").asText()), timeout);
    }
}
