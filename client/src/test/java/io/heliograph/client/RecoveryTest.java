package io.heliograph.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.Serial;

/**
 * How the client gets through what a failover throws at it: the edge's rate limit during a large restore, refusals
 * without a request id, transient errors (503, 500, 429, silence) on its own re-attaches, re-enters and on publishes,
 * and continuity lost on a resume.
 */
class RecoveryTest {

    /**
     * The heartbeat of sessions a test kills: the client notices a vanished node within 2.5 of them even when the
     * JDK does not report the closed socket, and a loaded machine does not make a live one look silent.
     */
    private static final long HEARTBEAT_MS = 1500;
    /** Bounds a reconnect after a kill: up to 2.5 heartbeats to notice it, then the backoff. */
    private static final Duration RECONNECT_WAIT = Duration.ofSeconds(10);

    private FakeEdge edgeA;
    private FakeEdge edgeB;
    private final List<HeliographClient> clients = new ArrayList<>();

    @BeforeEach
    void startEdges() throws Exception {
        edgeA = new FakeEdge();
        edgeB = new FakeEdge();
        edgeA.answerPings();
        edgeB.answerPings();
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

    /** Connects to edge A without a heartbeat: for tests that do not kill A. */
    private FakeEdge.Session connect(HeliographClient client) throws Exception {
        return connect(client, 0);
    }

    /**
     * Connects to edge A. Tests that kill a node give it a heartbeat: the JDK's WebSocket does not always report a
     * vanished peer at once, and the heartbeat bounds that (the edges here answer pings, so a quiet live node stays).
     */
    private FakeEdge.Session connect(HeliographClient client, long heartbeatMs) throws Exception {
        CompletableFuture<Void> connected = client.connect();
        FakeEdge.Session s = edgeA.nextSession();
        s.connected("conn-1", heartbeatMs);
        connected.get(5, TimeUnit.SECONDS);
        return s;
    }

    /** Attaches {@code channel} on {@code s}, answered with {@code serial}. */
    private static void attach(HeliographClient client, FakeEdge.Session s, String channel, String serial)
            throws Exception {
        CompletableFuture<AttachResult> attached = client.attach(channel);
        JsonNode attach = s.next("attach");
        assertEquals(channel, attach.get("channel").asText());
        s.attached(attach, serial, false);
        get(attached);
    }

    /** Kills A and returns B's session, connected with the given heartbeat. */
    private FakeEdge.Session failOver(FakeEdge.Session a, long heartbeatMs) throws Exception {
        a.kill();
        FakeEdge.Session b = edgeB.nextSession(RECONNECT_WAIT);
        b.connected("conn-2", heartbeatMs);
        return b;
    }

    private FakeEdge.Session failOver(FakeEdge.Session a) throws Exception {
        return failOver(a, 0);
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        await(condition, FakeEdge.WAIT, what);
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(5, TimeUnit.SECONDS);
    }

    private static HeliographException failure(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
        return assertInstanceOf(HeliographException.class, e.getCause());
    }

    // ------------------------------------------------------------------------------------- pacing under the limit

    /**
     * The incident of item 13 at the real defaults: both edges enforce 100 frames/s with a burst of 200 and close with
     * 1008 after 200 refusals in 10 s, as the edge node does. A client with 1,000 channels (the protocol's maximum)
     * attaches them, loses its node and must re-attach all of them on the other one, and deliver again, without a
     * single refusal. Pacing makes each phase take about ten seconds: that is the point.
     */
    @Test
    void aThousandChannelsResumeOnAnotherNodeUnderTheEdgesRateLimitWithoutA429() throws Exception {
        int channels = 1000;
        edgeA.rateLimit(100, 200);
        edgeB.rateLimit(100, 200);
        HeliographClient client = client(builder());
        AtomicLong delivered = new AtomicLong();
        client.onMessage(m -> delivered.incrementAndGet());
        FakeEdge.Session a = connect(client, HEARTBEAT_MS);

        List<CompletableFuture<AttachResult>> attached = new ArrayList<>();
        for (int i = 0; i < channels; i++) {
            attached.add(client.attach("ch-" + i));
        }
        for (int i = 0; i < channels; i++) {
            JsonNode attach = a.next("attach");
            a.attached(attach, "1:0", false);
            a.message(attach.get("channel").asText(), "1:1", "{}");
        }
        for (CompletableFuture<AttachResult> f : attached) {
            f.get(20, TimeUnit.SECONDS);
        }
        await(() -> delivered.get() == channels, "a message on every channel");
        assertEquals(0, a.refusals.get(), "refusals by A");

        FakeEdge.Session b = failOver(a);
        for (int i = 0; i < channels; i++) {
            JsonNode attach = b.next("attach");
            assertEquals("1:1", attach.get("fromSerial").asText(), attach.toString());
            b.attached(attach, "1:1", true);
            b.message(attach.get("channel").asText(), "1:2", "{}");
        }
        await(() -> delivered.get() == 2L * channels, Duration.ofSeconds(20), "a second message on every channel");
        assertEquals(0, b.refusals.get(), "refusals by B");
        assertFalse(b.closedForAbuse);
        assertEquals(ConnectionState.CONNECTED, client.state());
        assertEquals(0, client.rateLimitRefusals());
    }

    /**
     * A frame refused by the rate limit is answered with a 429 that carries no id, so the client cannot tell which
     * request it was: its own requests have a timeout, after which they are sent again.
     */
    @Test
    void reattachLostToA429WithoutIdIsSentAgainAfterItsTimeout() throws Exception {
        HeliographClient client = client(builder().requestTimeout(Duration.ofMillis(500)));
        List<String> delivered = new CopyOnWriteArrayList<>();
        client.onMessage("chat", m -> delivered.add(m.serial().toString()));
        FakeEdge.Session a = connect(client, HEARTBEAT_MS);
        attach(client, a, "chat", "1:4");

        FakeEdge.Session b = failOver(a);
        JsonNode first = b.next("attach");
        assertEquals("1:4", first.get("fromSerial").asText());
        b.send("{\"type\":\"error\",\"code\":429,\"message\":\"rate limit exceeded\"}");

        JsonNode again = b.next("attach");
        assertEquals("chat", again.get("channel").asText());
        assertEquals("1:4", again.get("fromSerial").asText());
        b.attached(again, "1:5", true);
        b.message("chat", "1:5", "{}");
        await(() -> delivered.equals(List.of("1:5")), "delivery after the retried attach");
        assertEquals(1, client.rateLimitRefusals());
        assertTrue(client.attachRetries() >= 1);
    }

    // ------------------------------------------------------------------------------------- transient errors

    @Test
    void reattachAnswered503KeepsTheChannelAndItsCursorAndIsRetried() throws Exception {
        HeliographClient client = client(builder());
        List<String> delivered = new CopyOnWriteArrayList<>();
        client.onMessage("chat", m -> delivered.add(m.serial().toString()));
        FakeEdge.Session a = connect(client, HEARTBEAT_MS);
        attach(client, a, "chat", "1:4");
        a.message("chat", "1:5", "{}");
        await(() -> delivered.size() == 1, "first message");

        FakeEdge.Session b = failOver(a);
        JsonNode first = b.next("attach");
        b.error(first, 503, "region storage unavailable");
        JsonNode second = b.next("attach");
        b.error(second, 500, "internal error");
        JsonNode third = b.next("attach");
        assertEquals("1:5", third.get("fromSerial").asText());
        b.attached(third, "1:6", true);
        b.message("chat", "1:6", "{}");

        await(() -> delivered.equals(List.of("1:5", "1:6")), "delivery after the 503");
        assertEquals(2, client.attachRetries());
    }

    @Test
    void firstAttachAnswered503IsRetriedAndItsFutureCompletesWhenItSucceeds() throws Exception {
        HeliographClient client = client(builder());
        FakeEdge.Session a = connect(client);
        CompletableFuture<AttachResult> attached = client.attach("chat");
        a.error(a.next("attach"), 503, "region storage unavailable");
        JsonNode again = a.next("attach");
        assertFalse(attached.isDone());
        a.attached(again, "1:3", false);
        assertEquals(new AttachResult("chat", Serial.of(1, 3), false, false), get(attached));
    }

    /** Beyond the channel limit the edge answers 429 with an id: retried, and named when the attach gives up. */
    @Test
    void firstAttachRefusedWith429UntilItsTimeoutFailsWithTheRefusal() throws Exception {
        HeliographClient client = client(builder().requestTimeout(Duration.ofMillis(300)));
        FakeEdge.Session a = connect(client);
        CompletableFuture<AttachResult> attached = client.attach("ch-1001");
        a.error(a.next("attach"), 429, "channel limit reached: at most 1000 channels per connection");
        a.error(a.next("attach"), 429, "channel limit reached: at most 1000 channels per connection");
        HeliographException e = failure(attached);
        assertEquals(ErrorCode.RATE_LIMITED, e.code());
        assertTrue(e.getMessage().contains("channel limit reached"), e.getMessage());
    }

    @Test
    void firstAttachRefusedWith403FailsAtOnceAndIsNotRetried() throws Exception {
        HeliographClient client = client(builder());
        FakeEdge.Session a = connect(client);
        CompletableFuture<AttachResult> attached = client.attach("secret");
        a.error(a.next("attach"), 403, "no subscribe capability");
        assertEquals(ErrorCode.FORBIDDEN, failure(attached).code());
        assertNull(a.pollFor("attach", Duration.ofMillis(300)));
    }

    @Test
    void presenceReEnterAnswered503OrUnansweredIsRetried() throws Exception {
        HeliographClient client = client(builder().requestTimeout(Duration.ofMillis(500)));
        FakeEdge.Session a = connect(client, HEARTBEAT_MS);
        CompletableFuture<Void> entered = client.enterPresence("room", Map.of("mood", "ok"));
        a.ack(a.next("presence"), null);
        get(entered);

        FakeEdge.Session b = failOver(a);
        JsonNode first = b.next("presence");
        assertEquals("enter", first.get("action").asText());
        b.error(first, 503, "region storage unavailable");
        JsonNode unanswered = b.next("presence");
        assertEquals("enter", unanswered.get("action").asText());
        JsonNode third = b.next("presence");
        assertEquals("ok", third.get("data").get("mood").asText());
        b.ack(third, null);
        assertNull(b.pollFor("presence", Duration.ofMillis(500)), "no re-enter after the ack");
        assertEquals(2, client.presenceRetries());
    }

    /** An application's presence request completes with the re-enter that finally succeeds, even two nodes later. */
    @Test
    void presenceUpdateUnansweredAcrossTwoReconnectsCompletesWithTheFinalReEnter() throws Exception {
        HeliographClient client = client(builder());
        FakeEdge.Session a = connect(client, HEARTBEAT_MS);
        CompletableFuture<Void> entered = client.enterPresence("room", Map.of("mood", "ok"));
        a.ack(a.next("presence"), null);
        get(entered);
        CompletableFuture<Void> updated = client.updatePresence("room", Map.of("mood", "great"));
        a.next("presence");

        FakeEdge.Session b = failOver(a, HEARTBEAT_MS);
        assertEquals("great", b.next("presence").get("data").get("mood").asText());
        b.kill();
        FakeEdge.Session a2 = edgeA.nextSession(RECONNECT_WAIT);
        a2.connected("conn-3", 0);
        JsonNode reenter = a2.next("presence");
        assertEquals("great", reenter.get("data").get("mood").asText());
        assertFalse(updated.isDone());
        a2.ack(reenter, null);
        get(updated);
    }

    // ------------------------------------------------------------------------------------- publishes

    @Test
    void publishNotAckedWithinTheRequestTimeoutIsResentWithTheSameMsgId() throws Exception {
        HeliographClient client = client(builder().requestTimeout(Duration.ofMillis(200)));
        FakeEdge.Session a = connect(client);
        CompletableFuture<PublishAck> ack = client.publish("chat", "n", Map.of("k", 1));
        JsonNode first = a.next("publish");
        JsonNode again = a.next("publish");
        assertEquals(first.get("msgId").asText(), again.get("msgId").asText());
        assertFalse(ack.isDone());
        a.ack(again, "1:9");
        assertEquals(new PublishAck(Serial.of(1, 9), first.get("msgId").asText()), get(ack));
        assertTrue(client.publishesResent() >= 1);
    }

    @Test
    void publishAnswered503IsResentWithTheSameMsgId() throws Exception {
        HeliographClient client = client(builder());
        FakeEdge.Session a = connect(client);
        CompletableFuture<PublishAck> ack = client.publish("chat", "n", 1, "order-17");
        a.error(a.next("publish"), 503, "region storage unavailable");
        JsonNode again = a.next("publish");
        assertEquals("order-17", again.get("msgId").asText());
        a.ack(again, "1:2");
        assertEquals(new PublishAck(Serial.of(1, 2), "order-17"), get(ack));
    }

    @Test
    void publishRefusedWith403FailsAndIsNotResent() throws Exception {
        HeliographClient client = client(builder());
        FakeEdge.Session a = connect(client);
        CompletableFuture<PublishAck> ack = client.publish("secret", "n", 1);
        a.error(a.next("publish"), 403, "no publish capability");
        assertEquals(ErrorCode.FORBIDDEN, failure(ack).code());
        assertNull(a.pollFor("publish", Duration.ofMillis(300)));
    }

    /** Item 14: a publish outlives its request timeout and the connection, and is re-sent with its msgId. */
    @Test
    void publishUnansweredPastItsRequestTimeoutSurvivesAReconnectWithItsMsgId() throws Exception {
        HeliographClient client = client(builder().requestTimeout(Duration.ofMillis(200)));
        FakeEdge.Session a = connect(client, HEARTBEAT_MS);
        CompletableFuture<PublishAck> ack = client.publish("chat", "n", 1);
        String msgId = a.next("publish").get("msgId").asText();
        await(() -> client.publishesResent() >= 1, "a re-send after the request timeout");
        assertFalse(ack.isDone(), "a publish must not fail at its request timeout");

        FakeEdge.Session b = failOver(a);
        JsonNode again = b.next("publish");
        assertEquals(msgId, again.get("msgId").asText());
        b.ack(again, "1:7");
        assertEquals(new PublishAck(Serial.of(1, 7), msgId), get(ack));
    }

    @Test
    void publicationShowsTheGeneratedMsgIdBeforeTheAck() throws Exception {
        HeliographClient client = client(builder());
        FakeEdge.Session a = connect(client);
        Publication publication = client.publish(OutgoingMessage.of("chat", Map.of("text", "hi")).withName("greeting"));
        assertFalse(publication.msgId().isBlank());
        assertFalse(publication.ack().isDone());
        JsonNode publish = a.next("publish");
        assertEquals(publication.msgId(), publish.get("msgId").asText());
        assertEquals("greeting", publish.get("name").asText());
        a.ack(publish, "1:3");
        assertEquals(new PublishAck(Serial.of(1, 3), publication.msgId()), get(publication.ack()));

        // An application retry with the same id is the same message to the edge.
        Publication retry = client.publish(OutgoingMessage.of("chat", Map.of("text", "hi"))
                .withMsgId(publication.msgId()));
        assertEquals(publication.msgId(), retry.msgId());
        assertEquals(publication.msgId(), a.next("publish").get("msgId").asText());
    }

    @Test
    void msgIdOutsideTheProtocolsBoundsIsRefusedBeforeSending() {
        HeliographException tooLong = assertThrows(HeliographException.class,
                () -> OutgoingMessage.of("chat", 1).withMsgId("x".repeat(65)));
        assertEquals(ErrorCode.BAD_REQUEST, tooLong.code());
        assertThrows(HeliographException.class, () -> OutgoingMessage.of("chat", 1).withMsgId(""));
    }

    @Test
    void publishFailsWhenItsDeadlinePassesAndIsNotSentAfterwards() throws Exception {
        HeliographClient client = client(builder().requestTimeout(Duration.ofMillis(100)));
        FakeEdge.Session a = connect(client);
        Publication publication = client.publish(OutgoingMessage.of("chat", 1).withDeadline(Duration.ofMillis(600)));
        String first = a.next("publish").get("msgId").asText();
        assertEquals(first, a.next("publish").get("msgId").asText(), "re-sent within its deadline");

        HeliographException e = failure(publication.ack());
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("deadline"), e.getMessage());
        assertEquals(1, client.publishesExpired());
        while (a.pollFor("publish", Duration.ofMillis(50)) != null) {
            // Drain what was sent before the deadline, some of it still on its way.
        }
        assertNull(a.pollFor("publish", Duration.ofMillis(300)), "nothing sent after the deadline");
    }

    @Test
    void reattachRefusedWith403DropsTheChannelAndTellsTheApplication() throws Exception {
        HeliographClient client = client(builder());
        List<ChannelDropped> dropped = new CopyOnWriteArrayList<>();
        client.onChannelDropped(dropped::add);
        List<String> delivered = new CopyOnWriteArrayList<>();
        client.onMessage(m -> delivered.add(m.channel() + "@" + m.serial()));
        FakeEdge.Session a = connect(client, HEARTBEAT_MS);
        attach(client, a, "chat", "1:4");
        attach(client, a, "news", "1:1");

        FakeEdge.Session b = failOver(a);
        JsonNode chat = b.next("attach");
        JsonNode news = b.next("attach");
        assertEquals("chat", chat.get("channel").asText());
        b.error(chat, 403, "no subscribe capability");
        b.attached(news, "1:1", true);
        await(() -> dropped.size() == 1, "the channel-dropped listener");
        assertEquals("chat", dropped.get(0).channel());
        assertEquals(Serial.of(1, 4), dropped.get(0).lastSerial());
        assertEquals(ErrorCode.FORBIDDEN, dropped.get(0).reason().code());
        assertEquals(1, client.channelsDropped());

        b.message("chat", "1:5", "{}");
        b.message("news", "1:2", "{}");
        await(() -> delivered.equals(List.of("news@1:2")), "only the kept channel delivers");
        assertNull(b.pollFor("attach", Duration.ofMillis(300)), "a refused channel is not retried");
    }

    // ------------------------------------------------------------------------------------- continuity

    @Test
    void resumeAnswered410TellsTheApplicationAndTheNextResumeStartsAtTheAnsweredSerial() throws Exception {
        HeliographClient client = client(builder());
        List<String> lost = new CopyOnWriteArrayList<>();
        client.onContinuityLost(lost::add);
        List<String> delivered = new CopyOnWriteArrayList<>();
        client.onMessage("chat", m -> delivered.add(m.serial().toString()));
        FakeEdge.Session a = connect(client, HEARTBEAT_MS);
        attach(client, a, "chat", "1:4");

        FakeEdge.Session b = failOver(a, HEARTBEAT_MS);
        JsonNode resume = b.next("attach");
        assertEquals("1:4", resume.get("fromSerial").asText());
        b.attachedContinuityLost(resume, "1:500");
        await(() -> lost.equals(List.of("chat")), "continuity listener");
        assertEquals(1, client.continuityLosses());
        b.message("chat", "1:501", "{}");
        await(() -> delivered.equals(List.of("1:501")), "the live message");
        assertEquals(0, client.gapsDetected(), "a lost stretch is continuity lost, not a gap");

        b.kill();
        FakeEdge.Session a2 = edgeA.nextSession(RECONNECT_WAIT);
        a2.connected("conn-3", 0);
        assertEquals("1:501", a2.next("attach").get("fromSerial").asText());
    }

    /**
     * A channel whose state was lost and restarted is behind the client's cursor: the edge answers 410 with the
     * channel's (lower) latest serial. The client must start again from there, or it would drop every new message as
     * a duplicate of one it has seen.
     */
    @Test
    void resumeBeyondTheChannelsLatestSerialResetsTheCursorToTheAnsweredSerial() throws Exception {
        HeliographClient client = client(builder());
        List<String> lost = new CopyOnWriteArrayList<>();
        client.onContinuityLost(lost::add);
        List<String> delivered = new CopyOnWriteArrayList<>();
        client.onMessage("chat", m -> delivered.add(m.serial().toString()));
        FakeEdge.Session a = connect(client, HEARTBEAT_MS);
        attach(client, a, "chat", "1:50");

        FakeEdge.Session b = failOver(a);
        JsonNode resume = b.next("attach");
        assertEquals("1:50", resume.get("fromSerial").asText());
        b.attachedContinuityLost(resume, "1:3");
        b.message("chat", "1:4", "{}");
        await(() -> delivered.equals(List.of("1:4")), "the restarted channel's next message");
        await(() -> lost.equals(List.of("chat")), "continuity listener");
        assertEquals(0, client.duplicatesDropped());
    }

    /**
     * An edge that answers a resume from beyond a restarted channel's latest serial with a plain {@code attached}
     * (neither 410 nor {@code resumed}) carrying that lower serial gives the restart away by the serial alone: the
     * client treats it as continuity lost on its own.
     */
    @Test
    void resumeAnsweredNotResumedWithALatestSerialBehindTheCursorIsContinuityLostEvenWithout410() throws Exception {
        HeliographClient client = client(builder());
        List<String> lost = new CopyOnWriteArrayList<>();
        client.onContinuityLost(lost::add);
        List<String> delivered = new CopyOnWriteArrayList<>();
        client.onMessage(m -> delivered.add(m.channel() + "@" + m.serial()));
        FakeEdge.Session a = connect(client, HEARTBEAT_MS);
        attach(client, a, "chat", "1:50");
        attach(client, a, "empty", "1:7");

        FakeEdge.Session b = failOver(a);
        JsonNode chat = b.next("attach");
        JsonNode empty = b.next("attach");
        b.attached(chat, "1:3", false);
        b.attached(empty, null, false);
        b.message("chat", "1:4", "{}");
        b.message("empty", "1:1", "{}");
        await(() -> delivered.size() == 2, "the restarted channels' next messages");
        assertEquals(List.of("chat@1:4", "empty@1:1"), delivered);
        await(() -> lost.equals(List.of("chat", "empty")), "continuity listener");
        assertEquals(2, client.continuityLosses());
    }

    /**
     * A client that received 1:50 in one region resumes at the channel's home while 1:50 still waits there for the
     * other region's acknowledgement (a link cut just after that region stored it): the home's visible latest serial
     * is 1:49, and it answers {@code resumed}. That is no restart: the cursor stays, 1:50 (when committed) is a
     * duplicate and 1:51 follows. DrainRestoreIT's subscribers lost continuity so, once in a while, before the fix.
     */
    @Test
    void resumeAnsweredResumedWithTheHomesVisibleSerialBehindTheCursorKeepsTheCursor() throws Exception {
        HeliographClient client = client(builder());
        List<String> lost = new CopyOnWriteArrayList<>();
        client.onContinuityLost(lost::add);
        List<String> delivered = new CopyOnWriteArrayList<>();
        client.onMessage("chat", m -> delivered.add(m.serial().toString()));
        FakeEdge.Session a = connect(client, HEARTBEAT_MS);
        attach(client, a, "chat", "1:50");

        FakeEdge.Session b = failOver(a);
        JsonNode resume = b.next("attach");
        assertEquals("1:50", resume.get("fromSerial").asText());
        b.attached(resume, "1:49", true);
        b.message("chat", "1:50", "{}");
        b.message("chat", "1:51", "{}");
        await(() -> delivered.equals(List.of("1:51")), "the message after the cursor, once");
        assertEquals(List.of(), lost, "no continuity lost");
        assertEquals(0, client.continuityLosses());
        assertEquals(1, client.duplicatesDropped());
    }
}
