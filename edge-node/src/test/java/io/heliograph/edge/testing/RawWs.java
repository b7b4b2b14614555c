package io.heliograph.edge.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

import io.heliograph.protocol.Json;

/**
 * A WebSocket client written frame by frame on a plain socket (RFC 6455), for what no client library sends: a
 * character split between fragments, invalid UTF-8, thousands of tiny fragments, a frame of any size. It reads the
 * server's frames on a thread of its own while the test writes, as a real client does, answers pings and the
 * server's close, and reports 1006 when the connection ends without a close frame.
 */
public final class RawWs implements AutoCloseable {

    public static final int TEXT = 1;
    public static final int BINARY = 2;
    public static final int CONTINUATION = 0;
    /** What a test sees when the socket ended without a close frame (RFC 6455: abnormal closure). */
    public static final int ABNORMAL = 1006;

    private final Socket socket;
    private final OutputStream out;
    private final Object writeLock = new Object();
    private final LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private volatile boolean closeSent;

    private RawWs(Socket socket, DataInputStream in) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        Thread.ofVirtual().name("raw-ws-reader").start(() -> readLoop(in));
    }

    public static RawWs connect(int port, String token) {
        try {
            Socket s = new Socket("127.0.0.1", port);
            s.setSoTimeout(30_000);
            s.setTcpNoDelay(true);
            s.getOutputStream().write(("GET /v1/ws?access_token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection ended during the handshake: " + head);
                }
                head.write(b);
            }
            if (!head.toString(StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 101")) {
                throw new IOException("upgrade refused: " + head);
            }
            return new RawWs(s, in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends one frame, masked as a client must; {@code payload} may be of any size. */
    public RawWs frame(int opcode, boolean fin, byte[] payload) {
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        ByteArrayOutputStream header = new ByteArrayOutputStream(14);
        header.write((fin ? 0x80 : 0) | opcode);
        long n = payload.length;
        if (n < 126) {
            header.write(0x80 | (int) n);
        } else if (n < 65536) {
            header.write(0x80 | 126);
            header.write((int) (n >>> 8));
            header.write((int) n & 0xFF);
        } else {
            header.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                header.write((int) (n >>> shift) & 0xFF);
            }
        }
        header.writeBytes(mask);
        byte[] masked = new byte[payload.length];
        for (int i = 0; i < payload.length; i++) {
            masked[i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        synchronized (writeLock) {
            if (closeSent) {
                // After its close frame a client sends nothing more (RFC 6455 5.5.1).
                throw new IllegalStateException("closed: the close handshake has begun");
            }
            try {
                out.write(header.toByteArray());
                out.write(masked);
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return this;
    }

    /** Sends {@code bytes} as one text message in fragments of {@code fragmentBytes} (the last may be shorter). */
    public RawWs fragmented(byte[] bytes, int fragmentBytes) {
        int offset = 0;
        boolean first = true;
        do {
            int n = Math.min(fragmentBytes, bytes.length - offset);
            byte[] part = java.util.Arrays.copyOfRange(bytes, offset, offset + n);
            offset += n;
            frame(first ? TEXT : CONTINUATION, offset == bytes.length, part);
            first = false;
        } while (offset < bytes.length);
        return this;
    }

    public RawWs text(String text) {
        return frame(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The next text frame received that matches, as its exact text; earlier ones that do not match are dropped. */
    public String awaitText(Predicate<JsonNode> which, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                String text = left <= 0 ? null : texts.poll(left, TimeUnit.NANOSECONDS);
                if (text == null) {
                    throw new AssertionError("no matching text frame within " + timeout);
                }
                if (which.test(Json.parse(text))) {
                    return text;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public JsonNode awaitFrame(String type, Duration timeout) {
        return Json.parse(awaitText(f -> type.equals(f.path("type").asText()), timeout));
    }

    /** The close code the server sent, or {@link #ABNORMAL} when the connection ended without one. */
    public int awaitClose(Duration timeout) {
        try {
            return closeCode.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("connection not closed within " + timeout);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private void readLoop(DataInputStream in) {
        try {
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            while (true) {
                int b0 = in.readUnsignedByte();
                int b1 = in.readUnsignedByte();
                long n = b1 & 0x7F;
                if (n == 126) {
                    n = in.readUnsignedShort();
                } else if (n == 127) {
                    n = in.readLong();
                }
                byte[] payload = new byte[(int) n];
                in.readFully(payload);
                int opcode = b0 & 0x0F;
                boolean fin = (b0 & 0x80) != 0;
                switch (opcode) {
                    case TEXT, CONTINUATION -> {
                        message.writeBytes(payload);
                        if (fin) {
                            texts.add(message.toString(StandardCharsets.UTF_8));
                            message.reset();
                        }
                    }
                    case 8 -> {
                        int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                        closeCode.complete(code);
                        if (!closeSent) {
                            sendClose(code);
                        }
                        // The server closes the TCP connection first (RFC 6455 7.1.1); wait for it, bounded.
                        in.transferTo(java.io.OutputStream.nullOutputStream());
                        socket.close();
                        return;
                    }
                    case 9 -> {
                        try {
                            frame(10, true, payload);
                        } catch (IllegalStateException closing) {
                            // no pong once the close handshake has begun
                        }
                    }
                    default -> { }
                }
            }
        } catch (EOFException e) {
            closeCode.complete(ABNORMAL);
        } catch (IOException | UncheckedIOException e) {
            closeCode.complete(ABNORMAL);
        }
    }

    /** True once the server's close frame arrived. */
    public boolean closeReceived() {
        return closeCode.isDone() && closeCode.join() != ABNORMAL;
    }

    private void sendClose(int code) {
        try {
            synchronized (writeLock) {
                frame(8, true, new byte[] {(byte) (code >>> 8), (byte) code});
                closeSent = true;
            }
        } catch (IllegalStateException | UncheckedIOException ignored) {
            // the server may have gone meanwhile; the test reads the close code, not this
        }
    }

    @Override
    public void close() {
        if (!closeCode.isDone() && !closeSent) {
            sendClose(1000);
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
