package io.heliograph.edge.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

import io.heliograph.edge.delivery.OutboundFrame;
import io.heliograph.protocol.HeliographException;

/**
 * One client socket on an event loop ({@link WsLoop}): first the HTTP upgrade, then WebSocket frames both ways.
 * Everything here runs on the socket's loop thread except {@link #flushSoon}, {@link #terminate} and
 * {@link #isOpen}, which any thread may call.
 *
 * <p>Writing: frames wait in the {@link Connection}'s bounded queue; {@link #flushSoon} hands the socket to its loop
 * once (a flag, not a wake-up per frame), and the loop copies everything queued into its direct buffer and writes it
 * in one call. When the kernel takes less, the rest waits in {@link #pending} and the socket asks to be told when it
 * is writable; the bounded queue behind it is what a slow client fills until it is closed (1013).
 */
final class WsSocket implements Connection.Outlet, WsFrameDecoder.Listener {

    private static final System.Logger LOG = System.getLogger(WsSocket.class.getName());
    private static final byte[] PING_FRAME = {(byte) 0x89, 0};
    /** A request head starts in this much memory and grows up to {@link WsHandshake#MAX_HEAD_BYTES}. */
    private static final int HEAD_START_BYTES = 1024;

    private enum Phase { HANDSHAKE, OPEN, CLOSED }

    private final WsLoop loop;
    private final SocketChannel channel;
    private final EdgeWebSocket endpoint;
    private final long acceptedAtNanos = System.nanoTime();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private SelectionKey key;
    private volatile Phase phase = Phase.HANDSHAKE;
    /** Handshake only: the request head read so far. */
    private byte[] head = new byte[HEAD_START_BYTES];
    private int headLength;
    private WsFrameDecoder decoder;
    /** Open only: the client's connection; null before the upgrade completed. */
    private Connection connection;
    /** Bytes taken from the queue that the kernel did not take yet; written before anything else. */
    private ByteBuffer pending;
    private boolean closeFrameSent;
    /** Closed by {@link #terminate}: with a reset, not after the unsent bytes. */
    private boolean resetOnClose;
    /** Once what is pending is written, the socket is closed (a refused handshake, a close reply). */
    private boolean closeWhenFlushed;
    /** Since when the socket only waits to be closed; the loop cuts it off if that takes too long. */
    private long closingSinceNanos;
    /** The kernel's buffer was full: nothing is written until the loop says the socket is writable. */
    private boolean awaitingWritable;

    WsSocket(WsLoop loop, SocketChannel channel, EdgeWebSocket endpoint) {
        this.loop = loop;
        this.channel = channel;
        this.endpoint = endpoint;
    }

    /** On the loop: starts reading. */
    void register() throws IOException {
        key = channel.register(loop.selector(), SelectionKey.OP_READ, this);
    }

    long acceptedAtNanos() {
        return acceptedAtNanos;
    }

    boolean handshaking() {
        return phase == Phase.HANDSHAKE;
    }

    /** Waiting only for its last bytes to be written, since before {@code nanos}. */
    boolean closingSince(long nanos) {
        return closeWhenFlushed && closingSinceNanos - nanos < 0;
    }

    // ---- reading (loop thread) ----

    void onReadable() {
        ByteBuffer buf = loop.readBuffer();
        buf.clear();
        int n;
        try {
            n = channel.read(buf);
        } catch (IOException e) {
            gone();
            return;
        }
        if (n < 0) {
            gone();
            return;
        }
        buf.flip();
        if (phase == Phase.HANDSHAKE) {
            readHead(buf);
        } else if (phase == Phase.OPEN && decoder != null && !closeWhenFlushed && !decoder.feed(buf)) {
            // A close frame arrived or the linger budget is spent: no more reading; the close reply is flushed.
            stopReading();
        }
    }

    private void readHead(ByteBuffer buf) {
        int n = buf.remaining();
        if (headLength + n > head.length) {
            if (headLength + n > WsHandshake.MAX_HEAD_BYTES) {
                endpoint.handshakeRefused();
                refuse(431, "request head over " + WsHandshake.MAX_HEAD_BYTES + " bytes");
                return;
            }
            head = java.util.Arrays.copyOf(head, Math.min(WsHandshake.MAX_HEAD_BYTES,
                    Math.max(head.length * 2, headLength + n)));
        }
        int searchedTo = headLength;
        buf.get(head, headLength, n);
        headLength += n;
        int end = WsHandshake.endOfHead(head, searchedTo, headLength);
        if (end < 0) {
            return;
        }
        WsHandshake.Upgrade upgrade;
        try {
            upgrade = WsHandshake.parse(head, end);
            endpoint.admit(upgrade.token());
        } catch (WsHandshake.Refusal e) {
            endpoint.handshakeRefused();
            refuse(e.status(), e.getMessage());
            return;
        } catch (HeliographException e) {
            refuse(e.code().code(), e.getMessage());
            return;
        }
        byte[] early = headLength > end ? java.util.Arrays.copyOfRange(head, end, headLength) : null;
        head = null;
        pending = ByteBuffer.wrap(WsHandshake.accept(upgrade.key()));
        phase = Phase.OPEN;
        loop.unwatch(this);
        decoder = new WsFrameDecoder(this);
        connection = endpoint.open(this);
        flush();
        if (early != null && phase == Phase.OPEN && !decoder.feed(ByteBuffer.wrap(early))) {
            stopReading();
        }
    }

    private void refuse(int status, String message) {
        head = null;
        phase = Phase.OPEN;
        pending = ByteBuffer.wrap(WsHandshake.refuse(status, message));
        closeWhenFlushed = true;
        closingSinceNanos = System.nanoTime();
        loop.watch(this);
        stopReading();
        flush();
    }

    private void stopReading() {
        if (key != null && key.isValid()) {
            key.interestOpsAnd(~SelectionKey.OP_READ);
        }
    }

    // ---- what the decoder found (loop thread) ----

    @Override
    public boolean onFrameStart(boolean first, long payloadLength) {
        return endpoint.onFrameStart(first, payloadLength);
    }

    @Override
    public void onTextFrame(byte[] payload, boolean first, boolean last) {
        endpoint.onTextFrame(payload, first, last);
    }

    @Override
    public void onBinaryFrame(long payloadLength, boolean last) {
        endpoint.onBinaryFrame(payloadLength, last);
    }

    @Override
    public boolean onControl(int opcode, byte[] payload, boolean discarding) {
        switch (opcode) {
            case WsFrameDecoder.OP_CLOSE -> {
                endpoint.onClose();
                if (!closeFrameSent) {
                    // Echo the client's code (RFC 6455 5.5.1); a close without a code is answered 1000.
                    int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1000;
                    queueClose(code == 1005 || code == 1006 || code == 1015 ? 1000 : code, "normal");
                }
                closeWhenFlushed = true;
                closingSinceNanos = System.nanoTime();
                loop.watch(this);
                flush();
                return false;
            }
            case WsFrameDecoder.OP_PING -> {
                if (!discarding && !closeFrameSent) {
                    appendPending(controlFrame(0xA, payload));
                    flush();
                }
                endpoint.onPing();
            }
            default -> endpoint.onPong();
        }
        return true;
    }

    @Override
    public void onProtocolError(String why) {
        endpoint.onProtocolError(why);
    }

    @Override
    public void onDiscarded(long bytes) {
        endpoint.onDiscarded(bytes);
    }

    // ---- writing ----

    @Override
    public void flushSoon() {
        if (flushScheduled.compareAndSet(false, true)) {
            loop.flushSoon(this);
        }
    }

    /** On the loop: the scheduled flush. */
    void scheduledFlush() {
        flushScheduled.set(false);
        flush();
    }

    /** On the loop: the kernel has room again. */
    void onWritable() {
        key.interestOpsAnd(~SelectionKey.OP_WRITE);
        awaitingWritable = false;
        flush();
    }

    /**
     * Writes what is pending, then everything queued, in as few calls as the loop's buffer allows; stops when the
     * kernel takes less than offered (and asks to be woken when it has room) or when nothing is left.
     */
    private void flush() {
        if (phase == Phase.CLOSED || awaitingWritable) {
            return;
        }
        ByteBuffer buf = loop.writeBuffer();
        try {
            while (true) {
                buf.clear();
                fill(buf);
                buf.flip();
                if (!buf.hasRemaining()) {
                    break;
                }
                channel.write(buf);
                if (buf.hasRemaining()) {
                    keepUnwritten(buf);
                    awaitingWritable = true;
                    key.interestOpsOr(SelectionKey.OP_WRITE);
                    return;
                }
            }
        } catch (IOException e) {
            gone();
            return;
        }
        if (connection != null) {
            connection.wrote();
        }
        if (closeWhenFlushed) {
            closeNow();
        }
    }

    /** Copies into {@code buf} what is pending, then queued frames, then the close frame once the queue is empty. */
    private void fill(ByteBuffer buf) {
        while (buf.hasRemaining()) {
            if (pending != null) {
                int n = Math.min(buf.remaining(), pending.remaining());
                buf.put(buf.position(), pending, pending.position(), n);
                buf.position(buf.position() + n);
                pending.position(pending.position() + n);
                if (pending.hasRemaining()) {
                    return;
                }
                pending = null;
                continue;
            }
            byte[] next = nextFromQueue();
            if (next == null) {
                return;
            }
            if (next.length <= buf.remaining()) {
                buf.put(next);
            } else {
                pending = ByteBuffer.wrap(next);
            }
        }
    }

    /** The next frame to write: queued frames and pings, then the close frame when the connection is closing. */
    private byte[] nextFromQueue() {
        if (connection == null || closeFrameSent) {
            return null;
        }
        Object item = connection.nextOutbound();
        if (item instanceof OutboundFrame frame) {
            return frame.wire();
        }
        if (item != null) {
            return PING_FRAME;
        }
        if (connection.closeFrameDue()) {
            closeFrameSent = true;
            return closeFrame(connection.closeCode(), connection.closeReason());
        }
        return null;
    }

    private void queueClose(int code, String reason) {
        closeFrameSent = true;
        appendPending(closeFrame(code, reason));
    }

    private void appendPending(byte[] frame) {
        if (pending == null) {
            pending = ByteBuffer.wrap(frame);
            return;
        }
        byte[] joined = new byte[pending.remaining() + frame.length];
        int n = pending.remaining();
        pending.get(joined, 0, n);
        System.arraycopy(frame, 0, joined, n, frame.length);
        pending = ByteBuffer.wrap(joined);
    }

    /** The kernel took part of {@code buf}: what is left (and anything still pending) waits for the next flush. */
    private void keepUnwritten(ByteBuffer buf) {
        int left = buf.remaining() + (pending == null ? 0 : pending.remaining());
        byte[] rest = new byte[left];
        int n = buf.remaining();
        buf.get(rest, 0, n);
        if (pending != null) {
            pending.get(rest, n, left - n);
        }
        pending = ByteBuffer.wrap(rest);
    }

    static byte[] closeFrame(int code, String reason) {
        byte[] text = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(text.length, 123);
        byte[] payload = new byte[2 + n];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, n);
        return controlFrame(0x8, payload);
    }

    private static byte[] controlFrame(int opcode, byte[] payload) {
        byte[] frame = new byte[2 + payload.length];
        frame[0] = (byte) (0x80 | opcode);
        frame[1] = (byte) payload.length;
        System.arraycopy(payload, 0, frame, 2, payload.length);
        return frame;
    }

    // ---- the end ----

    @Override
    public void terminate() {
        loop.execute(this::reset);
    }

    /**
     * Cuts the connection with a reset: what is still unsent is thrown away at once. A client cut off here stopped
     * reading (or never finished its close handshake), so its unsent bytes would otherwise sit in the kernel, megabytes
     * per socket, until retransmissions give up, and the client would learn of the end only after reading them all.
     */
    private void reset() {
        if (phase == Phase.CLOSED) {
            return;
        }
        try {
            channel.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not set a reset on close: " + e.getMessage());
        }
        resetOnClose = true;
        closeNow();
    }

    @Override
    public boolean isOpen() {
        return phase != Phase.CLOSED;
    }

    /** The client went away (end of stream, a reset): close and report. */
    private void gone() {
        closeNow();
    }

    /** On the loop: closes the socket; the connection is told (once) that it is gone. */
    void closeNow() {
        if (phase == Phase.CLOSED) {
            return;
        }
        phase = Phase.CLOSED;
        pending = null;
        head = null;
        if (key != null) {
            key.cancel();
        }
        try {
            // Output first, so the last bytes written (a close frame, a refusal) are not lost to a reset.
            if (!resetOnClose && channel.isConnected()) {
                channel.shutdownOutput();
            }
        } catch (IOException ignored) {
            // the socket is closed below either way
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing a client socket failed: " + e.getMessage());
        }
        loop.closed(this);
        if (connection != null) {
            endpoint.onGone();
        }
    }
}
