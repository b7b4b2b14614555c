package io.heliograph.edge.transport;

import static io.heliograph.edge.testing.TestNodes.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.heliograph.edge.EdgeNode;
import io.heliograph.edge.testing.PrometheusText;
import io.heliograph.edge.testing.RawHttp;
import io.heliograph.edge.testing.TestNodes;
import io.heliograph.edge.testing.WsProbe;
import io.heliograph.launcher.EdgeProcess;

/** Protocol v1 on one node: the happy paths and the replies the protocol documents. */
class ProtocolConformanceTest {

    private static EdgeNode node;

    @BeforeAll
    static void start() {
        node = EdgeNode.startStandalone(TestNodes.standalone("history.max-messages=10"), System::currentTimeMillis);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static WsProbe connect(String clientId) {
        WsProbe probe = WsProbe.connect(node.wsUrl(), token(clientId));
        probe.awaitType("connected");
        return probe;
    }

    @Test
    void firstFrameIsConnected() {
        try (WsProbe p = WsProbe.connect(node.wsUrl(), token("alice"))) {
            JsonNode connected = p.awaitType("connected");
            assertEquals("alice", connected.get("clientId").asText());
            assertEquals("us-east", connected.get("region").asText());
            assertEquals("solo", connected.get("node").asText());
            assertEquals(15_000, connected.get("heartbeatMs").asLong());
            assertTrue(connected.get("connectionId").asText().length() > 4);
        }
    }

    @Test
    void publishIsAckedAndDeliveredToSubscribersInOrder() {
        try (WsProbe sub = connect("sub"); WsProbe pub = connect("pub")) {
            JsonNode attached = sub.request("{'type':'attach','id':'a1','channel':'order'}").awaitReply("a1");
            assertEquals("attached", attached.get("type").asText());
            assertTrue(attached.get("serial").isNull());
            assertFalse(attached.get("resumed").asBoolean());
            for (int i = 1; i <= 5; i++) {
                JsonNode ack = pub.request("{'type':'publish','id':'p" + i + "','channel':'order','name':'n',"
                        + "'data':{'i':" + i + "}}").awaitReply("p" + i);
                assertEquals("ack", ack.get("type").asText());
                assertEquals("1:" + i, ack.get("serial").asText());
                assertNotNull(ack.get("msgId").asText(null));
                assertEquals("region", ack.get("durability").asText(), "a region without bridges: region durability");
            }
            List<JsonNode> messages = sub.collect("message", 5, Duration.ofSeconds(10));
            assertEquals(5, messages.size());
            for (int i = 0; i < 5; i++) {
                JsonNode m = messages.get(i);
                assertEquals("1:" + (i + 1), m.get("serial").asText());
                assertEquals(i + 1, m.get("data").get("i").asInt());
                assertEquals("pub", m.get("clientId").asText());
                assertEquals("us-east", m.get("region").asText());
                assertEquals("n", m.get("name").asText());
                assertTrue(m.get("timestamp").asLong() > 0);
            }
        }
    }

    @Test
    void sameMsgIdIsOneSerialAndOneDelivery() {
        try (WsProbe sub = connect("sub"); WsProbe pub = connect("pub")) {
            sub.request("{'type':'attach','id':'a','channel':'idem'}").awaitReply("a");
            String s1 = pub.request("{'type':'publish','id':'1','channel':'idem','data':1,'msgId':'x-1'}")
                    .awaitReply("1").get("serial").asText();
            String s2 = pub.request("{'type':'publish','id':'2','channel':'idem','data':1,'msgId':'x-1'}")
                    .awaitReply("2").get("serial").asText();
            assertEquals(s1, s2);
            pub.request("{'type':'publish','id':'3','channel':'idem','data':2,'msgId':'x-2'}").awaitReply("3");
            List<JsonNode> got = sub.collect("message", 3, Duration.ofSeconds(2));
            assertEquals(List.of("x-1", "x-2"), got.stream().map(m -> m.get("msgId").asText()).toList());
        }
    }

    @Test
    void aMsgIdIsScopedToItsPublisherOnTheWebSocketAndOverHttp() throws Exception {
        try (WsProbe sub = connect("sub"); WsProbe a = connect("client-a"); WsProbe b = connect("client-b")) {
            sub.request("{'type':'attach','id':'a','channel':'orders'}").awaitReply("a");
            JsonNode ackA = a.request("{'type':'publish','id':'1','channel':'orders','data':'a','msgId':'order-42'}")
                    .awaitReply("1");
            JsonNode ackB = b.request("{'type':'publish','id':'1','channel':'orders','data':'b','msgId':'order-42'}")
                    .awaitReply("1");
            assertFalse(ackA.get("serial").asText().equals(ackB.get("serial").asText()), ackB.toString());
            var http = java.net.http.HttpClient.newHttpClient();
            var fromBackend = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(node.httpUrl()
                            + "/v1/channels/orders/messages"))
                    .header("Authorization", "Bearer " + token("backend"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"data\":\"c\",\"msgId\":\"order-42\"}"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(201, fromBackend.statusCode());
            List<JsonNode> got = sub.collect("message", 3, Duration.ofSeconds(10));
            assertEquals(List.of("client-a", "client-b", "backend"),
                    got.stream().map(m -> m.get("clientId").asText()).toList());
            assertEquals(List.of("a", "b", "c"), got.stream().map(m -> m.get("data").asText()).toList());
        }
    }

    @Test
    void attachFromSerialResumesInOrderBeforeLiveMessages() {
        try (WsProbe pub = connect("pub"); WsProbe sub = connect("sub")) {
            for (int i = 1; i <= 4; i++) {
                pub.request("{'type':'publish','id':'" + i + "','channel':'resume','data':" + i + "}").awaitReply("" + i);
            }
            JsonNode attached = sub.request("{'type':'attach','id':'a','channel':'resume','fromSerial':'1:2'}")
                    .awaitReply("a");
            assertTrue(attached.get("resumed").asBoolean());
            assertEquals("1:4", attached.get("serial").asText());
            pub.request("{'type':'publish','id':'5','channel':'resume','data':5}").awaitReply("5");
            List<JsonNode> got = sub.collect("message", 3, Duration.ofSeconds(10));
            assertEquals(List.of("1:3", "1:4", "1:5"), got.stream().map(m -> m.get("serial").asText()).toList());
        }
    }

    @Test
    void attachingAgainWithAnOlderSerialRepeatsNothing() {
        try (WsProbe sub = connect("sub"); WsProbe pub = connect("pub")) {
            sub.request("{'type':'attach','id':'a','channel':'twice'}").awaitReply("a");
            for (int i = 1; i <= 3; i++) {
                pub.request("{'type':'publish','id':'" + i + "','channel':'twice','data':" + i + "}").awaitReply("" + i);
            }
            assertEquals(3, sub.collect("message", 3, Duration.ofSeconds(10)).size());
            JsonNode again = sub.request("{'type':'attach','id':'b','channel':'twice','fromSerial':'1:1'}")
                    .awaitReply("b");
            assertEquals("1:3", again.get("serial").asText());
            pub.request("{'type':'publish','id':'4','channel':'twice','data':4}").awaitReply("4");
            List<JsonNode> after = sub.collect("message", 2, Duration.ofMillis(800));
            assertEquals(List.of("1:4"), after.stream().map(m -> m.get("serial").asText()).toList());
        }
    }

    @Test
    void historyReturnsTheRangeAndOldResumeIsContinuityLost() {
        try (WsProbe p = connect("h")) {
            for (int i = 1; i <= 15; i++) {
                p.request("{'type':'publish','id':'" + i + "','channel':'hist','data':" + i + "}").awaitReply("" + i);
            }
            JsonNode page = p.request("{'type':'history','id':'h1','channel':'hist','fromSerial':'1:7','limit':3}")
                    .awaitReply("h1");
            assertEquals("history.page", page.get("type").asText());
            assertEquals(List.of("1:8", "1:9", "1:10"), serials(page.get("messages")));
            assertTrue(page.get("more").asBoolean());
            JsonNode all = p.request("{'type':'history','id':'h2','channel':'hist'}").awaitReply("h2");
            assertEquals(10, all.get("messages").size());
            assertEquals("1:6", all.get("messages").get(0).get("serial").asText());
            assertFalse(all.get("more").asBoolean());
            JsonNode lost = p.request("{'type':'attach','id':'a','channel':'hist','fromSerial':'1:2'}")
                    .awaitReply("a");
            assertFalse(lost.get("resumed").asBoolean());
            assertEquals(410, lost.get("code").asInt());
            assertEquals("1:15", lost.get("serial").asText());
        }
    }

    private static List<String> serials(JsonNode messages) {
        List<String> out = new java.util.ArrayList<>();
        messages.forEach(m -> out.add(m.get("serial").asText()));
        return out;
    }

    @Test
    void presenceEnterUpdateLeaveAndMembers() {
        try (WsProbe watcher = connect("watcher"); WsProbe member = connect("bob")) {
            watcher.request("{'type':'attach','id':'a','channel':'room'}").awaitReply("a");
            member.request("{'type':'presence','id':'e','channel':'room','action':'enter','data':{'s':'hi'}}")
                    .awaitReply("e");
            JsonNode enter = watcher.awaitType("presence");
            assertEquals("enter", enter.get("action").asText());
            assertEquals("bob", enter.get("member").get("clientId").asText());
            assertEquals("hi", enter.get("member").get("data").get("s").asText());
            JsonNode members = watcher.request("{'type':'presence.get','id':'g','channel':'room'}").awaitReply("g");
            assertEquals(1, members.get("members").size());
            member.request("{'type':'presence','id':'u','channel':'room','action':'update','data':2}").awaitReply("u");
            assertEquals("update", watcher.awaitType("presence").get("action").asText());
            member.request("{'type':'presence','id':'l','channel':'room','action':'leave'}").awaitReply("l");
            assertEquals("leave", watcher.awaitType("presence").get("action").asText());
        }
    }

    @Test
    void closingAConnectionMakesItsMemberLeave() {
        try (WsProbe watcher = connect("watcher")) {
            watcher.request("{'type':'attach','id':'a','channel':'room2'}").awaitReply("a");
            WsProbe member = connect("carol");
            member.request("{'type':'presence','id':'e','channel':'room2','action':'enter'}").awaitReply("e");
            assertEquals("enter", watcher.awaitType("presence").get("action").asText());
            member.close();
            JsonNode leave = watcher.awaitType("presence");
            assertEquals("leave", leave.get("action").asText());
            assertEquals("carol", leave.get("member").get("clientId").asText());
        }
    }

    @Test
    void aClientWhoseSocketJustEndsLeavesPresenceAtOnce() {
        try (WsProbe watcher = connect("watcher")) {
            watcher.request("{'type':'attach','id':'a','channel':'room3'}").awaitReply("a");
            WsProbe vanishing = connect("vanishing");
            vanishing.request("{'type':'presence','id':'e','channel':'room3','action':'enter'}").awaitReply("e");
            assertEquals("enter", watcher.awaitType("presence").get("action").asText());
            vanishing.abort(); // TCP ends, no close frame
            JsonNode leave = watcher.await(f -> "presence".equals(f.path("type").asText()), Duration.ofSeconds(5));
            assertEquals("leave", leave.get("action").asText());
        }
    }

    @Test
    void detachStopsDeliveryAndPingIsAnswered() {
        try (WsProbe p = connect("d")) {
            p.request("{'type':'attach','id':'a','channel':'det'}").awaitReply("a");
            JsonNode detached = p.request("{'type':'detach','id':'d','channel':'det'}").awaitReply("d");
            assertEquals("detached", detached.get("type").asText());
            p.request("{'type':'publish','id':'p','channel':'det','data':1}").awaitReply("p");
            assertEquals("pong", p.request("{'type':'ping','id':'z'}").awaitReply("z").get("type").asText());
            assertTrue(p.collect("message", 1, Duration.ofMillis(300)).isEmpty());
        }
    }

    /**
     * A publisher may ask for region or global durability. A region without bridges gives region durability and
     * refuses global before sequencing anything: nothing is stored, nothing delivered, and it says why.
     */
    @Test
    void durabilityIsAnsweredAndGlobalIsRefusedWithoutAPeerRegion() {
        try (WsProbe sub = connect("sub"); WsProbe pub = connect("pub")) {
            sub.request("{'type':'attach','id':'a','channel':'durable'}").awaitReply("a");
            JsonNode region = pub.request("{'type':'publish','id':'r','channel':'durable','data':1,"
                    + "'durability':'region'}").awaitReply("r");
            assertEquals("ack", region.get("type").asText(), region.toString());
            assertEquals("region", region.get("durability").asText());
            JsonNode global = pub.request("{'type':'publish','id':'g','channel':'durable','data':2,"
                    + "'durability':'global','msgId':'g-1'}").awaitReply("g");
            assertEquals("error", global.get("type").asText(), global.toString());
            assertEquals(400, global.get("code").asInt());
            assertTrue(global.get("message").asText().contains("another region"), global.toString());
            JsonNode bogus = pub.request("{'type':'publish','id':'b','channel':'durable','data':3,"
                    + "'durability':'forever'}").awaitReply("b");
            assertEquals(400, bogus.get("code").asInt(), bogus.toString());
            JsonNode next = pub.request("{'type':'publish','id':'n','channel':'durable','data':4}").awaitReply("n");
            assertEquals("1:2", next.get("serial").asText(), "the refused publishes were never sequenced");
            List<JsonNode> delivered = sub.collect("message", 2, Duration.ofSeconds(10));
            assertEquals(List.of(1, 4), delivered.stream().map(m -> m.get("data").asInt()).toList());
        }
    }

    @Test
    void httpApiPublishesIdempotentlyAndReadsHistoryAndPresence() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        String auth = "Bearer " + token("backend");
        var publish = java.net.http.HttpRequest.newBuilder(java.net.URI.create(node.httpUrl()
                        + "/v1/channels/api/messages"))
                .header("Authorization", auth)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"data\":{\"x\":1},\"msgId\":\"h-1\"}"))
                .build();
        var first = http.send(publish, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(201, first.statusCode());
        var again = http.send(publish, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(first.body(), again.body());
        JsonNode ack = io.heliograph.protocol.Json.parse(first.body());
        assertEquals("h-1", ack.get("msgId").asText());
        assertEquals("region", ack.get("durability").asText());
        var history = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(node.httpUrl()
                        + "/v1/channels/api/messages?limit=10")).header("Authorization", auth).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, history.statusCode());
        assertEquals(1, io.heliograph.protocol.Json.parse(history.body()).get("messages").size());
        var presence = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(node.httpUrl()
                        + "/v1/channels/api/presence")).header("Authorization", auth).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, presence.statusCode());
        var unauthorized = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(node.httpUrl()
                        + "/v1/channels/api/presence")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(401, unauthorized.statusCode());
        assertEquals(401, io.heliograph.protocol.Json.parse(unauthorized.body()).get("code").asInt());
        var badChannel = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(node.httpUrl()
                        + "/v1/channels/bad%20name/messages")).header("Authorization", auth).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(400, badChannel.statusCode());
    }

    @Test
    void healthAndMetricsAreServed() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var health = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(node.httpUrl()
                + "/health")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        JsonNode body = io.heliograph.protocol.Json.parse(health.body());
        assertEquals("UP", body.get("status").asText());
        JsonNode edge = EdgeProcess.readinessData(body);
        assertEquals("us-east", edge.path("region").asText());
        assertEquals(1, edge.path("cluster").path("members").asInt());
        var metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(node.httpUrl()
                + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("heliograph_connections_open"));
        assertTrue(metrics.body().contains("heliograph_publish_ack_seconds_bucket"));
        assertEquals(0, PrometheusText.value(metrics.body(), "heliograph_disconnects_total", "reason", "heartbeat",
                "node", node.config().nodeId()));
        assertEquals(0, PrometheusText.value(metrics.body(), "heliograph_messages_dropped_total",
                "reason", "gap_unrecoverable", "node", node.config().nodeId()));
    }

    @Test
    void badTokensAreRefusedAtTheUpgradeWith401Json() {
        String expired = TestNodes.TOKENS.mint("x", Duration.ofSeconds(-5), Map.of("*", List.of("*")));
        String foreign = new io.heliograph.protocol.auth.Tokens("some-other-secret-entirely").mintAll("x",
                Duration.ofHours(1));
        String bogusCap = TestNodes.TOKENS.mint("x", Duration.ofHours(1), Map.of("*", List.of("*", "bogus")));
        for (String query : new String[] {"", "?access_token=garbage", "?access_token=" + expired,
                "?access_token=" + foreign, "?access_token=" + bogusCap}) {
            try (RawHttp raw = RawHttp.open(node.wsPort())) {
                String response = raw.upgrade("/v1/ws" + query);
                assertTrue(response.startsWith("HTTP/1.1 401"), response);
                assertTrue(response.contains("\"code\":401"), response);
            }
        }
    }

    @Test
    void presenceEventsReachOnlySubscribersWhoseTokenAllowsPresence() {
        String subscribeOnly = TestNodes.TOKENS.mint("reader", Duration.ofHours(1),
                Map.of("lobby", List.of("subscribe")));
        try (WsProbe blind = WsProbe.connect(node.wsUrl(), subscribeOnly); WsProbe watcher = connect("watcher");
             WsProbe member = connect("member")) {
            blind.awaitType("connected");
            blind.request("{'type':'attach','id':'a','channel':'lobby'}").awaitReply("a");
            watcher.request("{'type':'attach','id':'a','channel':'lobby'}").awaitReply("a");
            member.request("{'type':'presence','id':'e','channel':'lobby','action':'enter'}").awaitReply("e");
            assertEquals("enter", watcher.awaitType("presence").get("action").asText());
            JsonNode denied = blind.request("{'type':'presence.get','id':'g','channel':'lobby'}").awaitReply("g");
            assertEquals(403, denied.get("code").asInt());
            // The watcher saw the event; by now the blind subscriber would have too. It must not have.
            assertTrue(blind.collect("presence", 1, Duration.ofMillis(300)).isEmpty(),
                    "no presence event without the presence capability");
        }
    }
}
