package io.heliograph.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.PresenceAction;
import io.heliograph.protocol.PresenceMember;
import io.heliograph.protocol.Durability;
import io.heliograph.protocol.Serial;

class HeliographClientTest {

    private FakeEdge edgeA;
    private FakeEdge edgeB;
    private final List<HeliographClient> clients = new ArrayList<>();

    @BeforeEach
    void startEdges() throws Exception {
        edgeA = new FakeEdge();
        edgeB = new FakeEdge();
    }

    @AfterEach
    void stopAll() throws Exception {
        clients.forEach(HeliographClient::close);
        edgeA.close();
        edgeB.close();
    }

    private HeliographClientBuilder builder() {
        return HeliographClient.builder().urls(List.of(edgeA.uri(), edgeB.uri())).token("tok-1")
                .backoff(Duration.ofMillis(10), Duration.ofMillis(50)).requestTimeout(Duration.ofSeconds(5));
    }

    private HeliographClient client(HeliographClientBuilder builder) {
        HeliographClient c = builder.build();
        clients.add(c);
        return c;
    }

    /** Connects to edge A and returns its session with the connected frame sent. */
    private FakeEdge.Session connect(HeliographClient client) throws Exception {
        return connect(client, 0);
    }

    /**
     * Tests that kill a node use a heartbeat, as every real node announces one: the JDK's WebSocket does not always
     * report a peer's vanished TCP connection at once, and the heartbeat is what bounds that in production too.
     */
    private FakeEdge.Session connect(HeliographClient client, long heartbeatMs) throws Exception {
        CompletableFuture<Void> connected = client.connect();
        FakeEdge.Session s = edgeA.nextSession();
        s.connected("conn-1", heartbeatMs);
        connected.get(5, TimeUnit.SECONDS);
        return s;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + FakeEdge.WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(5, TimeUnit.SECONDS);
    }

    private static HeliographException failure(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
        return assertInstanceOf(HeliographException.class, e.getCause());
    }

    @Test
    void connectCompletesOnConnectedFrameAndExposesTheSession() throws Exception {
        HeliographClient client = client(builder());
        List<ConnectionState> states = new CopyOnWriteArrayList<>();
        client.onStateChange(states::add);
        assertEquals(ConnectionState.CLOSED, client.state());

        FakeEdge.Session s = connect(client);

        assertEquals("tok-1", s.token);
        assertEquals(ConnectionState.CONNECTED, client.state());
        assertEquals("conn-1", client.connectionId());
        assertEquals("alice", client.clientId());
        assertEquals("eu", client.region());
        assertEquals("edge-1", client.node());
        await(() -> states.equals(List.of(ConnectionState.CONNECTING, ConnectionState.CONNECTED)), "states");
    }

    @Test
    void publishAssignsAMsgIdAndCompletesWithTheAck() throws Exception {
        HeliographClient client = client(builder());
        FakeEdge.Session s = connect(client);

        CompletableFuture<PublishAck> ack = client.publish("chat", "greeting", Map.of("text", "hi"));
        JsonNode publish = s.next("publish");
        assertEquals("chat", publish.get("channel").asText());
        assertEquals("greeting", publish.get("name").asText());
        assertEquals("hi", publish.get("data").get("text").asText());
        String msgId = publish.get("msgId").asText();
        assertFalse(msgId.isBlank());
        s.send("{\"type\":\"ack\",\"id\":\"" + publish.get("id").asText() + "\",\"serial\":\"1:4\",\"msgId\":\""
                + msgId + "\"}");

        assertEquals(new PublishAck(Serial.of(1, 4), msgId), get(ack));
    }

    @Test
    void aPublishAsksForItsDurabilityAndTheAckSaysWhichItGot() throws Exception {
        HeliographClient client = client(builder());
        FakeEdge.Session a = connect(client, 200);

        Publication asked = client.publish(OutgoingMessage.of("chat", "x").withDurability(Durability.GLOBAL));
        JsonNode frame = a.next("publish");
        assertEquals("global", frame.get("durability").asText());
        a.send("{\"type\":\"ack\",\"id\":\"" + frame.get("id").asText() + "\",\"serial\":\"1:1\",\"msgId\":\""
                + asked.msgId() + "\",\"durability\":\"global\"}");
        assertEquals(new PublishAck(Serial.of(1, 1), asked.msgId(), Durability.GLOBAL), get(asked.ack()));

        CompletableFuture<PublishAck> plain = client.publish("chat", null, "y");
        JsonNode second = a.next("publish");
        assertFalse(second.has("durability"), "no durability asked: the edge's default");
        a.send("{\"type\":\"ack\",\"id\":\"" + second.get("id").asText() + "\",\"serial\":\"1:2\",\"msgId\":\""
                + second.get("msgId").asText() + "\",\"durability\":\"eventual\"}");
        assertEquals(null, get(plain).durability(), "a durability this client does not know is not guessed");
    }

    @Test
    void publishInFlightDuringADropIsResentWithTheSameMsgIdToTheNextUrl() throws Exception {
        HeliographClient client = client(builder());
        FakeEdge.Session a = connect(client, 200);

        CompletableFuture<PublishAck> ack = client.publish("chat", null, "hello", "my-id");
        JsonNode first = a.next("publish");
        a.kill();

        FakeEdge.Session b = edgeB.nextSession();
        b.connected("conn-2", 0);
        JsonNode again = b.next("publish");
        assertEquals("my-id", again.get("msgId").asText());
        assertEquals(first.get("id").asText(), again.get("id").asText());
        assertFalse(ack.isDone());
        b.send("{\"type\":\"ack\",\"id\":\"" + again.get("id").asText() + "\",\"serial\":\"1:9\",\"msgId\":\"my-id\"}");

        assertEquals(new PublishAck(Serial.of(1, 9), "my-id"), get(ack));
        assertEquals(1, client.reconnects());
        assertEquals(1, client.publishesResent());
        assertEquals("conn-2", client.connectionId());
    }

    @Test
    void publishMadeWhileDisconnectedIsSentOnceConnected() throws Exception {
        HeliographClient client = client(builder());
        CompletableFuture<PublishAck> ack = client.publish("chat", "n", 1);
        client.connect();
        FakeEdge.Session s = edgeA.nextSession();
        s.connected("conn-1", 0);
        JsonNode publish = s.next("publish");
        s.send("{\"type\":\"ack\",\"id\":\"" + publish.get("id").asText() + "\",\"serial\":\"1:1\",\"msgId\":\""
                + publish.get("msgId").asText() + "\"}");
        assertEquals(Serial.of(1, 1), get(ack).serial());
        assertEquals(0, client.publishesResent());
    }

    @Test
    void resumesFromTheLastDeliveredSerialAndDeliversEachMessageExactlyOnceInOrder() throws Exception {
        HeliographClient client = client(builder());
        List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        List<String> threads = new CopyOnWriteArrayList<>();
        client.onMessage("chat", m -> {
            delivered.add(m.serial().toString());
            threads.add(Thread.currentThread().getName());
        });
        FakeEdge.Session a = connect(client, 200);

        CompletableFuture<AttachResult> attached = client.attach("chat");
        JsonNode attach = a.next("attach");
        assertFalse(attach.has("fromSerial"));
        a.send("{\"type\":\"attached\",\"id\":\"" + attach.get("id").asText()
                + "\",\"channel\":\"chat\",\"serial\":\"1:5\",\"resumed\":false}");
        assertEquals(new AttachResult("chat", Serial.of(1, 5), false, false), get(attached));
        a.message("chat", "1:6", "{}");
        a.message("chat", "1:7", "{}");
        await(() -> delivered.size() == 2, "two messages");
        a.kill();

        FakeEdge.Session b = edgeB.nextSession();
        b.connected("conn-2", 0);
        JsonNode resume = b.next("attach");
        assertEquals("1:7", resume.get("fromSerial").asText());
        b.send("{\"type\":\"attached\",\"id\":\"" + resume.get("id").asText()
                + "\",\"channel\":\"chat\",\"serial\":\"1:8\",\"resumed\":true}");
        b.message("chat", "1:6", "{}");
        b.message("chat", "1:7", "{}");
        b.message("chat", "1:8", "{}");
        b.message("chat", "1:8", "{}");
        b.message("chat", "2:0", "{}");

        await(() -> delivered.size() == 4, "four messages");
        await(() -> client.duplicatesDropped() == 3, "three duplicates dropped");
        assertEquals(List.of("1:6", "1:7", "1:8", "2:0"), delivered);
        assertTrue(threads.stream().allMatch(t -> t.contains("dispatch")), threads.toString());
        assertEquals(4, client.messagesDelivered());
    }

    @Test
    void plainAttachThatDropsBeforeAnyMessageResumesFromTheAttachSerial() throws Exception {
        HeliographClient client = client(builder());
        FakeEdge.Session a = connect(client, 200);
        CompletableFuture<AttachResult> attached = client.attach("chat");
        JsonNode attach = a.next("attach");
        a.send("{\"type\":\"attached\",\"id\":\"" + attach.get("id").asText()
                + "\",\"channel\":\"chat\",\"serial\":\"3:10\",\"resumed\":false}");
        get(attached);
        a.kill();

        FakeEdge.Session b = edgeB.nextSession();
        b.connected("conn-2", 0);
        assertEquals("3:10", b.next("attach").get("fromSerial").asText());
    }

    @Test
    void continuityLossIsReportedOnTheResultAndToListeners() throws Exception {
        HeliographClient client = client(builder());
        List<String> lost = new CopyOnWriteArrayList<>();
        client.onContinuityLost(lost::add);
        FakeEdge.Session s = connect(client);

        CompletableFuture<AttachResult> attached = client.attach("chat", Serial.of(1, 2));
        JsonNode attach = s.next("attach");
        assertEquals("1:2", attach.get("fromSerial").asText());
        s.send("{\"type\":\"attached\",\"id\":\"" + attach.get("id").asText()
                + "\",\"channel\":\"chat\",\"serial\":\"1:500\",\"resumed\":false,\"code\":410}");

        AttachResult result = get(attached);
        assertTrue(result.continuityLost());
        assertFalse(result.resumed());
        await(() -> lost.equals(List.of("chat")), "continuity listener");
        assertEquals(1, client.continuityLosses());
    }

    @Test
    void aGapInTheStreamIsReportedAsContinuityLostBeforeTheMessageAfterIt() throws Exception {
        HeliographClient client = client(builder());
        List<String> events = new CopyOnWriteArrayList<>();
        client.onContinuityLost(c -> events.add("lost:" + c));
        client.onMessage("chat", m -> events.add(m.serial().toString()));
        FakeEdge.Session s = connect(client);
        CompletableFuture<AttachResult> attached = client.attach("chat");
        JsonNode attach = s.next("attach");
        s.send("{\"type\":\"attached\",\"id\":\"" + attach.get("id").asText()
                + "\",\"channel\":\"chat\",\"serial\":null,\"resumed\":false}");
        get(attached);
        s.message("chat", "1:1", "{}");
        s.message("chat", "1:4", "{}"); // the edge could not deliver 1:2 and 1:3 (history lost them)
        await(() -> events.size() == 3, "both messages and the loss");
        assertEquals(List.of("1:1", "lost:chat", "1:4"), events);
        assertEquals(1, client.gapsDetected());
        assertEquals(1, client.continuityLosses());
    }

    @Test
    void aPublishOverTheEdgesHardFrameLimitFailsWith413WithoutBeingSent() throws Exception {
        HeliographClient client = client(builder().maxFrameBytes(4096));
        FakeEdge.Session s = connect(client);
        CompletableFuture<PublishAck> big = client.publish("chat", null, "x".repeat(5000));
        ExecutionException e = assertThrows(ExecutionException.class, () -> big.get(5, TimeUnit.SECONDS));
        assertEquals(ErrorCode.TOO_LARGE, ((HeliographException) e.getCause()).code());
        CompletableFuture<PublishAck> small = client.publish("chat", null, "fits");
        JsonNode sent = s.next("publish");
        assertEquals("\"fits\"", sent.get("data").toString(), "the refused publish was never sent");
        s.send("{\"type\":\"ack\",\"id\":\"" + sent.get("id").asText() + "\",\"serial\":\"1:1\",\"msgId\":\""
                + sent.get("msgId").asText() + "\"}");
        assertEquals(Serial.of(1, 1), get(small).serial());
    }

    @Test
    void fragmentedFramesAreReassembled() throws Exception {
        HeliographClient client = client(builder());
        List<ChannelMessage> delivered = new CopyOnWriteArrayList<>();
        client.onMessage(delivered::add);
        FakeEdge.Session s = connect(client);
        CompletableFuture<AttachResult> attached = client.attach("chat");
        JsonNode attach = s.next("attach");
        s.sendFragmented("{\"type\":\"attached\",\"id\":\"" + attach.get("id").asText()
                + "\",\"channel\":\"chat\",\"serial\":null,\"resumed\":false}", 4);
        assertNull(get(attached).serial());

        s.sendFragmented(FakeEdge.Session.messageFrame("chat", "1:0", "{\"text\":\"" + "x".repeat(300) + "\"}"), 5);
        await(() -> delivered.size() == 1, "the fragmented message");
        assertTrue(delivered.get(0).dataJson().contains("x".repeat(300)));
    }

    @Test
    void errorFrameFailsTheRequestWithTheMappedCode() throws Exception {
        HeliographClient client = client(builder());
        FakeEdge.Session s = connect(client);
        CompletableFuture<PublishAck> ack = client.publish("secret", "n", "x");
        JsonNode publish = s.next("publish");
        s.send("{\"type\":\"error\",\"id\":\"" + publish.get("id").asText()
                + "\",\"code\":403,\"message\":\"no publish capability\"}");

        HeliographException e = failure(ack);
        assertEquals(ErrorCode.FORBIDDEN, e.code());
        assertEquals("no publish capability", e.getMessage());
        assertEquals(ConnectionState.CONNECTED, client.state());
    }

    @Test
    void unansweredRequestTimesOutWithUnavailable() throws Exception {
        HeliographClient client = client(builder().requestTimeout(Duration.ofMillis(200)));
        FakeEdge.Session s = connect(client);
        CompletableFuture<HistoryPage> page = client.history("chat", null, 10);
        s.next("history");
        assertEquals(ErrorCode.UNAVAILABLE, failure(page).code());
    }

    @Test
    void historyPresenceAndPingRepliesAreDecoded() throws Exception {
        HeliographClient client = client(builder());
        FakeEdge.Session s = connect(client);

        CompletableFuture<HistoryPage> page = client.history("chat", Serial.of(1, 1), 2);
        JsonNode history = s.next("history");
        assertEquals("1:1", history.get("fromSerial").asText());
        assertEquals(2, history.get("limit").asInt());
        s.send("{\"type\":\"history.page\",\"id\":\"" + history.get("id").asText() + "\",\"channel\":\"chat\","
                + "\"messages\":[" + FakeEdge.Session.messageFrame("chat", "1:2", "1") + "],\"more\":true}");
        HistoryPage result = get(page);
        assertTrue(result.more());
        assertEquals(Serial.of(1, 2), result.messages().get(0).serial());

        CompletableFuture<List<PresenceMember>> members = client.presenceMembers("chat");
        JsonNode get = s.next("presence.get");
        s.send("{\"type\":\"presence.members\",\"id\":\"" + get.get("id").asText() + "\",\"channel\":\"chat\","
                + "\"members\":[{\"clientId\":\"bob\",\"connectionId\":\"c9\",\"data\":{\"away\":true},"
                + "\"region\":\"us\"}]}");
        assertEquals(List.of(new PresenceMember("bob", "c9", "{\"away\":true}", "us")), get(members));

        CompletableFuture<Duration> rtt = client.ping();
        s.send("{\"type\":\"pong\",\"id\":\"" + s.next("ping").get("id").asText() + "\"}");
        assertNotNull(get(rtt));
    }

    @Test
    void presenceIsReEnteredWithTheLatestDataAfterAReconnect() throws Exception {
        HeliographClient client = client(builder());
        List<PresenceEvent> events = new CopyOnWriteArrayList<>();
        client.onPresence("room", events::add);
        FakeEdge.Session a = connect(client, 200);

        CompletableFuture<Void> entered = client.enterPresence("room", Map.of("mood", "ok"));
        JsonNode enter = a.next("presence");
        assertEquals("enter", enter.get("action").asText());
        a.send("{\"type\":\"ack\",\"id\":\"" + enter.get("id").asText() + "\"}");
        get(entered);
        CompletableFuture<Void> updated = client.updatePresence("room", Map.of("mood", "great"));
        assertEquals("update", a.next("presence").get("action").asText());
        a.send("{\"type\":\"presence\",\"channel\":\"room\",\"action\":\"enter\",\"member\":{\"clientId\":\"bob\","
                + "\"connectionId\":\"c9\",\"data\":null,\"region\":\"us\"}}");
        await(() -> events.size() == 1, "presence event");
        assertEquals(PresenceAction.ENTER, events.get(0).action());
        a.kill();

        FakeEdge.Session b = edgeB.nextSession();
        b.connected("conn-2", 0);
        JsonNode reenter = b.next("presence");
        assertEquals("enter", reenter.get("action").asText());
        assertEquals("great", reenter.get("data").get("mood").asText());
        assertFalse(updated.isDone());
        b.send("{\"type\":\"ack\",\"id\":\"" + reenter.get("id").asText() + "\"}");
        get(updated);

        CompletableFuture<Void> left = client.leavePresence("room", null);
        JsonNode leave = b.next("presence");
        assertEquals("leave", leave.get("action").asText());
        b.send("{\"type\":\"ack\",\"id\":\"" + leave.get("id").asText() + "\"}");
        get(left);
    }

    @Test
    void tokenExpiredCloseFailsAndDoesNotReconnect() throws Exception {
        HeliographClient client = client(builder());
        FakeEdge.Session s = connect(client);
        CompletableFuture<PublishAck> pending = client.publish("chat", "n", 1);
        s.next("publish");
        s.closeWith(4001, "token expired");

        await(() -> client.state() == ConnectionState.FAILED, "FAILED");
        assertEquals(ErrorCode.UNAUTHORIZED, client.failureReason().code());
        assertEquals(ErrorCode.UNAUTHORIZED, failure(pending).code());
        assertEquals(ErrorCode.UNAUTHORIZED, failure(client.publish("chat", "n", 1)).code());
        assertNull(edgeB.pollSession(Duration.ofMillis(300)));
        assertNull(edgeA.pollSession(Duration.ZERO));
        assertEquals(1, client.connectionAttempts());
    }

    @Test
    void tokenExpiredCloseWithATokenSupplierReconnectsWithAFreshToken() throws Exception {
        List<String> handedOut = new CopyOnWriteArrayList<>();
        HeliographClient client = client(builder().tokenSupplier(() -> {
            String t = "tok-" + (handedOut.size() + 1);
            handedOut.add(t);
            return t;
        }));
        FakeEdge.Session s = connect(client);
        assertEquals("tok-1", s.token);
        s.closeWith(4001, "token expired");

        FakeEdge.Session again = edgeA.nextSession();
        assertEquals("tok-2", again.token);
        again.connected("conn-2", 0);
        await(() -> client.state() == ConnectionState.CONNECTED && client.reconnects() == 1, "reconnected");
    }

    /**
     * 1008 is the edge's answer to sustained rate-limit abuse: "do not reconnect at once" (protocol.md), not "never".
     * A client that gave up for good would leave every channel dead; it comes back after the longest backoff, with
     * its channels.
     */
    @Test
    void policyViolationCloseReconnectsNotAtOnceButAfterTheLongestBackoffAndResumes() throws Exception {
        HeliographClient client = client(builder().backoff(Duration.ofMillis(10), Duration.ofMillis(1000)));
        FakeEdge.Session s = connect(client);
        CompletableFuture<AttachResult> attached = client.attach("chat");
        JsonNode attach = s.next("attach");
        s.send("{\"type\":\"attached\",\"id\":\"" + attach.get("id").asText()
                + "\",\"channel\":\"chat\",\"serial\":\"1:3\",\"resumed\":false}");
        get(attached);
        s.closeWith(1008, "rate limit exceeded repeatedly");

        await(() -> client.state() == ConnectionState.DISCONNECTED, "DISCONNECTED");
        assertNull(client.failureReason());
        assertNull(edgeB.pollSession(Duration.ofMillis(400)), "not at once: at least half the longest backoff");
        FakeEdge.Session b = edgeB.nextSession();
        b.connected("conn-2", 0);
        assertEquals("1:3", b.next("attach").get("fromSerial").asText());
        assertEquals(1, client.policyCloses());
    }

    @Test
    void goingAwayCloseReconnectsToTheNextUrl() throws Exception {
        HeliographClient client = client(builder());
        List<ConnectionState> states = new CopyOnWriteArrayList<>();
        client.onStateChange(states::add);
        FakeEdge.Session s = connect(client);
        s.closeWith(1001, "shutting down");

        FakeEdge.Session b = edgeB.nextSession();
        b.connected("conn-2", 0);
        await(() -> client.reconnects() == 1 && client.state() == ConnectionState.CONNECTED, "reconnected");
        await(() -> states.equals(List.of(ConnectionState.CONNECTING, ConnectionState.CONNECTED,
                ConnectionState.DISCONNECTED, ConnectionState.CONNECTING, ConnectionState.CONNECTED)), "states");
    }

    @Test
    void tokenRefusedAtUpgradeFailsTheConnect() throws Exception {
        edgeA.tokenCheck(t -> false);
        HeliographClient client = client(builder());
        HeliographException e = failure(client.connect());
        assertEquals(ErrorCode.UNAUTHORIZED, e.code());
        assertEquals(ConnectionState.FAILED, client.state());
        assertNull(edgeB.pollSession(Duration.ofMillis(300)));
    }

    @Test
    void redirectWithUrlReconnectsThere() throws Exception {
        HeliographClient client = client(HeliographClient.builder().urls(List.of(edgeA.uri())).token("t")
                .backoff(Duration.ofMillis(10), Duration.ofMillis(50)));
        FakeEdge.Session a = connect(client);
        a.send("{\"type\":\"redirect\",\"reason\":\"draining\",\"url\":\"" + edgeB.uri() + "\"}");

        FakeEdge.Session b = edgeB.nextSession();
        b.connected("conn-2", 0);
        await(() -> "conn-2".equals(client.connectionId()), "connected to B");
        await(() -> a.closeCodeFromClient == 1000, "A closed politely");
    }

    @Test
    void redirectWithoutUrlMovesToTheNextUrl() throws Exception {
        HeliographClient client = client(builder());
        FakeEdge.Session a = connect(client);
        a.send("{\"type\":\"redirect\",\"reason\":\"rebalance\",\"url\":null}");
        edgeB.nextSession().connected("conn-2", 0);
        await(() -> "conn-2".equals(client.connectionId()), "connected to B");
    }

    @Test
    void silentNodeIsPingedThenAbandonedAfterMissedHeartbeats() throws Exception {
        HeliographClient client = client(builder());
        CompletableFuture<Void> connected = client.connect();
        FakeEdge.Session a = edgeA.nextSession();
        a.connected("conn-1", 100);
        get(connected);

        assertNotNull(a.next("ping"));
        FakeEdge.Session b = edgeB.nextSession();
        b.connected("conn-2", 0);
        await(() -> client.reconnects() == 1, "reconnected");
        assertEquals(1, client.heartbeatTimeouts());
    }

    /** A node that announced a long heartbeat (15 s) and froze: the application's silence bound decides, in ~1 s. */
    @Test
    void theApplicationsSilenceBoundAbandonsAFrozenNodeLongBeforeItsHeartbeat() throws Exception {
        HeliographClient client = client(builder().silenceTimeout(Duration.ofMillis(1000)));
        CompletableFuture<Void> connected = client.connect();
        FakeEdge.Session a = edgeA.nextSession();
        a.connected("conn-1", 15_000);
        get(connected);
        long connectedNs = System.nanoTime();

        assertNotNull(a.next("ping"), "an idle node is pinged after silenceTimeout / 2.5");
        FakeEdge.Session b = edgeB.nextSession();
        long abandonedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectedNs);
        b.connected("conn-2", 0);
        await(() -> client.reconnects() == 1, "reconnected");
        assertEquals(1, client.heartbeatTimeouts());
        assertTrue(abandonedMs < 5_000, "abandoned after " + abandonedMs + " ms, not after 2.5 heartbeats (37 s)");
        assertThrows(IllegalArgumentException.class, () -> HeliographClient.builder().silenceTimeout(
                Duration.ofMillis(50)));
    }

    @Test
    void nodeThatNeverSaysConnectedIsLeftForTheNextUrl() throws Exception {
        HeliographClient client = client(builder().connectTimeout(Duration.ofMillis(300)));
        CompletableFuture<Void> connected = client.connect();
        edgeA.nextSession();
        edgeB.nextSession().connected("conn-2", 0);
        get(connected);
        assertEquals("conn-2", client.connectionId());
        assertEquals(0, client.reconnects());
    }

    @Test
    void slowListenerDoesNotReorderMessages() throws Exception {
        HeliographClient client = client(builder());
        List<Long> seqs = Collections.synchronizedList(new ArrayList<>());
        client.onMessage("chat", m -> {
            if (m.serial().seq() % 10 == 0) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            seqs.add(m.serial().seq());
        });
        FakeEdge.Session s = connect(client);
        CompletableFuture<AttachResult> attached = client.attach("chat");
        JsonNode attach = s.next("attach");
        s.send("{\"type\":\"attached\",\"id\":\"" + attach.get("id").asText()
                + "\",\"channel\":\"chat\",\"serial\":null,\"resumed\":false}");
        get(attached);
        for (int i = 1; i <= 200; i++) {
            s.message("chat", "1:" + i, "{}");
        }
        await(() -> seqs.size() == 200, "200 messages");
        for (int i = 0; i < 200; i++) {
            assertEquals(i + 1, seqs.get(i));
        }
        assertEquals(0, client.gapsDetected());
    }

    @Test
    void messagesOfADetachedChannelAreNotDelivered() throws Exception {
        HeliographClient client = client(builder());
        List<ChannelMessage> delivered = new CopyOnWriteArrayList<>();
        client.onMessage(delivered::add);
        FakeEdge.Session s = connect(client);
        CompletableFuture<AttachResult> attached = client.attach("chat");
        JsonNode attach = s.next("attach");
        s.send("{\"type\":\"attached\",\"id\":\"" + attach.get("id").asText()
                + "\",\"channel\":\"chat\",\"serial\":\"1:0\",\"resumed\":false}");
        get(attached);
        CompletableFuture<Void> detached = client.detach("chat");
        JsonNode detach = s.next("detach");
        s.message("chat", "1:1", "{}");
        s.send("{\"type\":\"detached\",\"id\":\"" + detach.get("id").asText() + "\",\"channel\":\"chat\"}");
        get(detached);
        s.message("other", "1:1", "{}");
        CompletableFuture<Duration> rtt = client.ping();
        s.send("{\"type\":\"pong\",\"id\":\"" + s.next("ping").get("id").asText() + "\"}");
        get(rtt);
        assertTrue(delivered.isEmpty(), delivered.toString());
    }

    @Test
    void closeFailsPendingRequestsAndEndsInClosed() throws Exception {
        HeliographClient client = client(builder());
        FakeEdge.Session s = connect(client);
        CompletableFuture<PublishAck> ack = client.publish("chat", "n", 1);
        s.next("publish");
        client.close();
        assertEquals(ErrorCode.UNAVAILABLE, failure(ack).code());
        assertEquals(ConnectionState.CLOSED, client.state());
        await(() -> s.closeCodeFromClient == 1000, "normal close");
        assertEquals(ErrorCode.UNAVAILABLE, failure(client.connect()).code());
    }

    @Test
    void builderNamesTheMissingSetting() {
        IllegalArgumentException noUrls = assertThrows(IllegalArgumentException.class,
                () -> HeliographClient.builder().token("t").build());
        assertTrue(noUrls.getMessage().startsWith("urls"));
        IllegalArgumentException noToken = assertThrows(IllegalArgumentException.class,
                () -> HeliographClient.builder().urls(List.of(edgeA.uri())).build());
        assertTrue(noToken.getMessage().startsWith("token"));
        assertThrows(IllegalArgumentException.class, () -> HeliographClient.builder()
                .urls(List.of(java.net.URI.create("http://x/"))).token("t").build());
        assertThrows(HeliographException.class, () -> client(builder()).publish("bad channel!", "n", 1));
    }
}
