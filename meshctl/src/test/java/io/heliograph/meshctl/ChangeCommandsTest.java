package io.heliograph.meshctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

/** failover, restore and drain-node: what they send, and how a refusal or a missing token ends. */
class ChangeCommandsTest {

    private static final String EVENT = "{\"event\":{\"seq\":7,\"at\":\"2026-12-02T07:00:00Z\",\"who\":\"admin\","
            + "\"what\":\"failover\",\"region\":\"eu-west\",\"to\":\"us-east\",\"reason\":\"manual\","
            + "\"epochsBefore\":{\"eu-west\":1,\"us-east\":1},\"epochsAfter\":{\"eu-west\":2,\"us-east\":1},"
            + "\"tableVersion\":5}}";

    private final ControlPlaneStub controlPlane = ControlPlaneStub.start();

    @AfterEach
    void stop() {
        controlPlane.close();
    }

    private Map<String, String> env(String adminToken) {
        return adminToken == null ? Map.of(MeshctlCommand.CONTROL_PLANE_ENV, controlPlane.url())
                : Map.of(MeshctlCommand.CONTROL_PLANE_ENV, controlPlane.url(), MeshctlCommand.ADMIN_TOKEN_ENV,
                        adminToken);
    }

    @Test
    void failoverPostsTheRegionAndTargetWithTheAdminTokenAsABearerToken() throws Exception {
        controlPlane.answer("POST", "/v1/failover", 200, EVENT);

        MeshctlRun run = MeshctlRun.of(env("s3cret-admin"), "failover", "eu-west", "--to", "us-east");

        assertEquals(0, run.exitCode(), run::toString);
        ControlPlaneStub.Recorded request = controlPlane.requests().getFirst();
        assertEquals("POST", request.method());
        assertEquals("/v1/failover", request.target());
        assertEquals("Bearer s3cret-admin", request.header("Authorization"));
        assertTrue(request.header("Content-Type").startsWith("application/json"), request::toString);
        assertEquals(ControlPlaneClient.JSON.readTree("{\"region\":\"eu-west\",\"to\":\"us-east\"}"),
                ControlPlaneClient.JSON.readTree(request.body()));
        assertEquals("event 7: failover eu-west -> us-east by admin (manual); epochs eu-west 1->2;"
                + " mesh table version 5\n", run.out());
    }

    @Test
    void failoverWithoutToLeavesTheTargetToTheControlPlane() throws Exception {
        controlPlane.answer("POST", "/v1/failover", 200, EVENT);

        MeshctlRun run = MeshctlRun.of(env("s3cret-admin"), "failover", "eu-west");

        assertEquals(0, run.exitCode(), run::toString);
        JsonNode body = ControlPlaneClient.JSON.readTree(controlPlane.requests().getFirst().body());
        assertEquals(ControlPlaneClient.JSON.readTree("{\"region\":\"eu-west\"}"), body);
    }

    @Test
    void theAdminTokenOptionWinsOverTheEnvironment() {
        controlPlane.answer("POST", "/v1/failover", 200, EVENT);

        MeshctlRun run = MeshctlRun.of(env("from-env"), "--admin-token", "from-option", "failover", "eu-west");

        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("Bearer from-option", controlPlane.requests().getFirst().header("Authorization"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "restore eu-west      | /v1/restore    | {\"region\":\"eu-west\"}",
            "drain-node us-east-1 | /v1/drain-node | {\"node\":\"us-east-1\"}"})
    void restoreAndDrainNodePostTheirBodies(String args, String path, String body) throws Exception {
        controlPlane.answer("POST", path, 200, "{\"event\":{\"seq\":8,\"what\":\"x\"}}");

        MeshctlRun run = MeshctlRun.of(env("s3cret-admin"), args.split(" "));

        assertEquals(0, run.exitCode(), run::toString);
        ControlPlaneStub.Recorded request = controlPlane.requests().getFirst();
        assertEquals(path, request.target());
        assertEquals("Bearer s3cret-admin", request.header("Authorization"));
        assertEquals(ControlPlaneClient.JSON.readTree(body), ControlPlaneClient.JSON.readTree(request.body()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"failover eu-west", "failover eu-west --to us-east", "restore eu-west",
            "drain-node us-east-1"})
    void withoutAnAdminTokenAChangeExitsOneAndSendsNothing(String args) {
        MeshctlRun run = MeshctlRun.of(env(null), args.split(" "));

        assertEquals(1, run.exitCode(), run::toString);
        assertEquals("meshctl: no admin token: pass --admin-token or set HELIOGRAPH_ADMIN_TOKEN\n", run.err());
        assertEquals("", run.out());
        assertEquals(List.of(), controlPlane.requests());
    }

    @Test
    void aBlankAdminTokenCountsAsNone() {
        MeshctlRun run = MeshctlRun.of(env("  "), "restore", "eu-west");

        assertEquals(1, run.exitCode(), run::toString);
        assertEquals(List.of(), controlPlane.requests());
    }

    @Test
    void aRefusalExitsOneWithTheServersCodeAndMessage() {
        controlPlane.answer("POST", "/v1/failover", 403, "{\"code\":\"forbidden\",\"message\":\"wrong admin token\"}");

        MeshctlRun run = MeshctlRun.of(env("wrong"), "failover", "eu-west");

        assertEquals(1, run.exitCode(), run::toString);
        assertEquals("meshctl: refused (HTTP 403): forbidden: wrong admin token\n", run.err());
        assertEquals("", run.out());
    }

    @Test
    void notLeaderNamesTheLeader() {
        controlPlane.answer("POST", "/v1/restore", 503,
                "{\"code\":\"not_leader\",\"message\":\"no leader\",\"leader\":\"http://127.0.0.1:7071\"}");

        MeshctlRun run = MeshctlRun.of(env("s3cret-admin"), "restore", "eu-west");

        assertEquals(1, run.exitCode(), run::toString);
        assertEquals("meshctl: refused (HTTP 503): not_leader: no leader (leader: http://127.0.0.1:7071)\n",
                run.err());
    }

    @Test
    void aRefusalWithoutTheErrorShapeShowsTheStatusAndTheBody() {
        controlPlane.answer("POST", "/v1/drain-node", 502, "Bad Gateway");

        MeshctlRun run = MeshctlRun.of(env("s3cret-admin"), "drain-node", "n1");

        assertEquals(1, run.exitCode(), run::toString);
        assertEquals("meshctl: refused (HTTP 502): Bad Gateway\n", run.err());
    }

    @Test
    void jsonPrintsTheChangesAnswerAsItCame() {
        controlPlane.answer("POST", "/v1/failover", 200, EVENT);

        MeshctlRun run = MeshctlRun.of(env("s3cret-admin"), "failover", "eu-west", "--json");

        assertEquals(EVENT + "\n", run.out());
    }
}
