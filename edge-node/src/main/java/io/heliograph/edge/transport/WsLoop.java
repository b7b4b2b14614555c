package io.heliograph.edge.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One event-loop thread serving a share of the node's client sockets: it reads them when they have bytes, and
 * writes the frames other threads queued. A fan-out to a thousand subscribers costs the publishing thread a thousand
 * queue appends and at most one wake-up of each loop; the loops then write in parallel, one system call per socket
 * per round, however many frames wait. An idle socket costs no thread and no buffer: the loop's read and write
 * buffers are shared by all its sockets.
 */
final class WsLoop implements Runnable {

    private static final System.Logger LOG = System.getLogger(WsLoop.class.getName());
    static final int READ_BUFFER_BYTES = 64 * 1024;
    static final int WRITE_BUFFER_BYTES = 256 * 1024;
    /** A socket that has not finished its upgrade request by then is closed. */
    static final long HANDSHAKE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    /** A socket that only waits for its last bytes (a refusal, a close reply) to be taken is closed after this. */
    static final long CLOSE_LINGER_NS = TimeUnit.SECONDS.toNanos(2);
    private static final long SWEEP_NS = TimeUnit.SECONDS.toNanos(1);

    private final Selector selector;
    private final Thread thread;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(WRITE_BUFFER_BYTES);
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<WsSocket> flushes = new ConcurrentLinkedQueue<>();
    /** False only while the loop is (about to be) blocked in select: then, and only then, a producer wakes it. */
    private final AtomicBoolean awake = new AtomicBoolean(true);
    private final Set<WsSocket> sockets = new HashSet<>();
    /**
     * The sockets the sweep must look at: those still in their upgrade or only waiting to be closed. Open connections
     * are not here, so an idle node's sweep touches none of its thousands of connections.
     */
    private final Set<WsSocket> watched = new HashSet<>();
    private final Supplier<EdgeWebSocket> endpoints;
    private final Runnable handshakeTimedOut;
    private final Consumer<SelectionKey> onReady = this::onReady;
    private volatile boolean running = true;
    private long lastSweepNanos = System.nanoTime();

    /** @param handshakeTimedOut counts a socket closed for not finishing its upgrade in time */
    WsLoop(String name, Supplier<EdgeWebSocket> endpoints, Runnable handshakeTimedOut) throws IOException {
        this.selector = Selector.open();
        this.endpoints = endpoints;
        this.handshakeTimedOut = handshakeTimedOut;
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    Selector selector() {
        return selector;
    }

    ByteBuffer readBuffer() {
        return readBuffer;
    }

    ByteBuffer writeBuffer() {
        return writeBuffer;
    }

    /** Any thread: the loop takes over an accepted socket. */
    void adopt(SocketChannel channel) {
        execute(() -> {
            WsSocket socket = new WsSocket(this, channel, endpoints.get());
            try {
                socket.register();
                sockets.add(socket);
                watched.add(socket);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "could not register a client socket: " + e.getMessage());
                socket.closeNow();
            }
        });
    }

    /** Any thread: runs {@code task} on the loop. */
    void execute(Runnable task) {
        tasks.add(task);
        wake();
    }

    /** Any thread: the socket has frames to write (called once per socket until the loop has flushed it). */
    void flushSoon(WsSocket socket) {
        flushes.add(socket);
        wake();
    }

    private void wake() {
        if (!awake.get() && Thread.currentThread() != thread && awake.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /** Loop thread: the socket is closed. */
    void closed(WsSocket socket) {
        sockets.remove(socket);
        watched.remove(socket);
    }

    /** Loop thread: the socket's deadlines are its connection's now (the registry's sweep), or it has none. */
    void unwatch(WsSocket socket) {
        watched.remove(socket);
    }

    /** Loop thread: the socket has a deadline again (it waits to be closed). */
    void watch(WsSocket socket) {
        if (sockets.contains(socket)) {
            watched.add(socket);
        }
    }

    int socketCount() {
        return sockets.size();
    }

    @Override
    public void run() {
        while (running) {
            try {
                select();
                runTasks();
                long now = System.nanoTime();
                if (now - lastSweepNanos >= SWEEP_NS) {
                    lastSweepNanos = now;
                    sweep(now);
                }
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, "event loop " + thread.getName() + " failed a round", e);
            }
        }
        for (WsSocket socket : new ArrayList<>(sockets)) {
            socket.closeNow();
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // shutting down
        }
    }

    private void select() {
        try {
            if (tasks.isEmpty() && flushes.isEmpty()) {
                awake.set(false);
                // Looked at again after the flag dropped: a producer that saw it up did not wake us.
                if (tasks.isEmpty() && flushes.isEmpty()) {
                    selector.select(onReady, TimeUnit.NANOSECONDS.toMillis(SWEEP_NS));
                } else {
                    selector.selectNow(onReady);
                }
                awake.set(true);
            } else {
                selector.selectNow(onReady);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "select failed: " + e.getMessage());
        }
    }

    /**
     * One ready socket, handed over by the selector itself: no selected-key set to fill and empty on every round (a
     * hash set's add and iterator removal per event, and, after a heartbeat round, a long C2 compilation of that
     * iterator in an otherwise idle node).
     */
    private void onReady(SelectionKey key) {
        WsSocket socket = (WsSocket) key.attachment();
        try {
            if (key.isValid() && key.isWritable()) {
                socket.onWritable();
            }
            if (key.isValid() && key.isReadable()) {
                socket.onReadable();
            }
        } catch (CancelledKeyException e) {
            socket.closeNow();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "client socket failed; closing it", e);
            socket.closeNow();
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
        // Flushes last: the replies to everything read this round go out together.
        WsSocket socket;
        while ((socket = flushes.poll()) != null) {
            try {
                socket.scheduledFlush();
            } catch (CancelledKeyException e) {
                socket.closeNow();
            }
        }
    }

    private void sweep(long now) {
        if (watched.isEmpty()) {
            return;
        }
        for (WsSocket socket : new ArrayList<>(watched)) {
            if (socket.handshaking() && now - socket.acceptedAtNanos() > HANDSHAKE_TIMEOUT_NS) {
                handshakeTimedOut.run();
                socket.closeNow();
            } else if (socket.closingSince(now - CLOSE_LINGER_NS)) {
                socket.closeNow();
            }
        }
    }

    /** Stops the loop; its sockets are closed on the loop thread. */
    void stop() throws InterruptedException {
        running = false;
        selector.wakeup();
        thread.join(TimeUnit.SECONDS.toMillis(5));
    }
}
