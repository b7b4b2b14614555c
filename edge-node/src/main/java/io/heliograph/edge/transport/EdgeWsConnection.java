package io.heliograph.edge.transport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.socket.SocketContext;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.websocket.WsSession;

/**
 * One client's WebSocket after the upgrade (RFC 6455), in place of Helidon's own connection, which decodes every text
 * fragment on its own (corrupting a character split between fragments, and hiding invalid UTF-8 behind U+FFFD),
 * reads a whole frame into memory before any limit of ours applies, and drops the socket at once on a frame over its
 * limit, so the client loses the close frame to the TCP reset.
 *
 * <p>This reader checks each data frame's size from its header, before reading the payload; hands text payloads to
 * the {@link EdgeWebSocket} as bytes, to be joined and decoded once per message; and once the node has refused
 * input (and queued its error frame and close) it goes on reading and dropping what the client still sends, up to
 * {@link #LINGER_MAX_BYTES} (the registry cuts it off after 2 s), so that the client reads the close frame instead
 * of a reset. Reading happens on Helidon's thread for the connection; writes from any thread are whole frames under
 * one lock.
 */
final class EdgeWsConnection implements ServerConnection, WsSession {

    /** After refusing input, at most this much more is read and dropped while the close handshake completes. */
    static final long LINGER_MAX_BYTES = 32L << 20;

    private static final int OP_CONTINUATION = 0x0;
    private static final int OP_TEXT = 0x1;
    private static final int OP_BINARY = 0x2;
    private static final int OP_CLOSE = 0x8;
    private static final int OP_PING = 0x9;
    private static final int OP_PONG = 0xA;
    private static final int NO_MESSAGE = -1;

    private final ConnectionContext ctx;
    private final HttpPrologue prologue;
    private final DataReader reader;
    private final EdgeWebSocket listener;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final AtomicBoolean closeSent = new AtomicBoolean();
    private volatile Thread readerThread;
    private volatile boolean canRun = true;
    /** True while the reader waits for the next frame (not inside one): where an idle close may interrupt it. */
    private volatile boolean awaitingFrame;
    private volatile long lastFrameNanos = System.nanoTime();
    /** Guarded by sendLock: the last data frame sent did not end its message. */
    private boolean sendContinuation;
    /** Reader thread: the opcode of the fragmented message in progress, or NO_MESSAGE. */
    private int messageOpcode = NO_MESSAGE;
    /** Reader thread: input was refused and the connection is closing; data is read and dropped. */
    private boolean discarding;
    private long discardedBytes;

    EdgeWsConnection(ConnectionContext ctx, HttpPrologue prologue, EdgeWebSocket listener) {
        this.ctx = ctx;
        this.prologue = prologue;
        this.reader = ctx.dataReader();
        this.listener = listener;
    }

    @Override
    public void handle(Semaphore requestSemaphore) {
        run();
    }

    @Override
    public void handle(Limit limit) {
        run();
    }

    private void run() {
        readerThread = Thread.currentThread();
        try {
            listener.onOpen(this);
        } catch (RuntimeException e) {
            close(CloseCodes.INTERNAL_ERROR, "internal error");
            throw e;
        }
        try {
            while (canRun && readFrame()) {
                lastFrameNanos = System.nanoTime();
            }
        } catch (DataReader.InsufficientDataAvailableException e) {
            throw new CloseConnectionException("socket closed by the client", e);
        } catch (CloseConnectionException e) {
            throw e;
        } catch (RuntimeException e) {
            listener.onError(this, e);
            throw e;
        }
    }

    /** Reads and handles one frame; false when the connection is done. */
    private boolean readFrame() {
        awaitingFrame = true;
        int b0 = reader.read() & 0xFF;
        awaitingFrame = false;
        int b1 = reader.read() & 0xFF;
        boolean fin = (b0 & 0x80) != 0;
        int opcode = b0 & 0x0F;
        boolean masked = (b1 & 0x80) != 0;
        long length = b1 & 0x7F;
        if (length == 126) {
            length = ((reader.read() & 0xFF) << 8) | (reader.read() & 0xFF);
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | (reader.read() & 0xFF);
            }
        }
        byte[] mask = masked ? readExactly(4) : null;
        if ((b0 & 0x70) != 0 || !masked || length < 0) {
            return protocolError(length, (b0 & 0x70) != 0 ? "reserved bits set" : !masked
                    ? "client frames must be masked" : "bad frame length");
        }
        switch (opcode) {
            case OP_CLOSE, OP_PING, OP_PONG -> {
                if (!fin || length > 125) {
                    return protocolError(length, "control frames must be whole and at most 125 bytes");
                }
                return control(opcode, unmask(readExactly((int) length), mask));
            }
            case OP_TEXT, OP_BINARY, OP_CONTINUATION -> {
                return data(opcode, fin, length, mask);
            }
            default -> {
                return protocolError(length, "unknown opcode " + opcode);
            }
        }
    }

    private boolean data(int opcode, boolean fin, long length, byte[] mask) {
        boolean first = opcode != OP_CONTINUATION;
        if (first == (messageOpcode != NO_MESSAGE) && !discarding) {
            return protocolError(length, first ? "a new message began before the last one ended"
                    : "continuation frame without a message");
        }
        int type = first ? opcode : messageOpcode;
        messageOpcode = fin ? NO_MESSAGE : type;
        if (discarding || !listener.onFrameStart(first, length)) {
            return discard(length);
        }
        if (type == OP_TEXT) {
            listener.onTextFrame(unmask(readExactly((int) length), mask), first, fin);
        } else {
            skip(length);
            listener.onBinaryFrame(length, fin);
        }
        return true;
    }

    private boolean control(int opcode, byte[] payload) {
        switch (opcode) {
            case OP_CLOSE -> {
                int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                String reason = payload.length > 2
                        ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "normal";
                listener.onClose(this, code, reason);
                close(1000, "normal");
                return false;
            }
            case OP_PING -> {
                if (!discarding) {
                    pong(BufferData.create(payload));
                }
                listener.onPing(this, BufferData.create(payload));
            }
            default -> listener.onPong(this, BufferData.create(payload));
        }
        return true;
    }

    /**
     * Refuses a connection that broke the framing rules with close 1002, then lingers like any refusal; the frame's
     * payload is dropped.
     */
    private boolean protocolError(long length, String why) {
        if (!discarding) {
            listener.onProtocolError(why);
        }
        return discard(Math.max(0, length));
    }

    /** Drops a payload while the close completes; false once the linger budget is spent. */
    private boolean discard(long length) {
        discarding = true;
        discardedBytes += length;
        listener.onDiscarded(length);
        if (discardedBytes > LINGER_MAX_BYTES) {
            return false;
        }
        skip(length);
        return true;
    }

    private byte[] readExactly(int length) {
        byte[] out = new byte[length];
        int at = 0;
        while (at < length) {
            reader.ensureAvailable();
            int n = Math.min(reader.available(), length - at);
            System.arraycopy(reader.readBytes(n), 0, out, at, n);
            at += n;
        }
        return out;
    }

    private void skip(long length) {
        long left = length;
        while (left > 0) {
            reader.ensureAvailable();
            int n = (int) Math.min(reader.available(), left);
            reader.skip(n);
            left -= n;
        }
    }

    private static byte[] unmask(byte[] payload, byte[] mask) {
        for (int i = 0; i < payload.length; i++) {
            payload[i] ^= mask[i & 3];
        }
        return payload;
    }

    // ---- writing ----

    @Override
    public WsSession send(String text, boolean last) {
        return send(BufferData.create(text.getBytes(StandardCharsets.UTF_8)), OP_TEXT, last);
    }

    @Override
    public WsSession send(BufferData bufferData, boolean last) {
        return send(bufferData, OP_BINARY, last);
    }

    private WsSession send(BufferData payload, int opcode, boolean last) {
        sendLock.lock();
        try {
            int used = sendContinuation ? OP_CONTINUATION : opcode;
            sendContinuation = !last;
            writeFrame(used, last, payload);
        } finally {
            sendLock.unlock();
        }
        return this;
    }

    @Override
    public WsSession ping(BufferData bufferData) {
        return control(OP_PING, bufferData);
    }

    @Override
    public WsSession pong(BufferData bufferData) {
        return control(OP_PONG, bufferData);
    }

    private WsSession control(int opcode, BufferData payload) {
        sendLock.lock();
        try {
            writeFrame(opcode, true, payload);
        } finally {
            sendLock.unlock();
        }
        return this;
    }

    /** Sends the close frame (once); the socket closes when the client answers or the registry cuts it off. */
    @Override
    public WsSession close(int code, String reason) {
        if (!closeSent.compareAndSet(false, true)) {
            return this;
        }
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(text.length, 123);
        BufferData payload = BufferData.create(2 + n);
        payload.writeInt16(code);
        payload.write(text, 0, n);
        return control(OP_CLOSE, payload);
    }

    @Override
    public WsSession terminate() {
        close(1000, "terminate");
        throw new CloseConnectionException("terminated");
    }

    /** Writes one frame in one socket write, so frames of different threads never interleave. */
    private void writeFrame(int opcode, boolean fin, BufferData payload) {
        int length = payload.available();
        BufferData frame = BufferData.create(10 + length);
        frame.write((fin ? 0x80 : 0) | opcode);
        if (length < 126) {
            frame.write(length);
        } else if (length < 1 << 16) {
            frame.write(126);
            frame.write(length >>> 8);
            frame.write(length & 0xFF);
        } else {
            frame.write(127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) (((long) length >>> shift) & 0xFF));
            }
        }
        frame.write(payload);
        ctx.dataWriter().writeNow(frame);
    }

    // ---- the rest of the session and server connection ----

    @Override
    public Optional<String> subProtocol() {
        return Optional.empty();
    }

    @Override
    public SocketContext socketContext() {
        return ctx;
    }

    @Override
    public HttpPrologue prologue() {
        return prologue;
    }

    @Override
    public Duration idleTime() {
        return Duration.ofNanos(System.nanoTime() - lastFrameNanos);
    }

    @Override
    public void close(boolean interrupt) {
        canRun = false;
        Thread t = readerThread;
        // As Helidon's own connection does: an idle close interrupts only a reader that waits between frames.
        if (t != null && (interrupt || awaitingFrame)) {
            t.interrupt();
        }
    }
}
