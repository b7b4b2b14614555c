package io.heliograph.edge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.heliograph.edge.testing.PrometheusText;
import io.heliograph.edge.testing.TestNodes;
import io.heliograph.edge.testing.TwoNodeRegion;
import io.heliograph.edge.testing.WsProbe;
import io.heliograph.launcher.EdgeProcess;
import io.heliograph.protocol.Json;

/**
 * The backup of a channel's partition is frozen (SIGSTOP) while a publish runs on its owner: the owner applies the
 * message but the backup never confirms it. That publish must not be acked (an ack means the backup holds it: if the
 * owner died next, the promoted backup would hand out the same serial again); it is answered 503, and once the backup
 * is back a retry with the same msgId answers the serial the owner gave it, delivered once.
 */
class UnconfirmedBackupIT {

    private TwoNodeRegion region;

    @AfterEach
    void cleanUp() {
        if (region != null) {
            region.close();
        }
    }

    @Test
    void aPublishWhoseBackupDidNotConfirmIsRefusedAndItsRetryAnswersOneSerial() throws Exception {
        region = TwoNodeRegion.start("backup-ack");
        EdgeProcess n1 = region.n1();
        EdgeProcess n2 = region.n2();
        String channel = channelOwnedBy(n1, n2);

        WsProbe subscriber = region.probe(n2, "sub");
        subscriber.request("{'type':'attach','id':'a','channel':'" + channel + "'}").awaitReply("a");
        WsProbe publisher = region.probe(n1, "pub");
        assertEquals("1:1", publish(publisher, "p0", channel, "m-0").get("serial").asText());

        n2.freeze();
        JsonNode answer;
        HttpResponse<String> httpAnswer;
        try {
            // One publish over WebSocket and one over HTTP, both while the backup is frozen.
            var overHttp = httpPublish(n1, channel, "m-unconfirmed-http");
            answer = publisher.request("{'type':'publish','id':'p1','channel':'" + channel
                    + "','data':1,'msgId':'m-unconfirmed'}").await(f -> "p1".equals(f.path("id").asText(null)),
                    Duration.ofSeconds(15));
            httpAnswer = overHttp.orTimeout(15, java.util.concurrent.TimeUnit.SECONDS).join();
        } finally {
            n2.thaw();
        }
        assertEquals("error", answer.path("type").asText(), "not acked without its backup: " + answer);
        assertEquals(503, answer.path("code").asInt(), answer.toString());
        assertEquals(503, httpAnswer.statusCode(), httpAnswer.body());

        n1.awaitHealthy(2, Duration.ofSeconds(60));
        n2.awaitHealthy(2, Duration.ofSeconds(60));
        // The owner had applied both: the retries are answered from the idempotency window with those serials, not
        // new ones, and the next message follows them.
        String wsSerial = publish(publisher, "p2", channel, "m-unconfirmed").get("serial").asText();
        HttpResponse<String> httpRetry = httpPublish(n1, channel, "m-unconfirmed-http").join();
        assertEquals(201, httpRetry.statusCode(), httpRetry.body());
        String httpSerial = Json.parse(httpRetry.body()).get("serial").asText();
        assertEquals(java.util.Set.of("1:2", "1:3"), java.util.Set.of(wsSerial, httpSerial));
        assertEquals("1:4", publish(publisher, "p3", channel, "m-after").get("serial").asText());

        List<String> delivered = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            JsonNode m = subscriber.awaitType("message");
            delivered.add(m.get("serial").asText() + " " + m.get("msgId").asText());
        }
        assertEquals(List.of("1:1 m-0", wsSerial + " m-unconfirmed", httpSerial + " m-unconfirmed-http",
                "1:4 m-after").stream().sorted().toList(), delivered, "once each, in serial order");
        List<String> history = new ArrayList<>();
        for (JsonNode m : historyOf(n2, channel).path("messages")) {
            history.add(m.get("serial").asText() + " " + m.get("msgId").asText());
        }
        assertEquals(delivered, history, "each msgId stored once");

        String metrics = get(n1.httpUrl() + "/metrics");
        assertTrue(PrometheusText.value(metrics, "heliograph_region_unavailable_total",
                "cause", "indeterminate") >= 1, metrics);
    }

    private static java.util.concurrent.CompletableFuture<HttpResponse<String>> httpPublish(EdgeProcess node,
                                                                                        String channel, String msgId) {
        return HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(
                        URI.create(node.httpUrl() + "/v1/channels/" + channel + "/messages"))
                .header("Authorization", "Bearer " + TestNodes.token("http-pub"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofString("{\"data\":2,\"msgId\":\"" + msgId + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode publish(WsProbe probe, String id, String channel, String msgId) {
        JsonNode reply = probe.request("{'type':'publish','id':'" + id + "','channel':'" + channel
                + "','data':1,'msgId':'" + msgId + "'}").awaitReply(id);
        assertEquals("ack", reply.path("type").asText(), reply.toString());
        return reply;
    }

    /**
     * A channel whose partition {@code owner}'s member owns once the region is settled (so the other node holds the
     * backup), found by asking the cluster's partition table through a Hazelcast client.
     */
    private static String channelOwnedBy(EdgeProcess owner, EdgeProcess other) {
        TestNodes.await("partitions settled", Duration.ofSeconds(60),
                () -> clusterSafe(owner) && clusterSafe(other));
        String ownerAddress = cluster(owner).path("localMember").asText();
        ClientConfig config = new ClientConfig();
        config.setClusterName(cluster(owner).path("clusterName").asText());
        config.setProperty("hazelcast.logging.type", "jdk");
        config.getNetworkConfig().addAddress(ownerAddress.replace("[", "").replace("]", ""));
        HazelcastInstance client = HazelcastClient.newHazelcastClient(config);
        try {
            for (int i = 0; ; i++) {
                String channel = "owned-" + i;
                var member = client.getPartitionService().getPartition(channel).getOwner();
                if (member != null && member.getAddress().toString().equals(ownerAddress)) {
                    return channel;
                }
            }
        } finally {
            client.shutdown();
        }
    }

    private static boolean clusterSafe(EdgeProcess node) {
        try {
            return cluster(node).path("safe").asBoolean(false);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static JsonNode cluster(EdgeProcess node) {
        return EdgeProcess.readinessData(Json.parse(get(node.httpUrl() + "/health"))).path("cluster");
    }

    private static JsonNode historyOf(EdgeProcess node, String channel) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(node.httpUrl() + "/v1/channels/" + channel + "/messages"))
                    .header("Authorization", "Bearer " + TestNodes.token("reader"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            return Json.parse(r.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String get(String url) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
