package io.heliograph.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A client given entry addresses follows its region's failure: two regions of one scripted edge each ({@link
 * FakeEdge}), each behind an entry answering {@code /v1/negotiate} ({@link StubEntry}, as an edge without a mesh table:
 * its own region). When region A is gone the client negotiates region B and resumes there from its last serial.
 */
class RegionFailoverTest {

    /** The sessions a test kills have a heartbeat, so that a vanished node is noticed even if the JDK says nothing. */
    private static final long HEARTBEAT_MS = 1500;
    private static final Duration FAILOVER_WAIT = Duration.ofSeconds(10);

    private FakeEdge edgeA;
    private FakeEdge edgeB;
    private StubEntry entryA;
    private StubEntry entryB;
    private final List<HeliographClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        edgeA = new FakeEdge();
        edgeB = new FakeEdge();
        edgeA.answerPings();
        edgeB.answerPings();
        entryA = new StubEntry("us-east", List.of(edgeA.uri()));
        entryB = new StubEntry("eu-west", List.of(edgeB.uri()));
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(HeliographClient::close);
        entryA.close();
        entryB.close();
        edgeA.close();
        edgeB.close();
    }

    private HeliographClient client() {
        return client(builder());
    }

    /** A client of us-east given both entries, with short backoffs and timeouts. */
    private HeliographClientBuilder builder() {
        return HeliographClient.builder()
                .entries(List.of(entryA.uri(), entryB.uri()))
                .preferredRegion("us-east")
                .token("tok-1")
                .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
                .negotiateTimeout(Duration.ofSeconds(1))
                .requestTimeout(Duration.ofSeconds(5));
    }

    private HeliographClient client(HeliographClientBuilder builder) {
        HeliographClient c = builder.build();
        clients.add(c);
        return c;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + FAILOVER_WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + FAILOVER_WAIT + " waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    /** Connects through negotiation to region A, attaches {@code chat} and delivers 1:1 to 1:3 there. */
    private FakeEdge.Session connectInA(HeliographClient client, List<String> delivered) throws Exception {
        client.onMessage("chat", m -> delivered.add(m.serial().toString()));
        CompletableFuture<Void> connected = client.connect();
        FakeEdge.Session a = edgeA.nextSession();
        a.connected("conn-a", HEARTBEAT_MS, "us-east");
        connected.get(5, TimeUnit.SECONDS);
        assertEquals(List.of("us-east"), entryA.asked, "negotiated near the preferred region");
        CompletableFuture<AttachResult> attached = client.attach("chat");
        JsonNode attach = a.next("attach");
        a.attached(attach, "1:0", false);
        attached.get(5, TimeUnit.SECONDS);
        for (int seq = 1; seq <= 3; seq++) {
            a.message("chat", "1:" + seq, "{\"n\":" + seq + "}");
        }
        await(() -> delivered.size() == 3, "1:1 to 1:3 in region A");
        return a;
    }

    /** B's session: the resume of {@code chat} from 1:3 is answered, with an overlap and what was missed. */
    private static void resumeInB(FakeEdge.Session b) throws Exception {
        b.connected("conn-b", HEARTBEAT_MS, "eu-west");
        JsonNode attach = b.next("attach");
        assertEquals("chat", attach.get("channel").asText());
        assertEquals("1:3", attach.get("fromSerial").asText(), "resumed from the last serial delivered in A");
        b.attached(attach, "1:5", true);
        // The catch-up overlaps what A delivered (a replica that cannot know), then brings what A never did.
        for (int seq = 3; seq <= 6; seq++) {
            b.message("chat", "1:" + seq, "{\"n\":" + seq + "}");
        }
    }

    @Test
    void aClientWhoseRegionDiesNegotiatesTheNextRegionAndResumesWithNothingLostOrTwice() throws Exception {
        HeliographClient client = client();
        List<String> delivered = new CopyOnWriteArrayList<>();
        List<ConnectionState> states = new CopyOnWriteArrayList<>();
        client.onStateChange(states::add);
        FakeEdge.Session a = connectInA(client, delivered);
        CompletableFuture<Void> entered = client.enterPresence("chat", "here");
        a.ack(a.next("presence"), null);
        entered.get(5, TimeUnit.SECONDS);

        // Region A goes: its edge and its entry, as a region lost whole.
        entryA.close();
        edgeA.close();
        a.kill();

        FakeEdge.Session b = edgeB.nextSession(FAILOVER_WAIT);
        resumeInB(b);
        JsonNode reenter = b.next("presence");
        assertEquals("enter", reenter.get("action").asText());
        b.ack(reenter, null);
        await(() -> delivered.size() == 6, "1:4 to 1:6 in region B");

        assertEquals(List.of("1:1", "1:2", "1:3", "1:4", "1:5", "1:6"), delivered);
        assertEquals(1, client.duplicatesDropped());
        assertEquals(0, client.continuityLosses());
        assertEquals("eu-west", client.region());
        assertEquals(1, client.regionChanges());
        assertEquals(2, client.negotiations());
        assertEquals("us-east", client.preferredRegion());
        assertEquals(List.of("us-east"), entryB.asked, "the failover asked B for the preferred region");
        await(() -> states.getLast() == ConnectionState.CONNECTED, "connected in B");
    }

    @Test
    void aRedirectWithoutUrlMovesTheClientToAnotherRegionEvenWhileItsOwnStillAnswers() throws Exception {
        HeliographClient client = client();
        List<String> delivered = new CopyOnWriteArrayList<>();
        FakeEdge.Session a = connectInA(client, delivered);

        // A drains: its edge asks its clients to go through the entry point; entry A still names us-east.
        a.send("{\"type\":\"redirect\",\"reason\":\"draining\",\"url\":null}");

        FakeEdge.Session b = edgeB.nextSession(FAILOVER_WAIT);
        resumeInB(b);
        await(() -> delivered.size() == 6, "1:4 to 1:6 in region B");
        assertEquals(List.of("1:1", "1:2", "1:3", "1:4", "1:5", "1:6"), delivered);
        assertEquals("eu-west", client.region());
        // A was asked again and answered itself; being just left, it was passed over for B.
        assertEquals(List.of("us-east", "us-east"), entryA.asked.subList(0, 2));
        assertEquals(null, edgeA.pollSession(Duration.ofMillis(200)), "no reconnect to the drained region");
    }

    /**
     * Drained away, then restored: while A drains both entries send us-east's clients to eu-west; once A serves again
     * the client, connected in B, notices on its own check and moves back, resuming from its last serial.
     */
    @Test
    void aClientMovedAwayReturnsToItsPreferredRegionOnceItServesAgain() throws Exception {
        HeliographClient client = client(builder().regionExclusion(Duration.ofMillis(300))
                .preferredRegionCheck(Duration.ofMillis(100)));
        List<String> delivered = new CopyOnWriteArrayList<>();
        FakeEdge.Session a = connectInA(client, delivered);

        java.util.concurrent.atomic.AtomicBoolean aServes = new java.util.concurrent.atomic.AtomicBoolean(false);
        java.util.function.Function<String, StubEntry.Reply> table = near -> aServes.get() && "us-east".equals(near)
                ? StubEntry.answer("us-east", "near", List.of(edgeA.uri()))
                : StubEntry.answer("eu-west", "preference", List.of(edgeB.uri()));
        entryA.onNegotiate(table);
        entryB.onNegotiate(table);
        // As a drained edge does when its table routes its region elsewhere: to an edge of the next region by URL.
        a.send("{\"type\":\"redirect\",\"reason\":\"node draining\",\"url\":\"" + edgeB.uri() + "\"}");
        FakeEdge.Session b = edgeB.nextSession(FAILOVER_WAIT);
        resumeInB(b);
        await(() -> delivered.size() == 6, "1:4 to 1:6 in region B");
        Thread.sleep(600); // checks run while A still drains: the client must stay in B (no condition to await)
        assertEquals(null, edgeA.pollSession(Duration.ofMillis(50)), "no return while A does not serve");
        assertEquals(0, client.regionReturns());

        aServes.set(true);
        FakeEdge.Session back = edgeA.nextSession(FAILOVER_WAIT);
        back.connected("conn-a2", HEARTBEAT_MS, "us-east");
        JsonNode attach = back.next("attach");
        assertEquals("1:6", attach.get("fromSerial").asText(), "resumed from the last serial delivered in B");
        back.attached(attach, "1:7", true);
        back.message("chat", "1:7", "{\"n\":7}");
        await(() -> delivered.size() == 7, "1:7 back in region A");
        assertEquals(List.of("1:1", "1:2", "1:3", "1:4", "1:5", "1:6", "1:7"), delivered);
        assertEquals("us-east", client.region());
        assertEquals(1, client.regionReturns());
        assertEquals(0, client.continuityLosses());
        await(() -> b.closeCodeFromClient == 1000, "the connection in B closed politely");
    }

    @Test
    void theBuilderNamesTheRegionSettingThatCannotWork() {
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> HeliographClient.builder()
                .entries(List.of(entryA.uri())).urls(List.of(edgeA.uri())).token("t").build());
        assertTrue(both.getMessage().startsWith("urls and entries"), both.getMessage());
        IllegalArgumentException wsEntry = assertThrows(IllegalArgumentException.class, () -> HeliographClient
                .builder().entries(List.of(edgeA.uri())).token("t").build());
        assertTrue(wsEntry.getMessage().startsWith("entries"), wsEntry.getMessage());
        IllegalArgumentException regionWithoutEntries = assertThrows(IllegalArgumentException.class,
                () -> HeliographClient.builder().urls(List.of(edgeA.uri())).preferredRegion("us-east").token("t")
                        .build());
        assertTrue(regionWithoutEntries.getMessage().startsWith("preferredRegion"));
        IllegalArgumentException badRegion = assertThrows(IllegalArgumentException.class, () -> HeliographClient
                .builder().entries(List.of(entryA.uri())).preferredRegion("US East").token("t").build());
        assertTrue(badRegion.getMessage().startsWith("preferredRegion"));
    }

    @Test
    void withoutAPreferredRegionTheClientConnectsToTheRegionWithTheShortestRoundTrip() throws Exception {
        entryA.healthDelay(150);
        HeliographClient client = HeliographClient.builder()
                .entries(List.of(entryA.uri(), entryB.uri()))
                .token("tok-1")
                .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
                .build();
        clients.add(client);
        CompletableFuture<Void> connected = client.connect();
        FakeEdge.Session b = edgeB.nextSession();
        b.connected("conn-b", 0, "eu-west");
        connected.get(5, TimeUnit.SECONDS);
        assertEquals("eu-west", client.preferredRegion());
        assertEquals(List.of(""), entryB.asked, "asked the nearest entry for its own region");
        assertEquals(List.of(), entryA.asked);
    }

    @Test
    void aClientWithEntryAddressesGoesBackToItsOnlyRegionWhenNoOtherIsOnOffer() throws Exception {
        entryB.close();
        HeliographClient client = client();
        List<String> delivered = new CopyOnWriteArrayList<>();
        FakeEdge.Session a = connectInA(client, delivered);
        a.kill();

        // Negotiation still says us-east (B's entry is gone): the client comes back to A and resumes there.
        FakeEdge.Session again = edgeA.nextSession(FAILOVER_WAIT);
        again.connected("conn-a2", HEARTBEAT_MS, "us-east");
        JsonNode attach = again.next("attach");
        assertEquals("1:3", attach.get("fromSerial").asText());
        again.attached(attach, "1:4", true);
        again.message("chat", "1:4", "{}");
        await(() -> delivered.size() == 4, "1:4 in region A again");
        assertEquals(0, client.regionChanges());
    }
}
