package io.heliograph.meshctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Usage errors exit 2 with the reason and the usage on standard error; help and version exit 0. */
class UsageTest {

    @Test
    void anUnknownCommandExitsTwoWithTheUsageOnStandardError() {
        MeshctlRun run = MeshctlRun.of(Map.of(), "statsu");

        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("meshctl: Unmatched argument at index 0: 'statsu'\n"), run::toString);
        assertTrue(run.err().contains("Did you mean: meshctl status"), run::toString);
        assertTrue(run.err().contains("Usage: meshctl "), run::toString);
        assertTrue(run.err().contains("Exit codes: 0 ok; 1 refused or failed; 2 usage error."), run::toString);
        assertEquals("", run.out());
    }

    @Test
    void noCommandAtAllIsAUsageError() {
        MeshctlRun run = MeshctlRun.of(Map.of());

        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("meshctl: missing command"), run::toString);
        assertTrue(run.err().contains("Usage: meshctl "), run::toString);
    }

    @Test
    void anUnknownOptionShowsTheSubcommandsUsage() {
        MeshctlRun run = MeshctlRun.of(Map.of(), "status", "--bogus");

        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("meshctl status: Unknown option: '--bogus'"), run::toString);
        assertTrue(run.err().contains("Usage: meshctl status "), run::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"failover", "restore", "drain-node", "route --near", "events --since", "token"})
    void aMissingArgumentIsAUsageError(String args) {
        MeshctlRun run = MeshctlRun.of(Map.of(MeshctlCommand.ADMIN_TOKEN_ENV, "t"), args.split(" "));

        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().contains("Missing required"), run::toString);
        assertTrue(run.err().contains("Usage: meshctl " + args.split(" ")[0]), run::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"status", "route", "failover", "restore", "drain-node", "events"})
    void everyCommandHasHelpWithTheControlPlaneOptions(String command) {
        MeshctlRun run = MeshctlRun.of(Map.of(), command, "--help");

        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().startsWith("Usage: meshctl " + command), run::toString);
        assertTrue(run.out().contains("--control-plane=URL"), run::toString);
        assertTrue(run.out().contains("--timeout=DURATION"), run::toString);
    }

    @Test
    void tokenHasHelpWithoutTheControlPlaneOptionsItDoesNotUse() {
        MeshctlRun run = MeshctlRun.of(Map.of(), "token", "--help");

        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().startsWith("Usage: meshctl token"), run::toString);
        assertTrue(run.out().contains("--caps=JSON"), run::toString);
        assertTrue(!run.out().contains("--control-plane"), run::toString);
    }

    @Test
    void helpAndVersionExitZero() {
        MeshctlRun help = MeshctlRun.of(Map.of(), "--help");
        assertEquals(0, help.exitCode(), help::toString);
        for (String command : new String[] {"status", "route", "failover", "restore", "drain-node", "events",
                "token"}) {
            assertTrue(help.out().contains("\n  " + command + " "), command + "\n" + help.out());
        }

        MeshctlRun version = MeshctlRun.of(Map.of(), "--version");
        assertEquals(0, version.exitCode(), version::toString);
        assertTrue(version.out().matches("meshctl \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n"), version::toString);
    }
}
