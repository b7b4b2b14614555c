package io.heliograph.launcher.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * A process of a local mesh (an edge node, a bridge replica) with what every one of them offers through its
 * {@link ManagedProcess}: its pid and log, the signals the tests send (SIGKILL, SIGSTOP, SIGCONT, SIGTERM) and the
 * waits for its exit. Subclasses add what the process is (its ports, its readiness, its health).
 */
public abstract class MeshProcess implements AutoCloseable {

    protected final ManagedProcess process;

    protected MeshProcess(ManagedProcess process) {
        this.process = process;
    }

    /** The generic handle, for what this one does not pass on (its exit as a future, waiting for other lines). */
    public ManagedProcess process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return process.log();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** See {@link ManagedProcess#kill9()}: nothing is handed over (an edge's partitions, a bridge's lease). */
    public ManagedProcess.Exit kill9() {
        return process.kill9();
    }

    /** See {@link ManagedProcess#freeze()}. */
    public void freeze() {
        process.freeze();
    }

    /** See {@link ManagedProcess#thaw()}. */
    public void thaw() {
        process.thaw();
    }

    /**
     * SIGTERM without waiting: the process shuts down gracefully (an edge node drains its clients and hands over its
     * partitions; a bridge replica releases its lease, so a standby takes over at once).
     */
    public void terminate() {
        process.terminate();
    }

    /** See {@link ManagedProcess#stop(Duration)}. */
    public ManagedProcess.Exit stop(Duration grace) {
        return process.stop(grace);
    }

    /** See {@link ManagedProcess#awaitExit(Duration)}. */
    public OptionalInt awaitExit(Duration timeout) {
        return process.awaitExit(timeout);
    }

    /** The log's last {@code lines} lines. */
    public String tail(int lines) {
        return process.tail(lines);
    }

    /** SIGKILL if it still runs. */
    @Override
    public void close() {
        process.close();
    }
}
