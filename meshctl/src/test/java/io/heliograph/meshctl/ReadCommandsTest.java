package io.heliograph.meshctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** route and events: the query they send and what they print. */
class ReadCommandsTest {

    private final ControlPlaneStub controlPlane = ControlPlaneStub.start();

    @AfterEach
    void stop() {
        controlPlane.close();
    }

    @Test
    void routeAsksForTheRegionNearTheClientAndListsItsEdges() {
        controlPlane.answer("GET", "/v1/route", 200, "{\"region\":\"eu-west\",\"reason\":\"preference\","
                + "\"edges\":[{\"id\":\"eu-west-1\",\"ws\":\"ws://127.0.0.1:8582/v1/ws\",\"http\":\"http://127.0.0.1:8082\"}],"
                + "\"tableVersion\":4}");

        MeshctlRun run = MeshctlRun.of(Map.of(), "route", "--near", "us-east", "--control-plane", controlPlane.url());

        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("/v1/route?near=us-east", controlPlane.requests().getFirst().target());
        assertEquals("eu-west (preference), mesh table version 4\n"
                + "EDGE       WS                         HTTP\n"
                + "eu-west-1  ws://127.0.0.1:8582/v1/ws  http://127.0.0.1:8082\n", run.out());
    }

    @Test
    void routeWithoutNearLeavesTheChoiceToTheControlPlane() {
        controlPlane.answer("GET", "/v1/route", 200, "{\"region\":\"us-east\",\"reason\":\"default\",\"edges\":[]}");

        MeshctlRun run = MeshctlRun.of(Map.of(), "route", "--control-plane", controlPlane.url());

        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("/v1/route", controlPlane.requests().getFirst().target());
    }

    @Test
    void anUnknownRegionIsTheServersRefusal() {
        controlPlane.answer("GET", "/v1/route", 400, "{\"code\":\"unknown_region\",\"message\":\"no region 'mars'\"}");

        MeshctlRun run = MeshctlRun.of(Map.of(), "route", "--near", "mars", "--control-plane", controlPlane.url());

        assertEquals(1, run.exitCode(), run::toString);
        assertEquals("meshctl: refused (HTTP 400): unknown_region: no region 'mars'\n", run.err());
    }

    @Test
    void eventsSinceAsksForTheLaterEventsAndShowsEpochChanges() {
        controlPlane.answer("GET", "/v1/events", 200, "{\"events\":[{\"seq\":4,\"at\":\"2026-12-02T07:00:00Z\","
                + "\"who\":\"auto\",\"what\":\"failover\",\"region\":\"us-east\",\"to\":\"eu-west\","
                + "\"reason\":\"down\",\"epochsBefore\":{\"us-east\":1},\"epochsAfter\":{\"us-east\":2},"
                + "\"tableVersion\":3}]}");

        MeshctlRun run = MeshctlRun.of(Map.of(), "events", "--since", "3", "--control-plane", controlPlane.url());

        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("/v1/events?since=3", controlPlane.requests().getFirst().target());
        assertEquals("4 2026-12-02T07:00:00Z auto failover us-east eu-west us-east 1->2 3 down",
                StatusCommandTest.squeeze(run.out().lines().toList().get(1)));
    }

    @Test
    void eventsWithoutSinceSendsNoSince() {
        controlPlane.answer("GET", "/v1/events", 200, "{\"events\":[]}");

        MeshctlRun run = MeshctlRun.of(Map.of(), "events", "--control-plane", controlPlane.url());

        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("/v1/events", controlPlane.requests().getFirst().target());
        assertEquals("no events\n", run.out());
    }

    @Test
    void aNegativeSinceIsAUsageError() {
        MeshctlRun run = MeshctlRun.of(Map.of(), "events", "--since", "-1", "--control-plane", controlPlane.url());

        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().contains("--since: -1 is negative"), run::toString);
        assertEquals(0, controlPlane.requests().size());
    }
}
