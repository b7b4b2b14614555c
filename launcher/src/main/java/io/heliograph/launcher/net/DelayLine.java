package io.heliograph.launcher.net;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One direction of a proxied connection: a FIFO of chunks, each stamped with the instant it was read, released no
 * sooner than {@code delayNs} after that, in order. It holds at most {@code maxBytes} (plus one chunk when empty, so
 * any chunk fits): a reader that finds it full waits, stops reading its socket, and TCP's own flow control pushes
 * back on the sender. Both sides block on one condition with a deadline, never spin.
 *
 * <p>Time is {@link System#nanoTime()}: the line delays real sockets, so an injected clock could not make it faster.
 */
final class DelayLine {

    /** A chunk of bytes and when it may go out; {@link #END} stands for the end of the stream (a FIN). */
    record Chunk(byte[] data, long dueNs) {
        boolean isEnd() {
            return data == null;
        }
    }

    private static final Chunk END = new Chunk(null, 0);

    private final long delayNs;
    private final long maxBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
    private long bytes;
    private boolean closed;

    DelayLine(long delayNs, long maxBytes) {
        if (delayNs < 0 || maxBytes < 1) {
            throw new IllegalArgumentException("delay must be >= 0 and the buffer > 0, got " + delayNs + " ns, "
                    + maxBytes + " bytes");
        }
        this.delayNs = delayNs;
        this.maxBytes = maxBytes;
    }

    /**
     * Adds a chunk read at {@code readAtNs}, waiting while the line is full. False once the line is closed: the
     * connection is gone and the chunk is dropped with it.
     */
    boolean put(byte[] data, long readAtNs) throws InterruptedException {
        lock.lock();
        try {
            while (!closed && bytes > 0 && bytes + data.length > maxBytes) {
                changed.await();
            }
            if (closed) {
                return false;
            }
            chunks.addLast(new Chunk(data, readAtNs + delayNs));
            bytes += data.length;
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Marks the end of the stream, delivered after everything before it, itself delayed like a byte. */
    void putEnd(long readAtNs) {
        lock.lock();
        try {
            if (!closed) {
                chunks.addLast(new Chunk(null, readAtNs + delayNs));
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next chunk once it is due (a chunk whose {@link Chunk#isEnd()} is the end of the stream), waiting as long
     * as needed; null once the line is closed.
     */
    Chunk take() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    return null;
                }
                Chunk head = chunks.peekFirst();
                if (head == null) {
                    changed.await();
                    continue;
                }
                long leftNs = head.dueNs() - System.nanoTime();
                if (leftNs > 0) {
                    changed.await(leftNs, TimeUnit.NANOSECONDS);
                    continue;
                }
                chunks.removeFirst();
                if (!head.isEnd()) {
                    bytes -= head.data().length;
                    changed.signalAll();
                    return head;
                }
                return END;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Bytes held, not yet taken. */
    long bufferedBytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    /** Drops what is held and wakes both sides: {@link #put} answers false and {@link #take} null from now on. */
    void close() {
        lock.lock();
        try {
            closed = true;
            chunks.clear();
            bytes = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
