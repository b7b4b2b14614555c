package io.heliograph.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;

/**
 * Region choice through {@code /v1/negotiate} and {@code /health}, against JDK HttpServer stubs of edges: near,
 * falling back across entries, leaving out a region just lost (unless it is the only one on offer), and choosing by
 * round trip when no region is named.
 */
class RegionNegotiatorTest {

    private static final URI A_WS = URI.create("ws://127.0.0.1:1/a");
    private static final URI B_WS = URI.create("ws://127.0.0.1:2/b");
    private static final Duration TIMEOUT = Duration.ofMillis(1500);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .version(HttpClient.Version.HTTP_1_1).build();
    private final AtomicLong nowMs = new AtomicLong(1_000);
    private final RegionExclusions exclusions = new RegionExclusions(Duration.ofSeconds(30), nowMs::get);
    private final List<StubEntry> stubs = new ArrayList<>();

    @AfterEach
    void stop() {
        stubs.forEach(StubEntry::close);
        http.shutdown();
    }

    private StubEntry stub(String region, URI ws) throws IOException {
        StubEntry s = new StubEntry(region, List.of(ws));
        stubs.add(s);
        return s;
    }

    private RegionNegotiator negotiator(String preferred, URI... entries) {
        return new RegionNegotiator(List.of(entries), preferred, http, TIMEOUT, 3, exclusions);
    }

    /** An address where nothing listens: connections are refused at once. */
    private static URI deadEntry() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
    }

    /** An entry whose mesh table knows both regions and sends each client where it asks, or to its own region. */
    private static void routesByNear(StubEntry entry, String ownRegion, URI ownWs) {
        entry.onNegotiate(near -> near == null || near.equals(ownRegion)
                ? StubEntry.answer(ownRegion, near == null ? "default" : "near", List.of(ownWs))
                : StubEntry.answer(near, "near", List.of(near.equals("us-east") ? A_WS : B_WS)));
    }

    /**
     * A frozen region's entry answers nothing until the timeout. Once an answer listed it as an edge of us-east, and
     * us-east is left out, negotiation asks the other entries first: the failover does not wait for the timeout.
     */
    @Test
    void anEntryOfARegionLeftOutIsAskedLastSoAFrozenOneCostsNoTimeout() throws Exception {
        StubEntry a = stub("us-east", A_WS);
        StubEntry b = stub("eu-west", B_WS);
        java.util.concurrent.atomic.AtomicBoolean frozen = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.function.Function<String, StubEntry.Reply> table = near -> {
            if ("us-east".equals(near) && !exclusions.excludes("us-east")) {
                return new StubEntry.Reply(200, java.util.Map.of("region", "us-east", "reason", "near",
                        "tableVersion", 1, "edges", List.of(java.util.Map.of("id", "us-east-1", "ws", A_WS.toString(),
                                "http", a.uri().toString()))));
            }
            return StubEntry.answer("eu-west", "preference", List.of(B_WS));
        };
        a.onNegotiate(near -> {
            if (frozen.get()) {
                try {
                    Thread.sleep(TIMEOUT.toMillis() * 2); // a frozen process: no answer within the timeout
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return table.apply(near);
        });
        b.onNegotiate(table);
        RegionNegotiator negotiator = negotiator("us-east", a.uri(), b.uri());
        assertEquals("us-east", negotiator.negotiate().region());
        assertEquals(List.of(a.uri(), b.uri()), negotiator.askingOrder());

        frozen.set(true);
        exclusions.exclude("us-east");
        assertEquals(List.of(b.uri(), a.uri()), negotiator.askingOrder(), "us-east's own entry last");
        int askedOfA = a.asked.size();
        long startNs = System.nanoTime();
        assertEquals("eu-west", negotiator.negotiate().region());
        long tookMs = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        assertTrue(tookMs < TIMEOUT.toMillis(), "no timeout waited: " + tookMs + " ms");
        assertEquals(askedOfA, a.asked.size(), "the frozen entry was not asked");
    }

    @Test
    void theAnswerForTheNearRegionIsTakenFromTheFirstEntry() throws Exception {
        StubEntry b = stub("eu-west", B_WS);
        routesByNear(b, "eu-west", B_WS);
        RegionNegotiator.Answer answer = negotiator("us-east", b.uri()).negotiate();
        assertEquals("us-east", answer.region());
        assertEquals("near", answer.reason());
        assertEquals(List.of(A_WS), answer.edges());
        assertEquals(List.of("us-east"), b.asked);
    }

    @Test
    void entriesThatRefuseFailOrNeverAnswerArePassedForTheNext() throws Exception {
        StubEntry broken = stub("us-east", A_WS);
        broken.onNegotiate(near -> new StubEntry.Reply(503, Map.of("code", 503, "message", "no_healthy_region")));
        StubEntry b = stub("eu-west", B_WS);
        long startNs = System.nanoTime();
        RegionNegotiator.Answer answer = negotiator("us-east", deadEntry(), broken.uri(), b.uri()).negotiate();
        assertEquals("eu-west", answer.region());
        assertEquals(b.uri(), answer.entry());
        assertEquals(List.of(B_WS), answer.edges());
        assertEquals(1, broken.asked.size());
        assertTrue(System.nanoTime() - startNs < TIMEOUT.toNanos() * 2, "dead entries cost no timeout");
    }

    @Test
    void noEntryAnsweringIsUnavailable() throws Exception {
        StubEntry broken = stub("us-east", A_WS);
        broken.onNegotiate(near -> new StubEntry.Reply(200, Map.of("region", "us-east", "edges", List.of())));
        HeliographException e = assertThrows(HeliographException.class,
                () -> negotiator("us-east", deadEntry(), broken.uri()).negotiate());
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
    }

    @Test
    void aRegionJustLostIsLeftOutWhileAnotherIsOnOffer() throws Exception {
        StubEntry a = stub("us-east", A_WS);
        StubEntry b = stub("eu-west", B_WS);
        RegionNegotiator negotiator = negotiator("us-east", a.uri(), b.uri());
        assertEquals("us-east", negotiator.negotiate().region());
        exclusions.exclude("us-east");
        RegionNegotiator.Answer answer = negotiator.negotiate();
        assertEquals("eu-west", answer.region());
        assertEquals(List.of(B_WS), answer.edges());
    }

    @Test
    void anEntryWhoseTableStillSendsClientsToTheLostRegionIsAskedForItsOwn() throws Exception {
        StubEntry b = stub("eu-west", B_WS);
        routesByNear(b, "eu-west", B_WS);
        exclusions.exclude("us-east");
        RegionNegotiator.Answer answer = negotiator("us-east", b.uri()).negotiate();
        assertEquals("eu-west", answer.region());
        assertEquals(List.of("us-east", ""), b.asked);
    }

    @Test
    void theLostRegionIsTakenAgainWhenItIsTheOnlyOneOnOffer() throws Exception {
        StubEntry a = stub("us-east", A_WS);
        exclusions.exclude("us-east");
        RegionNegotiator.Answer answer = negotiator("us-east", deadEntry(), a.uri()).negotiate();
        assertEquals("us-east", answer.region());
        assertEquals(List.of(A_WS), answer.edges());
    }

    @Test
    void anExclusionEndsAfterItsWindow() throws Exception {
        StubEntry a = stub("us-east", A_WS);
        StubEntry b = stub("eu-west", B_WS);
        RegionNegotiator negotiator = negotiator("us-east", a.uri(), b.uri());
        exclusions.exclude("us-east");
        assertEquals("eu-west", negotiator.negotiate().region());
        nowMs.addAndGet(29_999);
        assertEquals("eu-west", negotiator.negotiate().region());
        nowMs.addAndGet(1);
        assertEquals("us-east", negotiator.negotiate().region());
    }

    @Test
    void aPreferredRegionTheTableDoesNotKnowFallsBackToTheEntrysOwnAnswer() throws Exception {
        StubEntry b = stub("eu-west", B_WS);
        b.onNegotiate(near -> near != null
                ? new StubEntry.Reply(400, Map.of("code", 400, "message", "near: unknown region " + near))
                : StubEntry.answer("eu-west", "default", List.of(B_WS)));
        assertEquals("eu-west", negotiator("mars-1", b.uri()).negotiate().region());
        assertEquals(List.of("mars-1", ""), b.asked);
    }

    @Test
    void withoutAPreferredRegionTheEntryWithTheShortestRoundTripIsAskedFirstAndItsRegionIsKept() throws Exception {
        StubEntry far = stub("us-east", A_WS);
        far.healthDelay(150);
        StubEntry near = stub("eu-west", B_WS);
        RegionNegotiator negotiator = negotiator(null, far.uri(), near.uri());
        assertNull(negotiator.preferredRegion());
        RegionNegotiator.Answer answer = negotiator.negotiate();
        assertEquals("eu-west", answer.region());
        assertEquals(List.of(near.uri(), far.uri()), negotiator.entryOrder());
        assertEquals("eu-west", negotiator.preferredRegion());
        assertEquals(List.of(""), near.asked, "asked without near: the entry answers its own region");
        assertTrue(far.asked.isEmpty(), "the far entry is not asked when the near one answers");
        // A few probes each, bounded.
        assertEquals(3, far.healthChecks.size());
        assertEquals(3, near.healthChecks.size());
        // Later negotiations ask for the chosen region by name and do not measure again.
        negotiator.negotiate();
        assertEquals(List.of("", "eu-west"), near.asked);
        assertEquals(3, near.healthChecks.size());
    }

    @Test
    void anEntryThatNeverAnswersItsHealthIsRankedLast() throws Exception {
        StubEntry a = stub("us-east", A_WS);
        URI dead = deadEntry();
        RegionNegotiator negotiator = negotiator(null, dead, a.uri());
        assertEquals("us-east", negotiator.negotiate().region());
        assertEquals(List.of(a.uri(), dead), negotiator.entryOrder());
    }
}
