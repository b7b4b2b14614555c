package io.heliograph.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

class MeshUpCommandTest {

    @Test
    void theDefaultsAreThreeLinkedRegionsOfTwoNodesAndOneBridgeWithoutProxies() {
        MeshUpCommand command = new MeshUpCommand();
        new CommandLine(command).parseArgs();

        MeshPlan plan = command.plan();

        assertEquals(List.of("us-east", "eu-west", "ap-south"), plan.regions());
        assertEquals(6, plan.nodes().size());
        assertEquals(3, plan.bridges().size());
        assertEquals(List.of(), plan.wanLinks());
        assertEquals(8080, plan.nodes().getFirst().httpPort());
        assertEquals(1, plan.controlPlanes().size());
        assertEquals(10080, plan.controlPlanes().getFirst().httpPort());
    }

    @Test
    void controlPlanesAreAskedForByNumber() {
        MeshUpCommand command = new MeshUpCommand();
        new CommandLine(command).parseArgs("--control-planes", "3");
        assertEquals(3, command.plan().controlPlanes().size());
        assertUsageError("--control-planes: -1 is outside 0..50", "--control-planes", "-1");
    }

    @Test
    void aWanDelayPutsAProxyOnEveryLink() {
        MeshUpCommand command = new MeshUpCommand();
        new CommandLine(command).parseArgs("--regions", "a,b", "--nodes", "1", "--bridges", "2",
                "--wan-delay-ms", "30");

        MeshPlan plan = command.plan();

        assertEquals(4, plan.wanLinks().size());
        assertEquals(30, plan.wanDelayMs());
    }

    @Test
    void badOptionsExitWithTheUsageCodeAndNameTheOption() {
        assertUsageError("--bridges: 7 is outside 0..4", "--bridges", "7");
        assertUsageError("--wan-delay-ms: -5 is negative", "--wan-delay-ms", "-5");
        assertUsageError("--wan-delay-ms: WAN links need two or more regions", "--regions", "solo",
                "--wan-delay-ms", "20");
        assertUsageError("--nodes", "--nodes", "many");
    }

    private static void assertUsageError(String expected, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CommandLine line = new CommandLine(new MeshUpCommand());
            line.setErr(new PrintWriter(System.err, true));
            code = line.execute(args);
        } finally {
            System.setErr(original);
        }
        String printed = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, printed);
        assertTrue(printed.contains(expected), printed);
    }
}
