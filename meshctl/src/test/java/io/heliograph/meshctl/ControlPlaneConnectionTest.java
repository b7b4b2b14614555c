package io.heliograph.meshctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.InstantSource;
import java.util.Map;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** Which control plane meshctl talks to, and how it fails when that one cannot be reached or does not answer. */
class ControlPlaneConnectionTest {

    @Test
    void anUnreachableControlPlaneExitsOneNamingTheUrlAndTheCause() throws IOException {
        String url = "http://127.0.0.1:" + freePort();

        MeshctlRun run = MeshctlRun.of(Map.of(), "status", "--control-plane", url);

        assertEquals(1, run.exitCode(), run::toString);
        assertEquals("meshctl: cannot reach the control plane at " + url + ": connection refused\n", run.err());
    }

    @Test
    void anUnreachableControlPlaneFailsAChangeTheSameWay() throws IOException {
        String url = "http://127.0.0.1:" + freePort();

        MeshctlRun run = MeshctlRun.of(Map.of(MeshctlCommand.ADMIN_TOKEN_ENV, "t"), "failover", "eu-west",
                "--control-plane", url);

        assertEquals(1, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("meshctl: cannot reach the control plane at " + url + ": "), run::toString);
    }

    @Test
    void anAnswerThatTakesLongerThanTheTimeoutFailsNamingTheWait() {
        try (ControlPlaneStub controlPlane = ControlPlaneStub.start()) {
            controlPlane.stall("GET", "/v1/regions");
            long started = System.nanoTime();

            MeshctlRun run = MeshctlRun.of(Map.of(), "status", "--timeout", "300ms", "--control-plane",
                    controlPlane.url());

            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertEquals(1, run.exitCode(), run::toString);
            assertEquals("meshctl: the control plane at " + controlPlane.url() + " did not answer GET /v1/regions"
                    + " within 300ms\n", run.err());
            assertTrue(tookMs < 5_000, "took " + tookMs + " ms");
        }
    }

    @Test
    void aChangeThatTimesOutSaysItMayStillBeCarriedOut() {
        try (ControlPlaneStub controlPlane = ControlPlaneStub.start()) {
            controlPlane.stall("POST", "/v1/failover");

            MeshctlRun run = MeshctlRun.of(Map.of(MeshctlCommand.ADMIN_TOKEN_ENV, "t"), "failover", "eu-west",
                    "--timeout", "200ms", "--control-plane", controlPlane.url());

            assertEquals(1, run.exitCode(), run::toString);
            assertEquals("meshctl: the control plane at " + controlPlane.url() + " did not answer POST /v1/failover"
                    + " within 200ms; the change may still be carried out: check meshctl events before trying"
                    + " again\n", run.err());
        }
    }

    @Test
    void aTimeoutBeforeTheCommandsNameHoldsToo() {
        try (ControlPlaneStub controlPlane = ControlPlaneStub.start()) {
            controlPlane.stall("GET", "/v1/events");

            MeshctlRun run = MeshctlRun.of(Map.of(), "--timeout", "200ms", "--control-plane", controlPlane.url(),
                    "events");

            assertEquals(1, run.exitCode(), run::toString);
            assertTrue(run.err().endsWith(" within 200ms\n"), run::toString);
        }
    }

    @Test
    void anOptionAfterTheCommandsNameWinsOverTheSameOneBeforeIt() {
        try (ControlPlaneStub controlPlane = ControlPlaneStub.start()) {
            controlPlane.answer("GET", "/v1/regions", 200, "{\"regions\":[]}");

            MeshctlRun run = MeshctlRun.of(Map.of(), "--control-plane", "http://127.0.0.1:1", "status",
                    "--control-plane", controlPlane.url());

            assertEquals(0, run.exitCode(), run::toString);
            assertEquals(1, controlPlane.requests().size());
        }
    }

    @Test
    void theEnvironmentNamesTheControlPlaneWhenTheOptionDoesNot() {
        try (ControlPlaneStub controlPlane = ControlPlaneStub.start()) {
            controlPlane.answer("GET", "/v1/regions", 200, "{\"regions\":[]}");

            MeshctlRun run = MeshctlRun.of(Map.of(MeshctlCommand.CONTROL_PLANE_ENV, controlPlane.url() + "/"),
                    "status");

            assertEquals(0, run.exitCode(), run::toString);
            assertEquals("/v1/regions", controlPlane.requests().getFirst().target());
        }
    }

    @Test
    void theOptionWinsOverTheEnvironmentAndTheDefaultIsPort7070() {
        MeshctlCommand withEnv = new MeshctlCommand(Map.of(MeshctlCommand.CONTROL_PLANE_ENV, "http://cp.example:1"),
                InstantSource.system());
        CommandLine line = new CommandLine(withEnv);
        line.parseArgs("--control-plane", "https://cp.example:9443", "status");
        assertEquals("https://cp.example:9443", withEnv.controlPlane(line, withEnv.options).base().toString());

        MeshctlCommand bare = new MeshctlCommand(Map.of(), InstantSource.system());
        CommandLine bareLine = new CommandLine(bare);
        bareLine.parseArgs("status");
        assertEquals("http://127.0.0.1:7070", bare.controlPlane(bareLine, bare.options).base().toString());
    }

    @Test
    void aControlPlaneUrlThatIsNotHttpIsAUsageError() {
        MeshctlRun run = MeshctlRun.of(Map.of(), "status", "--control-plane", "127.0.0.1:7070");

        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().contains("--control-plane: '127.0.0.1:7070' is not an http:// or https:// URL"),
                run::toString);

        MeshctlRun fromEnv = MeshctlRun.of(Map.of(MeshctlCommand.CONTROL_PLANE_ENV, "ftp://x"), "status");
        assertEquals(2, fromEnv.exitCode(), fromEnv::toString);
        assertTrue(fromEnv.err().contains("HELIOGRAPH_CONTROL_PLANE: 'ftp://x' is not an http:// or https:// URL"),
                fromEnv::toString);
    }

    /** A loopback port nothing listens on (bound and released at once). */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
