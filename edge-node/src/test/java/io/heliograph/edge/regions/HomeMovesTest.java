package io.heliograph.edge.regions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.heliograph.edge.testing.TestNodes;
import io.heliograph.edge.testing.WsProbe;
import io.heliograph.protocol.Json;

/**
 * A channel's home moved by a pushed mesh table (shared/MULTI-REGION.md, invariants 2, 4 and 6; docs/control-plane.md):
 * the new home takes the channel over before its first serial of the new epoch (the old home yields and is fenced),
 * the epoch boundary is no gap for a resume, a region still on the old table cannot sequence, and with the old home
 * gone the takeover skips it only when the table marks it down.
 */
class HomeMovesTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path tls;

    private TwoRegions regions;

    @BeforeEach
    void start() {
        regions = new TwoRegions(tls, "room:*=us-east");
    }

    @AfterEach
    void stop() {
        if (regions != null) {
            regions.close();
        }
    }

    /** A table moving us-east's channels to eu-west under epoch 2; us-east in {@code usState}. */
    private static String table(long version, String usHome, long usEpoch, String usState) {
        return ("{'version':" + version + ",'leader':{'id':'cp-test','epoch':1},"
                + "'homes':{'us-east':{'region':'" + usHome + "','epoch':" + usEpoch + "}},"
                + "'regions':{'us-east':{'state':'" + usState + "','edges':[{'id':'us-east-1','ws':'ws://a','http':'http://a'}]},"
                + "'eu-west':{'state':'healthy','edges':[{'id':'eu-west-1','ws':'ws://b','http':'http://b'}]}},"
                + "'preference':{'us-east':['eu-west'],'eu-west':['us-east']}}").replace('\'', '"');
    }

    private static HttpResponse<String> put(TwoRegions.Region region, String body, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(region.edge.httpUrl() + "/v1/admin/mesh-table"))
                .timeout(Duration.ofSeconds(5)).PUT(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.build());
    }

    private static HttpResponse<String> get(TwoRegions.Region region, String path) {
        return send(HttpRequest.newBuilder(URI.create(region.edge.httpUrl() + path)).timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + TwoRegions.ADMIN_TOKEN).build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void pushed(TwoRegions.Region region, String table) {
        HttpResponse<String> answer = put(region, table, TwoRegions.ADMIN_TOKEN);
        assertEquals(200, answer.statusCode(), answer.body());
        assertTrue(Json.parse(answer.body()).get("applied").asBoolean(), answer.body());
    }

    private static JsonNode publish(WsProbe probe, String id, String extra) {
        return probe.request("{'type':'publish','id':'" + id + "','channel':'room:1','data':{'n':'" + id + "'}"
                + extra + "}").awaitReply(id);
    }

    @Test
    void theNewHomeTakesTheChannelOverAndTheOldHomeIsFencedUntilItHasTheTable() {
        try (WsProbe subA = TwoRegions.connect(regions.a, "sub-a"); WsProbe subB = TwoRegions.connect(regions.b, "sub-b");
             WsProbe pubA = TwoRegions.connect(regions.a, "pub-a"); WsProbe pubB = TwoRegions.connect(regions.b, "pub-b")) {
            subA.request("{'type':'attach','id':'s','channel':'room:1'}").awaitReply("s");
            subB.request("{'type':'attach','id':'s','channel':'room:1'}").awaitReply("s");
            for (int i = 1; i <= 3; i++) {
                assertEquals("1:" + i, publish(pubA, "a" + i, "").path("serial").asText());
            }

            // Only eu-west has the table yet: it is the home under epoch 2, and takes room:1 over from us-east.
            pushed(regions.b, table(1, "eu-west", 2, "healthy"));
            JsonNode first = publish(pubB, "b1", "");
            assertEquals("ack", first.path("type").asText(), first.toString());
            assertEquals("2:1", first.path("serial").asText(), "epoch 2 continues after 1:3: " + first);

            // us-east still has no table and believes itself the home under epoch 1: it yielded, so it is fenced.
            JsonNode stale = publish(pubA, "a4", "");
            assertEquals("error", stale.path("type").asText(), stale.toString());
            assertEquals(503, stale.path("code").asInt(), stale.toString());
            assertTrue(regions.a.edge.metrics().epochFencedCount() >= 1, "the refusal is counted");

            // Given the table, us-east forwards to the new home; the retry of the same msgId is sequenced once.
            pushed(regions.a, table(1, "eu-west", 2, "healthy"));
            JsonNode retried = publish(pubA, "a4", "");
            assertEquals("2:2", retried.path("serial").asText(), retried.toString());

            for (WsProbe sub : List.of(subA, subB)) {
                List<String> serials = sub.collect("message", 5, Duration.ofSeconds(10)).stream()
                        .map(m -> m.get("serial").asText()).toList();
                assertEquals(List.of("1:1", "1:2", "1:3", "2:1", "2:2"), serials, "one order in both regions");
            }
        }
        // A resume across the epoch boundary, in the old home's region: complete, and marked resumed.
        try (WsProbe late = TwoRegions.connect(regions.a, "late")) {
            JsonNode attached = late.request("{'type':'attach','id':'s','channel':'room:1','fromSerial':'1:2'}")
                    .awaitReply("s");
            assertTrue(attached.path("resumed").asBoolean(), attached.toString());
            assertEquals(List.of("1:3", "2:1", "2:2"), late.collect("message", 3, Duration.ofSeconds(10)).stream()
                    .map(m -> m.get("serial").asText()).toList());
        }
    }

    @Test
    void withTheOldHomeGoneTheTakeoverWaitsUntilTheTableMarksItDown() {
        try (WsProbe pubA = TwoRegions.connect(regions.a, "pub-a")) {
            for (int i = 1; i <= 2; i++) {
                assertEquals("1:" + i, publish(pubA, "a" + i, "").path("serial").asText());
            }
        }
        regions.a.bridge.close();
        regions.a.edge.close();
        regions.a.bridge = null;
        regions.a.edge = null;
        try (WsProbe pubB = TwoRegions.connect(regions.b, "pub-b")) {
            // Moved, but us-east not marked down: it cannot be asked, so no serial of epoch 2 is given.
            pushed(regions.b, table(1, "eu-west", 2, "healthy"));
            JsonNode refused = publish(pubB, "b1", ",'durability':'region'");
            assertEquals(503, refused.path("code").asInt(), refused.toString());
            // Marked down (what it alone held was never committed): eu-west continues after what it holds.
            pushed(regions.b, table(2, "eu-west", 2, "down"));
            JsonNode first = publish(pubB, "b1", ",'durability':'region'");
            assertEquals("2:1", first.path("serial").asText(), first.toString());
        }
    }

    @Test
    void adminCallsNeedTheTokenAnOlderTableIsNotTakenAndNegotiateFollowsTheTable() {
        assertEquals(401, put(regions.b, table(1, "eu-west", 2, "down"), null).statusCode());
        assertEquals(403, put(regions.b, table(1, "eu-west", 2, "down"), "wrong-token-wrong-token").statusCode());
        HttpResponse<String> bad = put(regions.b, table(1, "mars", 2, "down"), TwoRegions.ADMIN_TOKEN);
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("mars") || bad.body().contains("homes"), bad.body());

        // Before any table, negotiate knows this node only.
        JsonNode before = Json.parse(get(regions.b, "/v1/negotiate?near=us-east").body());
        assertEquals("eu-west", before.path("region").asText(), before.toString());
        assertEquals(0, before.path("tableVersion").asLong());

        pushed(regions.b, table(2, "eu-west", 2, "down"));
        HttpResponse<String> older = put(regions.b, table(1, "us-east", 1, "healthy"), TwoRegions.ADMIN_TOKEN);
        assertEquals(200, older.statusCode());
        assertFalse(Json.parse(older.body()).get("applied").asBoolean());
        assertEquals(2, Json.parse(older.body()).get("version").asLong());
        assertEquals(2, Json.parse(get(regions.b, "/v1/admin/mesh-table").body()).path("version").asLong());

        JsonNode route = Json.parse(get(regions.b, "/v1/negotiate?near=us-east").body());
        assertEquals("eu-west", route.path("region").asText(), route.toString());
        assertEquals("preference", route.path("reason").asText());
        assertEquals("ws://b", route.path("edges").get(0).path("ws").asText());
        HttpResponse<String> unknown = get(regions.b, "/v1/negotiate?near=mars");
        assertEquals(400, unknown.statusCode(), unknown.body());

        String health = get(regions.b, "/health").body();
        assertTrue(health.contains("\"meshTableVersion\":2"), health);

        // Drain and undrain: admin calls too; a drained node answers its health 503 (draining) until undrained.
        assertEquals(401, post(regions.b, "/v1/admin/undrain", null).statusCode());
        assertEquals(200, post(regions.b, "/v1/admin/drain", TwoRegions.ADMIN_TOKEN).statusCode());
        HttpResponse<String> drained = get(regions.b, "/health");
        assertEquals(503, drained.statusCode());
        assertTrue(drained.body().contains("\"draining\":true"), drained.body());
        HttpResponse<String> undrained = post(regions.b, "/v1/admin/undrain", TwoRegions.ADMIN_TOKEN);
        assertEquals(200, undrained.statusCode(), undrained.body());
        assertEquals(200, get(regions.b, "/health").statusCode(), "taking clients again");
    }

    private static HttpResponse<String> post(TwoRegions.Region region, String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(region.edge.httpUrl() + path))
                .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.build());
    }

    /**
     * A region that missed the control plane's push (here: never given it) learns the table from its peer's Hello
     * when its bridge links again, and forwards to the home the table names.
     */
    @Test
    void aTableGivenToOneRegionReachesTheOtherInTheBridgesHello() {
        pushed(regions.b, table(5, "eu-west", 2, "down"));
        assertTrue(regions.a.edge.meshTables().current().isEmpty(), "us-east was given nothing");
        regions.a.bridge.close();
        regions.restartBridge(regions.a);
        io.heliograph.edge.testing.TestNodes.await("us-east holds version 5", Duration.ofSeconds(30),
                () -> regions.a.edge.meshTables().current().map(t -> t.version() == 5).orElse(false));
        assertEquals(new io.heliograph.region.sequencing.Home("eu-west", 2),
                regions.a.edge.meshTables().current().orElseThrow().homeOf("us-east"));
    }

    /** Clients asking at once (a failover) are spread over the region's nodes: each answer starts one edge further. */
    @Test
    void negotiateSpreadsClientsOverTheRegionsEdges() {
        pushed(regions.b, ("{'version':3,'leader':{'id':'cp-test','epoch':1},'homes':{},"
                + "'regions':{'us-east':{'state':'down','edges':[{'id':'us-east-1','ws':'ws://a','http':'http://a'}]},"
                + "'eu-west':{'state':'healthy','edges':[{'id':'eu-west-1','ws':'ws://b1','http':'http://b1'},"
                + "{'id':'eu-west-2','ws':'ws://b2','http':'http://b2'},{'id':'eu-west-3','ws':'ws://b3','http':'http://b3'}]}},"
                + "'preference':{'us-east':['eu-west'],'eu-west':['us-east']}}").replace('\'', '"'));
        java.util.Map<String, Integer> firsts = new java.util.TreeMap<>();
        for (int i = 0; i < 9; i++) {
            JsonNode route = Json.parse(get(regions.b, "/v1/negotiate?near=us-east").body());
            assertEquals("eu-west", route.path("region").asText());
            assertEquals(3, route.path("edges").size(), "every edge, in a rotated order");
            firsts.merge(route.path("edges").get(0).path("id").asText(), 1, Integer::sum);
        }
        assertEquals(java.util.Map.of("eu-west-1", 3, "eu-west-2", 3, "eu-west-3", 3), firsts);
    }

    /** Invariant 1: a home that lost everything continues after what its peer holds, never at 1:1 again. */
    @Test
    void aHomeRestartedFromNothingContinuesAfterWhatItsPeerHolds() {
        try (WsProbe pubA = TwoRegions.connect(regions.a, "pub-a")) {
            for (int i = 1; i <= 3; i++) {
                assertEquals("1:" + i, publish(pubA, "a" + i, "").path("serial").asText());
            }
        }
        regions.restartFromNothing(regions.a);
        try (WsProbe pubA = TwoRegions.connect(regions.a, "pub-a2"); WsProbe subB = TwoRegions.connect(regions.b, "sub-b")) {
            subB.request("{'type':'attach','id':'s','channel':'room:1','fromSerial':'1:3'}").awaitReply("s");
            JsonNode next = publish(pubA, "after", "");
            assertEquals("1:4", next.path("serial").asText(), "after the peer's 1:3, not 1:1 again: " + next);
            assertEquals(List.of("1:4"), subB.collect("message", 1, Duration.ofSeconds(10)).stream()
                    .map(m -> m.get("serial").asText()).toList(), "eu-west takes it: no serial given twice");
        }
        // The restarted home took its history back from the peer as well.
        try (WsProbe late = TwoRegions.connect(regions.a, "late")) {
            late.request("{'type':'attach','id':'s','channel':'room:1','fromSerial':'1:1'}").awaitReply("s");
            assertEquals(List.of("1:2", "1:3", "1:4"), late.collect("message", 3, Duration.ofSeconds(10)).stream()
                    .map(m -> m.get("serial").asText()).toList());
        }
    }
}
