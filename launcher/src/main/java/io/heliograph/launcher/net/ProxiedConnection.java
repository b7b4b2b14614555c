package io.heliograph.launcher.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection through a {@link TcpProxy} and its connection to the target: per direction a reader that
 * puts what it reads on a {@link DelayLine} and a writer that sends it on once due, four virtual threads in all.
 * A FIN is passed on (half-close) after the bytes before it; the connection is done when both directions have
 * ended, and is torn down at once, both sockets closed, when either side fails or the proxy cuts it.
 */
final class ProxiedConnection {

    private static final int READ_BUFFER_BYTES = 32 * 1024;

    private final String name;
    private final Socket client;
    private final Socket target;
    private final DelayLine up;
    private final DelayLine down;
    private final AtomicLong bytesUp;
    private final AtomicLong bytesDown;
    private final Runnable onDone;
    private final AtomicInteger directionsOpen = new AtomicInteger(2);
    private final AtomicBoolean done = new AtomicBoolean();

    /**
     * @param bytesUp   counts bytes written to the target
     * @param bytesDown counts bytes written to the client
     * @param onDone    run once, when the connection is over for whatever reason
     */
    ProxiedConnection(String name, Socket client, Socket target, long delayNs, long maxBufferedBytes,
                      AtomicLong bytesUp, AtomicLong bytesDown, Runnable onDone) {
        this.name = name;
        this.client = client;
        this.target = target;
        this.up = new DelayLine(delayNs, maxBufferedBytes);
        this.down = new DelayLine(delayNs, maxBufferedBytes);
        this.bytesUp = bytesUp;
        this.bytesDown = bytesDown;
        this.onDone = onDone;
    }

    void start() {
        Thread.ofVirtual().name(name + "-up-read").start(() -> read(client, up));
        Thread.ofVirtual().name(name + "-up-write").start(() -> write(up, target, bytesUp));
        Thread.ofVirtual().name(name + "-down-read").start(() -> read(target, down));
        Thread.ofVirtual().name(name + "-down-write").start(() -> write(down, client, bytesDown));
    }

    /** Bytes held in both directions, read and not yet written. */
    long bufferedBytes() {
        return up.bufferedBytes() + down.bufferedBytes();
    }

    private void read(Socket from, DelayLine line) {
        byte[] buffer = new byte[READ_BUFFER_BYTES];
        try {
            InputStream in = from.getInputStream();
            while (true) {
                int n = in.read(buffer);
                long readAtNs = System.nanoTime();
                if (n < 0) {
                    line.putEnd(readAtNs);
                    return;
                }
                if (n > 0 && !line.put(Arrays.copyOf(buffer, n), readAtNs)) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // A reset, a closed socket or a cut: the connection is over in both directions.
            abort(false);
        }
    }

    private void write(DelayLine line, Socket to, AtomicLong counter) {
        try {
            OutputStream out = to.getOutputStream();
            while (true) {
                DelayLine.Chunk chunk = line.take();
                if (chunk == null) {
                    return;
                }
                if (chunk.isEnd()) {
                    to.shutdownOutput();
                    if (directionsOpen.decrementAndGet() == 0) {
                        abort(false);
                    }
                    return;
                }
                out.write(chunk.data());
                out.flush();
                counter.addAndGet(chunk.data().length);
            }
        } catch (IOException | InterruptedException e) {
            // A reset, a closed socket or a cut: the connection is over in both directions.
            abort(false);
        }
    }

    /**
     * Ends the connection now: both lines dropped, both sockets closed. With {@code reset} they are closed with an
     * RST (SO_LINGER 0), so both ends learn at once that the link is gone, as after a cut cable and a reboot.
     */
    void abort(boolean reset) {
        if (!done.compareAndSet(false, true)) {
            return;
        }
        up.close();
        down.close();
        close(client, reset);
        close(target, reset);
        onDone.run();
    }

    private static void close(Socket socket, boolean reset) {
        try {
            if (reset && !socket.isClosed()) {
                socket.setSoLinger(true, 0);
            }
        } catch (IOException e) {
            // Closed under us: nothing left to reset.
        }
        try {
            socket.close();
        } catch (IOException e) {
            // Closing is all that was wanted.
        }
    }
}
