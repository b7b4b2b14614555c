package io.heliograph.edge.cluster;

import static io.heliograph.edge.testing.TestNodes.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.heliograph.edge.EdgeNode;
import io.heliograph.edge.testing.PrometheusText;
import io.heliograph.edge.testing.TestNodes;
import io.heliograph.edge.testing.WsProbe;

/**
 * Two edge nodes of one region in one JVM, joined through embedded Hazelcast: they behave as one server.
 */
class RegionClusterTest {

    private static EdgeNode a;
    private static EdgeNode b;

    @BeforeAll
    static void start() throws Exception {
        int hzA = TestNodes.freePort();
        int hzB = TestNodes.freePort();
        String cluster = "cluster-test-" + System.nanoTime();
        ExecutorService boot = Executors.newFixedThreadPool(2);
        Future<EdgeNode> fa = boot.submit(() -> EdgeNode.start(
                TestNodes.config("us-east", "a", hzA, List.of(hzA, hzB), cluster,
                        "limits.rate-per-second=100000", "limits.rate-burst=100000")));
        Future<EdgeNode> fb = boot.submit(() -> EdgeNode.start(
                TestNodes.config("us-east", "b", hzB, List.of(hzA, hzB), cluster,
                        "limits.rate-per-second=100000", "limits.rate-burst=100000")));
        a = fa.get();
        b = fb.get();
        boot.shutdown();
        TestNodes.await("two-member region", Duration.ofSeconds(60),
                () -> PrometheusText.value(a.metrics().render(), "heliograph_region_members") == 2
                        && PrometheusText.value(b.metrics().render(), "heliograph_region_members") == 2);
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private static WsProbe connect(EdgeNode node, String clientId) {
        WsProbe p = WsProbe.connect(node.wsUrl(), token(clientId));
        p.awaitType("connected");
        return p;
    }

    @Test
    void everySubscriberOnEveryNodeGetsEveryMessageOnceInOneOrder() throws Exception {
        String channel = "order-" + System.nanoTime();
        List<WsProbe> subscribers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            WsProbe s = connect(i % 2 == 0 ? a : b, "sub-" + i);
            s.request("{'type':'attach','id':'a','channel':'" + channel + "'}").awaitReply("a");
            subscribers.add(s);
        }
        int perPublisher = 150;
        List<WsProbe> publishers = List.of(connect(a, "pub-a"), connect(b, "pub-b"), connect(a, "pub-a2"),
                connect(b, "pub-b2"));
        ExecutorService pool = Executors.newFixedThreadPool(publishers.size());
        List<Future<?>> sends = new ArrayList<>();
        for (int p = 0; p < publishers.size(); p++) {
            WsProbe pub = publishers.get(p);
            int publisher = p;
            sends.add(pool.submit(() -> {
                for (int i = 0; i < perPublisher; i++) {
                    pub.request("{'type':'publish','id':'" + i + "','channel':'" + channel + "','data':{'p':"
                            + publisher + ",'i':" + i + "}}");
                }
                for (int i = 0; i < perPublisher; i++) {
                    assertEquals("ack", pub.awaitReply("" + i).get("type").asText());
                }
            }));
        }
        for (Future<?> f : sends) {
            f.get();
        }
        pool.shutdown();
        int total = perPublisher * publishers.size();
        List<String> reference = null;
        for (WsProbe s : subscribers) {
            List<JsonNode> got = s.collect("message", total, Duration.ofSeconds(30));
            assertEquals(total, got.size(), "every message, once");
            List<String> order = got.stream().map(m -> m.get("msgId").asText()).toList();
            assertEquals(total, new HashSet<>(order).size(), "no duplicates");
            for (int i = 0; i < total; i++) {
                assertEquals("1:" + (i + 1), got.get(i).get("serial").asText(), "consecutive serials");
            }
            if (reference == null) {
                reference = order;
            } else {
                assertEquals(reference, order, "the same order for every subscriber");
            }
            assertTrue(s.collect("message", 1, Duration.ofMillis(200)).isEmpty(), "nothing extra");
        }
        subscribers.forEach(WsProbe::close);
        publishers.forEach(WsProbe::close);
    }

    @Test
    void sameMsgIdThroughDifferentNodesIsOneSerialAndOneDelivery() {
        String channel = "idem-" + System.nanoTime();
        // One publisher (a msgId is scoped to its client id) resending through another node, as after a reconnect.
        try (WsProbe sub = connect(a, "sub"); WsProbe viaA = connect(a, "pub"); WsProbe viaB = connect(b, "pub")) {
            sub.request("{'type':'attach','id':'s','channel':'" + channel + "'}").awaitReply("s");
            String s1 = viaA.request("{'type':'publish','id':'1','channel':'" + channel + "','data':1,"
                    + "'msgId':'dup'}").awaitReply("1").get("serial").asText();
            String s2 = viaB.request("{'type':'publish','id':'2','channel':'" + channel + "','data':1,"
                    + "'msgId':'dup'}").awaitReply("2").get("serial").asText();
            assertEquals(s1, s2);
            assertEquals(1, sub.collect("message", 2, Duration.ofMillis(700)).size());
        }
    }

    @Test
    void presenceIsSeenOnEveryNode() {
        String channel = "room-" + System.nanoTime();
        try (WsProbe watcherB = connect(b, "watcher"); WsProbe member = connect(a, "alice")) {
            watcherB.request("{'type':'attach','id':'s','channel':'" + channel + "'}").awaitReply("s");
            member.request("{'type':'presence','id':'e','channel':'" + channel + "','action':'enter','data':1}")
                    .awaitReply("e");
            JsonNode enter = watcherB.awaitType("presence");
            assertEquals("enter", enter.get("action").asText());
            assertEquals("alice", enter.get("member").get("clientId").asText());
            JsonNode members = watcherB.request("{'type':'presence.get','id':'g','channel':'" + channel + "'}")
                    .awaitReply("g");
            assertEquals(1, members.get("members").size());
            member.request("{'type':'presence','id':'l','channel':'" + channel + "','action':'leave'}")
                    .awaitReply("l");
            assertEquals("leave", watcherB.awaitType("presence").get("action").asText());
        }
    }

    @Test
    void historyAndResumeWorkFromTheOtherNode() {
        String channel = "hist-" + System.nanoTime();
        try (WsProbe pub = connect(a, "pub"); WsProbe reader = connect(b, "reader")) {
            for (int i = 1; i <= 6; i++) {
                pub.request("{'type':'publish','id':'" + i + "','channel':'" + channel + "','data':" + i + "}")
                        .awaitReply("" + i);
            }
            JsonNode page = reader.request("{'type':'history','id':'h','channel':'" + channel
                    + "','fromSerial':'1:2','limit':3}").awaitReply("h");
            assertEquals(3, page.get("messages").size());
            assertEquals("1:3", page.get("messages").get(0).get("serial").asText());
            JsonNode attached = reader.request("{'type':'attach','id':'r','channel':'" + channel
                    + "','fromSerial':'1:4'}").awaitReply("r");
            assertTrue(attached.get("resumed").asBoolean());
            List<JsonNode> got = reader.collect("message", 2, Duration.ofSeconds(10));
            assertEquals(List.of("1:5", "1:6"), got.stream().map(m -> m.get("serial").asText()).toList());
        }
    }
}
