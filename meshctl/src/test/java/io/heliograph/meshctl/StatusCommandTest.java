package io.heliograph.meshctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StatusCommandTest {

    private final ControlPlaneStub controlPlane = ControlPlaneStub.start();

    @AfterEach
    void stop() {
        controlPlane.close();
    }

    @Test
    void statusRendersOneRowPerRegionWithNodesConnectionsHomesAndEpochs() {
        controlPlane.answer("GET", "/v1/regions", 200, sample());

        MeshctlRun run = MeshctlRun.of(Map.of(), "status", "--control-plane", controlPlane.url());

        assertEquals(0, run.exitCode(), run::toString);
        List<String> lines = run.out().lines().toList();
        assertEquals("control plane " + controlPlane.url() + ": leader cp-1, mesh table version 4", lines.get(0));
        assertEquals(List.of("REGION", "STATE", "NODES", "CONNECTIONS", "HOMES", "(EPOCH)", "FAILS", "OVER", "TO"),
                words(lines.get(2)));
        assertEquals("us-east down 0/2 0 none eu-west, ap-south", squeeze(lines.get(3)));
        assertEquals("eu-west healthy 2/2 1520 eu-west (1), us-east (2) us-east, ap-south", squeeze(lines.get(4)));
        assertEquals("ap-south degraded 1/2 800 ap-south (1) eu-west, us-east", squeeze(lines.get(5)));
        assertTrue(run.out().contains("nodes not healthy: us-east-1 (us-east), us-east-2 (us-east),"
                + " ap-south-2 (ap-south)\n"), run::toString);
    }

    @Test
    void statusRendersLinkAndCircuitStatesAndLagPerBridgeAndPeer() {
        controlPlane.answer("GET", "/v1/regions", 200, sample());

        MeshctlRun run = MeshctlRun.of(Map.of(), "status", "--control-plane", controlPlane.url());

        List<String> rows = run.out().lines().map(StatusCommandTest::squeeze).toList();
        int header = rows.indexOf("REGION BRIDGE HEALTHY ROLE PEER LINK CIRCUIT LAG MSGS LAG MS");
        assertTrue(header > 0, run::toString);
        assertEquals(List.of(
                "us-east us-east-b1 no holder - - - - -",
                "eu-west eu-west-b1 yes holder us-east connecting open 120 3400",
                "eu-west eu-west-b1 yes holder ap-south connected closed 0 41",
                "eu-west eu-west-b2 yes standby - - - - -",
                "ap-south ap-south-b1 yes holder eu-west connected closed 2 44"),
                rows.subList(header + 1, header + 6));
    }

    @Test
    void statusIsAReadAndSendsNoAdminToken() {
        controlPlane.answer("GET", "/v1/regions", 200, sample());

        MeshctlRun run = MeshctlRun.of(Map.of(MeshctlCommand.ADMIN_TOKEN_ENV, "s3cret",
                MeshctlCommand.CONTROL_PLANE_ENV, controlPlane.url()), "status");

        assertEquals(0, run.exitCode(), run::toString);
        assertEquals(1, controlPlane.requests().size());
        ControlPlaneStub.Recorded request = controlPlane.requests().getFirst();
        assertEquals("GET", request.method());
        assertEquals("/v1/regions", request.target());
        assertNull(request.header("Authorization"));
    }

    @Test
    void statusJsonPrintsTheRegionsAnswerExactlyAsItCame() {
        String body = sample();
        controlPlane.answer("GET", "/v1/regions", 200, body);

        MeshctlRun run = MeshctlRun.of(Map.of(), "--control-plane", controlPlane.url(), "status", "--json");

        assertEquals(0, run.exitCode(), run::toString);
        assertEquals(body.endsWith("\n") ? body : body + "\n", run.out());
        assertEquals("", run.err());
    }

    @Test
    void fieldsTheAnswerLacksShowAsDashesInsteadOfFailing() {
        controlPlane.answer("GET", "/v1/regions", 200, "{\"regions\":[{\"name\":\"solo\"}]}");

        MeshctlRun run = MeshctlRun.of(Map.of(), "status", "--control-plane", controlPlane.url());

        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().startsWith("control plane " + controlPlane.url() + ": leader -, mesh table version -\n"),
                run::toString);
        assertTrue(run.out().lines().anyMatch(l -> squeeze(l).equals("solo - - - - -")), run::toString);
    }

    @Test
    void anAnswerThatIsNotJsonFailsWithAnExcerpt() {
        controlPlane.answer("GET", "/v1/regions", 200, "<html>gateway</html>");

        MeshctlRun run = MeshctlRun.of(Map.of(), "status", "--control-plane", controlPlane.url());

        assertEquals(1, run.exitCode(), run::toString);
        assertTrue(run.err().contains("not JSON: <html>gateway</html>"), run::toString);
    }

    static String sample() {
        try (InputStream in = StatusCommandTest.class.getResourceAsStream("regions.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String squeeze(String line) {
        return line.strip().replaceAll("\\s{2,}", " ");
    }

    private static List<String> words(String line) {
        return Arrays.asList(line.strip().split("\\s+"));
    }
}
