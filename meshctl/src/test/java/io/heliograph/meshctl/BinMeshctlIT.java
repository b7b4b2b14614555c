package io.heliograph.meshctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The packaged meshctl as an operator runs it: {@code bin/meshctl} and {@code ./mesh ctl} as real processes (after
 * {@code package}, so the scripts find the jar and do not build), and the completion script sourced by a real bash.
 */
class BinMeshctlIT {

    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    private record Exit(int code, String out, String err) {
    }

    private static Exit run(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("meshctl-out", ".txt");
        Path err = Files.createTempFile("meshctl-err", ".txt");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            builder.environment().remove(MeshctlCommand.CONTROL_PLANE_ENV);
            builder.environment().remove(MeshctlCommand.ADMIN_TOKEN_ENV);
            Process process = builder.start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not end within 120 s");
            }
            return new Exit(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void binMeshctlHelpListsTheCommandsAndExitsZero() throws Exception {
        Exit exit = run(List.of("bin/meshctl", "--help"));

        assertEquals(0, exit.code(), exit::toString);
        assertTrue(exit.out().startsWith("Usage: meshctl "), exit::toString);
        assertTrue(exit.out().contains("drain-node"), exit::toString);
        assertTrue(!exit.err().contains("building"), "the script rebuilt a fresh package: " + exit.err());
    }

    @Test
    void binMeshctlWithAnUnknownCommandExitsTwoWithTheUsage() throws Exception {
        Exit exit = run(List.of("bin/meshctl", "bogus"));

        assertEquals(2, exit.code(), exit::toString);
        assertTrue(exit.err().contains("Unmatched argument at index 0: 'bogus'"), exit::toString);
        assertTrue(exit.err().contains("Usage: meshctl "), exit::toString);
    }

    @Test
    void meshCtlDelegatesToMeshctlWithItsExitCode() throws Exception {
        Exit version = run(List.of("./mesh", "ctl", "--version"));
        assertEquals(0, version.code(), version::toString);
        assertTrue(version.out().startsWith("meshctl "), version::toString);

        Exit refused = run(List.of("./mesh", "ctl", "restore", "eu-west"));
        assertEquals(1, refused.code(), refused::toString);
        assertEquals("meshctl: no admin token: pass --admin-token or set HELIOGRAPH_ADMIN_TOKEN\n", refused.err());
    }

    @Test
    void theGeneratedCompletionScriptCompletesCommandsInBash() throws Exception {
        Path script = ROOT.resolve("meshctl/target/meshctl_completion");
        assertTrue(Files.isRegularFile(script), script + " was not generated");

        Exit exit = run(List.of("bash", "-c", "source " + script + " && COMP_WORDS=(meshctl fa) && COMP_CWORD=1"
                + " && _complete_meshctl 2>/dev/null; echo \"${COMPREPLY[*]}\""));

        assertEquals(0, exit.code(), exit::toString);
        assertEquals("failover\n", exit.out());
    }
}
