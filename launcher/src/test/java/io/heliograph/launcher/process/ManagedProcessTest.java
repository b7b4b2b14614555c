package io.heliograph.launcher.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generic process handle against real child processes ({@link ChildMain}, started with this JVM's java). Every
 * wait is bounded; the only fixed window is the one that shows a frozen process printing nothing.
 */
class ManagedProcessTest {

    private static final Duration START = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<ManagedProcess> started = new ArrayList<>();

    @AfterEach
    void killEverythingStarted() {
        started.forEach(ManagedProcess::close);
    }

    private ManagedProcess child(String... steps) {
        String classpath;
        try {
            classpath = Path.of(ChildMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
        JavaCommand command = new JavaCommand(List.of(), JavaCommand.currentJava(),
                List.of("-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), classpath,
                ChildMain.class.getName(), List.of(steps));
        ManagedProcess p = ManagedProcess.builder("child-" + started.size()).command(command)
                .log(dir.resolve("logs/child-" + started.size() + ".log")).start();
        started.add(p);
        return p;
    }

    @Test
    void awaitLineAnswersTheFirstMatchingLine() {
        ManagedProcess p = child("say:warming up", "say:hello 42", "say:hello 43", "wait");

        assertEquals("42", p.awaitLine(Pattern.compile("^hello (\\d+)$"), START).group(1));
    }

    @Test
    void awaitLineTimesOutWithTheLogTailWhenTheLineNeverComes() {
        ManagedProcess p = child("say:only this", "wait");
        p.awaitLine(Pattern.compile("only this"), START);

        long startNs = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> p.awaitLine(Pattern.compile("never"), Duration.ofMillis(500)));
        long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;

        assertTrue(elapsedMs >= 500 && elapsedMs < 10_000, "waited " + elapsedMs + " ms");
        assertTrue(e.getMessage().contains("no line matching /never/ within 500 ms"), e.getMessage());
        assertTrue(e.getMessage().contains("still running"), e.getMessage());
        assertTrue(e.getMessage().endsWith("\nonly this"), "the log's tail ends the message: " + e.getMessage());
        assertTrue(p.isAlive());
    }

    @Test
    void awaitLineFailsAtOnceWhenTheProcessExitsWithoutTheLine() {
        ManagedProcess p = child("say:giving up", "exit:3");

        long startNs = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> p.awaitLine(Pattern.compile("never"), Duration.ofSeconds(120)));

        assertTrue(System.nanoTime() - startNs < Duration.ofSeconds(60).toNanos(), "did not wait for the timeout");
        assertTrue(e.getMessage().contains("exited with code 3"), e.getMessage());
        assertTrue(e.getMessage().endsWith("\ngiving up"), e.getMessage());
    }

    @Test
    void awaitLineSeesALineWrittenJustBeforeTheExit() {
        ManagedProcess p = child("say:last words", "exit:0");
        assertEquals(OptionalInt.of(0), p.awaitExit(START));

        assertEquals("last words", p.awaitLine(Pattern.compile("^last words$"), Duration.ZERO).group());
    }

    @Test
    void kill9EndsTheProcessAndReportsItsExitStatus() {
        ManagedProcess p = child("ignore-term", "tick:20");
        p.awaitLine(Pattern.compile("^tick 1$"), START);

        ManagedProcess.Exit exit = p.kill9();

        assertFalse(p.isAlive());
        assertEquals(128 + 9, exit.code(), "ended by signal 9");
        assertTrue(exit.killed());
        assertFalse(p.tail(5).contains("term received"), "SIGKILL runs no shutdown hook: " + p.tail(5));
        assertEquals(new ManagedProcess.Exit(137, false), p.kill9(), "a second kill finds it gone");
    }

    @Test
    void aFrozenProcessPrintsNothingUntilThawed() {
        ManagedProcess p = child("tick:20");
        p.awaitLine(Pattern.compile("^tick 5$"), START);

        p.freeze();
        assertEquals('T', procState(p), "stopped once freeze returns");
        String lastBefore = p.tail(1);
        // Absence can only be shown over a window: 25 ticks' worth of time, during which it must also stay alive.
        assertEquals(OptionalInt.empty(), p.awaitExit(Duration.ofMillis(500)));
        assertEquals(lastBefore, p.tail(1), "no output while frozen");

        p.thaw();
        long next = Long.parseLong(lastBefore.substring("tick ".length())) + 3;
        p.awaitLine(Pattern.compile("^tick " + next + "$"), Duration.ofSeconds(10));
        assertTrue(p.isAlive());
    }

    @Test
    void stopEscalatesToSigkillWhenSigtermIsIgnored() {
        ManagedProcess p = child("ignore-term", "say:ready", "wait");
        p.awaitLine(Pattern.compile("^ready$"), START);

        long startNs = System.nanoTime();
        ManagedProcess.Exit exit = p.stop(Duration.ofMillis(1000));
        long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;

        assertTrue(exit.killed(), "needed SIGKILL");
        assertEquals(137, exit.code());
        assertTrue(elapsedMs >= 1000 && elapsedMs < 15_000, "waited the grace first: " + elapsedMs + " ms");
        assertTrue(p.tail(5).contains("term received"), "SIGTERM came first: " + p.tail(5));
    }

    @Test
    void stopEndsACooperativeProcessWithSigtermAlone() {
        ManagedProcess p = child("on-term:stopping cleanly", "say:ready", "wait");
        p.awaitLine(Pattern.compile("^ready$"), START);

        ManagedProcess.Exit exit = p.stop(Duration.ofSeconds(20));

        assertEquals(new ManagedProcess.Exit(128 + 15, false), exit);
        assertEquals("stopping cleanly", p.tail(1));
    }

    @Test
    void stopThawsAFrozenProcessSoThatItHandlesSigterm() {
        ManagedProcess p = child("on-term:stopping cleanly", "say:ready", "wait");
        p.awaitLine(Pattern.compile("^ready$"), START);
        p.freeze();

        ManagedProcess.Exit exit = p.stop(Duration.ofSeconds(20));

        assertFalse(exit.killed(), "SIGTERM alone was enough: " + p.tail(5));
        assertEquals("stopping cleanly", p.tail(1));
    }

    @Test
    void tailReturnsTheLastLines() {
        ManagedProcess p = child("lines:50");
        assertEquals(OptionalInt.of(0), p.awaitExit(START));

        assertEquals("line 48\nline 49\nline 50", p.tail(3));
        assertEquals(50, p.tail(100).lines().count());
    }

    @Test
    void tailOfALogLargerThanItsWindowReadsOnlyWholeLastLines() throws IOException {
        Path log = dir.resolve("large.log");
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 40_000; i++) {
            text.append("line number ").append(i).append('\n');
        }
        Files.writeString(log, text);

        assertEquals("line number 39999\nline number 40000", ManagedProcess.tail(log, 2));
        assertTrue(ManagedProcess.tail(log, 100_000).startsWith("line number "), "the first line is whole");
    }

    @Test
    void signalsToAnExitedProcessAreRefused() {
        ManagedProcess p = child("exit:0");
        assertEquals(OptionalInt.of(0), p.awaitExit(START));

        IllegalStateException e = assertThrows(IllegalStateException.class, p::freeze);
        assertTrue(e.getMessage().contains("exited with code 0"), e.getMessage());
    }

    /** The state letter in {@code /proc/<pid>/stat}, read here independently of the handle. */
    private static char procState(ManagedProcess p) {
        try {
            String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
