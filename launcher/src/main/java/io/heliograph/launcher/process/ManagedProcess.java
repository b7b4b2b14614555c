package io.heliograph.launcher.process;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One child process a fixture started, with its standard output and error in one log file: waits for a line in
 * that log, kills it with SIGKILL, freezes and thaws it (SIGSTOP, SIGCONT), stops it gracefully (SIGTERM, then
 * SIGKILL after a bounded wait) and reads the log's last lines for post-mortems. Every signal goes to this process's
 * own PID, never to a group or a name, and every wait is bounded. Failures are {@link IllegalStateException}s whose
 * message names the process and ends with the log's last {@value #TAIL_LINES} lines.
 */
public final class ManagedProcess implements AutoCloseable {

    /** How many log lines a failure message carries. */
    public static final int TAIL_LINES = 30;
    /** How long a signal may take: the {@code kill} command, a stop taking effect, an exit after SIGKILL. */
    private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(10);
    private static final long POLL_MS = 50;
    /** The tail is read from at most this many bytes at the end of the log. */
    private static final int TAIL_WINDOW_BYTES = 256 * 1024;

    /** How a process ended: its exit code ({@code 128 + n} when signal {@code n} ended it) and whether we killed it. */
    public record Exit(int code, boolean killed) {
    }

    private final String name;
    private final List<String> command;
    private final Path log;
    private final Process process;
    private volatile boolean frozen;

    private ManagedProcess(String name, List<String> command, Path log, Process process) {
        this.name = name;
        this.command = command;
        this.log = log;
        this.process = process;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** What failure messages call this process (a node id, say). */
    public String name() {
        return name;
    }

    public List<String> command() {
        return command;
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Completes with the exit code when the process ends, for whatever reason. */
    public CompletableFuture<Integer> onExit() {
        return process.onExit().thenApply(Process::exitValue);
    }

    /**
     * Waits until the log holds a line in which {@code pattern} is found (anchor it with {@code ^...$} to match
     * whole lines) and answers the match. Fails at once when the process exits without having printed one, and
     * after {@code timeout} when it still runs; both messages carry the log's tail.
     */
    public MatchResult awaitLine(Pattern pattern, Duration timeout) {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        LogScanner scanner = new LogScanner(log);
        while (true) {
            // Whether it had exited is read before the log, so a line written just before the exit is still seen.
            boolean exited = !process.isAlive();
            Optional<MatchResult> found = scanner.find(pattern, exited);
            if (found.isPresent()) {
                return found.get();
            }
            if (exited) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue()
                        + " before printing a line matching /" + pattern + "/" + postMortem());
            }
            long leftNs = deadlineNs - System.nanoTime();
            if (leftNs <= 0) {
                throw new IllegalStateException(name + " printed no line matching /" + pattern + "/ within "
                        + describe(timeout) + " (pid " + pid() + ", still running)" + postMortem());
            }
            waitForExit(Math.min(leftNs, TimeUnit.MILLISECONDS.toNanos(POLL_MS)));
        }
    }

    /** Waits (bounded) for the process to end by itself; its exit code, or empty while it still runs. */
    public OptionalInt awaitExit(Duration timeout) {
        return waitForExit(timeout.toNanos()) ? OptionalInt.of(process.exitValue()) : OptionalInt.empty();
    }

    /**
     * SIGKILL: no shutdown hook, no goodbye. Waits (bounded) for the exit; {@code killed} is false when it had
     * already ended.
     */
    public Exit kill9() {
        boolean wasAlive = process.isAlive();
        // destroyForcibly sends SIGKILL to this PID only, and not at all once the JDK has reaped the process, so a
        // PID the kernel has since handed to another process is never hit.
        process.destroyForcibly();
        if (!waitForExit(SIGNAL_TIMEOUT.toNanos())) {
            throw new IllegalStateException(name + " (pid " + pid() + ") still runs " + describe(SIGNAL_TIMEOUT)
                    + " after SIGKILL");
        }
        frozen = false;
        return new Exit(process.exitValue(), wasAlive);
    }

    /**
     * SIGSTOP: the process stays, frozen, holding its sockets open but answering nothing. Returns once the kernel
     * reports it stopped (where {@code /proc} says so), so that the caller's next step runs against a frozen process.
     */
    public void freeze() {
        signal("STOP");
        frozen = true;
        awaitState(true, "stopped after SIGSTOP");
    }

    /** SIGCONT: a frozen process goes on where it stopped. Returns once the kernel reports it running again. */
    public void thaw() {
        signal("CONT");
        frozen = false;
        awaitState(false, "running after SIGCONT");
    }

    /**
     * SIGTERM, without waiting; a frozen process is thawed too, or it would never handle the signal. See
     * {@link #stop(Duration)} for the bounded version.
     */
    public void terminate() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (frozen) {
            thaw();
        }
    }

    /**
     * Graceful stop: SIGTERM, then SIGKILL if the process has not ended within {@code grace}. Answers how it ended;
     * {@code killed} says whether SIGKILL was needed.
     */
    public Exit stop(Duration grace) {
        if (!process.isAlive()) {
            return new Exit(process.exitValue(), false);
        }
        terminate();
        OptionalInt code = awaitExit(grace);
        if (code.isPresent()) {
            return new Exit(code.getAsInt(), false);
        }
        return kill9();
    }

    /** The log's last {@code lines} lines (fewer when it has fewer), joined by newlines. */
    public String tail(int lines) {
        return tail(log, lines);
    }

    /** SIGKILL if it still runs: a fixture's last resort, safe after any failure and to call twice. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill9();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ", log " + log + ")";
    }

    /** The log's last {@code lines} lines, read from its end only, so a large log costs no more than a small one. */
    public static String tail(Path file, int lines) {
        byte[] bytes;
        boolean fromStart;
        try (SeekableByteChannel channel = Files.newByteChannel(file)) {
            long size = channel.size();
            long start = Math.max(0, size - TAIL_WINDOW_BYTES);
            fromStart = start == 0;
            ByteBuffer buffer = ByteBuffer.allocate((int) (size - start));
            channel.position(start);
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // read to the end of the window
            }
            bytes = Arrays.copyOf(buffer.array(), buffer.position());
        } catch (IOException e) {
            return "(no log at " + file + ": " + e + ")";
        }
        List<String> all = new ArrayList<>(new String(bytes, StandardCharsets.UTF_8).lines().toList());
        if (!fromStart && !all.isEmpty()) {
            all.removeFirst(); // cut in the middle by the window
        }
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private String postMortem() {
        return "; last " + TAIL_LINES + " lines of " + log + ":\n" + tail(TAIL_LINES);
    }

    private void signal(String signal) {
        if (!process.isAlive()) {
            throw new IllegalStateException("cannot send SIG" + signal + " to " + name + ": it exited with code "
                    + process.exitValue());
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(SIGNAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -" + signal + " " + pid() + " did not return within "
                        + describe(SIGNAL_TIMEOUT));
            }
            if (kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid() + " failed (" + kill.exitValue()
                        + "): " + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill -" + signal + " " + pid(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + signal + " to " + name, e);
        }
    }

    /** Waits until {@code /proc} reports the process stopped (or not); does nothing where there is no {@code /proc}. */
    private void awaitState(boolean stopped, String what) {
        if (processState().isEmpty()) {
            return;
        }
        awaitCondition(() -> !process.isAlive() || processState().map(s -> isStopped(s) == stopped).orElse(true),
                name + " " + what);
    }

    private static boolean isStopped(char state) {
        return state == 'T' || state == 't';
    }

    /** The state letter of {@code /proc/<pid>/stat} (R, S, T, ...), which follows the parenthesised command name. */
    private Optional<Character> processState() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
            int end = stat.lastIndexOf(')');
            return end >= 0 && end + 2 < stat.length() ? Optional.of(stat.charAt(end + 2)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private void awaitCondition(BooleanSupplier condition, String what) {
        long deadlineNs = System.nanoTime() + SIGNAL_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() >= deadlineNs) {
                throw new IllegalStateException(what + ": not within " + describe(SIGNAL_TIMEOUT));
            }
            waitForExit(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** Waits up to {@code nanos} for the exit; returns early when it comes. Whether the process has ended. */
    private boolean waitForExit(long nanos) {
        try {
            return process.waitFor(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /**
     * Reads a growing log from where it last stopped, so polling a long log for a line costs only its new bytes.
     * Lines are split on bytes and decoded whole, so a character cut between two reads is not garbled.
     */
    private static final class LogScanner {
        private final Path file;
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private long position;

        LogScanner(Path file) {
            this.file = file;
        }

        /**
         * The first match in the lines added since the last call; {@code ended} also counts an unterminated last
         * line. Bytes after a match are not kept: a scanner serves one wait.
         */
        Optional<MatchResult> find(Pattern pattern, boolean ended) {
            try (SeekableByteChannel channel = Files.newByteChannel(file)) {
                channel.position(position);
                ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
                int n;
                while ((n = channel.read(buffer)) > 0) {
                    position += n;
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        byte b = buffer.get();
                        if (b == '\n') {
                            Optional<MatchResult> match = match(pattern);
                            if (match.isPresent()) {
                                return match;
                            }
                        } else {
                            partial.write(b);
                        }
                    }
                    buffer.clear();
                }
            } catch (IOException e) {
                // Not there yet: the caller polls again.
                return Optional.empty();
            }
            return ended ? match(pattern) : Optional.empty();
        }

        private Optional<MatchResult> match(Pattern pattern) {
            String line = partial.toString(StandardCharsets.UTF_8);
            partial.reset();
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            Matcher m = pattern.matcher(line);
            return m.find() ? Optional.of(m.toMatchResult()) : Optional.empty();
        }
    }

    /** What to start and where its output goes. */
    public static final class Builder {
        private final String name;
        private List<String> command;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path log;

        private Builder(String name) {
            this.name = name;
        }

        public Builder command(List<String> command) {
            this.command = List.copyOf(command);
            return this;
        }

        public Builder command(JavaCommand command) {
            return command(command.toList());
        }

        /** A variable added to the inherited environment (secrets go here, not on the command line ps shows). */
        public Builder environment(String key, String value) {
            environment.put(key, value);
            return this;
        }

        /** The file standard output and error go to; replaced if it exists, its directory made if missing. */
        public Builder log(Path log) {
            this.log = log;
            return this;
        }

        public ManagedProcess start() {
            if (command == null || command.isEmpty() || log == null) {
                throw new IllegalArgumentException(name + ": a command and a log file are needed");
            }
            try {
                Path dir = log.toAbsolutePath().getParent();
                if (dir != null) {
                    Files.createDirectories(dir);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the log directory of " + log, e);
            }
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().putAll(environment);
            try {
                return new ManagedProcess(name, command, log, pb.start());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + name + " (" + command.getFirst() + ")", e);
            }
        }
    }
}
