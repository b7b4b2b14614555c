package io.heliograph.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

class WsFramesTest {

    /** Records what the reader reports. */
    private static final class Recording implements WsFrames.Handler {
        final List<String> texts = new ArrayList<>();
        final List<byte[]> pings = new ArrayList<>();
        int binaries;
        int closeCode = -1;

        @Override
        public void onText(String text) {
            texts.add(text);
        }

        @Override
        public void onBinary() {
            binaries++;
        }

        @Override
        public void onPing(byte[] payload) {
            pings.add(payload);
        }

        @Override
        public void onClose(int code) {
            closeCode = code;
        }
    }

    /** An unmasked server frame. */
    static byte[] serverFrame(boolean fin, int opcode, byte[] payload) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write((fin ? 0x80 : 0) | opcode);
        int n = payload.length;
        if (n < 126) {
            b.write(n);
        } else if (n <= 0xFFFF) {
            b.write(126);
            b.write(n >>> 8);
            b.write(n);
        } else {
            b.write(127);
            for (int i = 7; i >= 0; i--) {
                b.write((int) ((long) n >>> (8 * i)));
            }
        }
        b.writeBytes(payload);
        return b.toByteArray();
    }

    static byte[] text(String s) {
        return serverFrame(true, WsFrames.TEXT, s.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    /** Feeds {@code bytes} in chunks of {@code chunk} bytes, through heap and direct buffers alternately. */
    static void feedInChunks(WsFrames.Reader reader, byte[] bytes, int chunk) throws Exception {
        boolean direct = false;
        for (int at = 0; at < bytes.length; at += chunk) {
            int n = Math.min(chunk, bytes.length - at);
            ByteBuffer b = direct ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n + 7).position(3).slice();
            b.put(bytes, at, n).flip();
            reader.feed(b);
            assertEquals(0, b.remaining());
            direct = !direct;
        }
    }

    @Test
    void readsFramesSplitAtEveryPossibleBoundary() throws Exception {
        String small = "{\"type\":\"message\",\"data\":{\"t\":123,\"s\":4}}";
        String medium = "{\"type\":\"message\",\"pad\":\"" + "x".repeat(1000) + "\"}"; // 16-bit length
        String large = "{\"type\":\"message\",\"pad\":\"" + "y".repeat(70_000) + "\"}"; // 64-bit length
        byte[] stream = concat(text(small), text(medium), serverFrame(true, WsFrames.PING, new byte[] {1, 2, 3}),
                text(large), serverFrame(false, WsFrames.TEXT, "{\"type\":\"ack\",".getBytes(StandardCharsets.UTF_8)),
                serverFrame(false, WsFrames.CONTINUATION, "\"id\":".getBytes(StandardCharsets.UTF_8)),
                serverFrame(true, WsFrames.CONTINUATION, "\"p1\"}".getBytes(StandardCharsets.UTF_8)),
                serverFrame(true, WsFrames.BINARY, new byte[] {9}),
                serverFrame(true, WsFrames.CLOSE, new byte[] {0x03, (byte) 0xE8}),
                text("after close is ignored"));
        for (int chunk : new int[] {1, 2, 3, 7, 126, 1000, 4096, stream.length}) {
            Recording r = new Recording();
            WsFrames.Reader reader = new WsFrames.Reader(r);
            feedInChunks(reader, stream, chunk);
            assertEquals(List.of(small, medium, large, "{\"type\":\"ack\",\"id\":\"p1\"}"), r.texts, "chunk " + chunk);
            assertEquals(1, r.pings.size());
            assertArrayEquals(new byte[] {1, 2, 3}, r.pings.get(0));
            assertEquals(1, r.binaries);
            assertEquals(1000, r.closeCode);
            assertTrue(reader.closed());
        }
    }

    @Test
    void refusesMaskedServerFrames() {
        WsFrames.Reader reader = new WsFrames.Reader(new Recording());
        ByteBuffer masked = ByteBuffer.wrap(new byte[] {(byte) 0x81, (byte) 0x81, 1, 2, 3, 4, 5});
        assertThrows(WsFrames.ProtocolException.class, () -> reader.feed(masked));
    }

    /** Decodes a client frame, checking it is final and masked; returns {opcode, payload...}. */
    static byte[] unmaskClientFrame(ByteBuffer frame, int expectedOpcode) {
        int b0 = frame.get() & 0xFF;
        int b1 = frame.get() & 0xFF;
        assertEquals(0x80 | expectedOpcode, b0, "FIN + opcode");
        assertTrue((b1 & 0x80) != 0, "client frames must be masked");
        long n = b1 & 0x7F;
        if (n == 126) {
            n = frame.getShort() & 0xFFFF;
        } else if (n == 127) {
            n = frame.getLong();
        }
        byte[] mask = new byte[4];
        frame.get(mask);
        byte[] payload = new byte[(int) n];
        for (int i = 0; i < n; i++) {
            payload[i] = (byte) (frame.get() ^ mask[i & 3]);
        }
        assertEquals(0, frame.remaining());
        return payload;
    }

    @Test
    void clientFramesAreMaskedWithEveryLengthForm() {
        for (int n : new int[] {0, 3, 125, 126, 1000, 65_535, 65_536, 70_000}) {
            byte[] payload = new byte[n];
            for (int i = 0; i < n; i++) {
                payload[i] = (byte) (i * 31);
            }
            assertArrayEquals(payload, unmaskClientFrame(WsFrames.clientFrame(WsFrames.PONG, payload), WsFrames.PONG));
        }
        byte[] close = unmaskClientFrame(WsFrames.clientClose(1000, "bye"), WsFrames.CLOSE);
        assertArrayEquals(new byte[] {0x03, (byte) 0xE8, 'b', 'y', 'e'}, close);
    }

    @Test
    void findsTheTypeWithoutParsing() {
        assertEquals("message", WsFrames.type("{\"type\":\"message\",\"x\":1}"));
        assertEquals("attached", WsFrames.type("{ \"type\" : \"attached\"}"));
        assertEquals(null, WsFrames.type("{\"x\":1}"));
        assertTrue(WsFrames.isMessage("{\"type\":\"message\",\"data\":{}}"));
        assertTrue(!WsFrames.isMessage("{\"type\":\"ack\",\"id\":\"message\"}"));
    }

    /** A scripted server: 101 upgrade, connected, a ping, the attached reply, a split message, then close. */
    @Test
    void nioSocketHandshakesAttachesAnswersPingsAndReceives() throws Exception {
        List<String> messages = new CopyOnWriteArrayList<>();
        LoadSocket.MessageSink sink = new LoadSocket.MessageSink() {
            @Override
            public void onMessage(String frame) {
                messages.add(frame);
            }

            @Override
            public void onControl(String type, JsonNode frame) {
            }
        };
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             NioLoad load = new NioLoad(1)) {
            List<String> seen = new CopyOnWriteArrayList<>();
            Thread script = Thread.ofPlatform().start(() -> {
                try (java.net.Socket s = server.accept()) {
                    s.setSoTimeout(5000);
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    String request = readHead(in);
                    seen.add(request);
                    out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Accept: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    // connected arrives in the same write as the end of the headers
                    out.write(text("{\"type\":\"connected\",\"connectionId\":\"c1\"}"));
                    out.flush();
                    seen.add(new String(readClientFrame(in, WsFrames.TEXT), StandardCharsets.UTF_8));
                    out.write(serverFrame(true, WsFrames.PING, new byte[] {7, 8}));
                    out.flush();
                    byte[] pong = readClientFrame(in, WsFrames.PONG);
                    seen.add("pong " + java.util.Arrays.toString(pong));
                    out.write(text("{\"type\":\"attached\",\"id\":\"a\",\"channel\":\"c\"}"));
                    byte[] msg = text("{\"type\":\"message\",\"data\":{\"t\":42,\"s\":1}}");
                    out.write(msg, 0, 5);
                    out.flush();
                    Thread.sleep(50);
                    out.write(msg, 5, msg.length - 5);
                    out.write(serverFrame(true, WsFrames.CLOSE, new byte[] {0x03, (byte) 0xE8}));
                    out.flush();
                    seen.add("close " + java.util.Arrays.toString(readClientFrame(in, WsFrames.CLOSE)));
                } catch (Exception e) {
                    seen.add("script failed: " + e);
                }
            });
            URI ws = URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/v1/ws");
            NioLoad.Socket socket = load.open(ws, "tok", sink, Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS);
            JsonNode attached = socket.attach("c", Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS);
            assertEquals("attached", attached.path("type").asText());
            script.join(5000);
            socket.closed().get(5, TimeUnit.SECONDS);
            assertTrue(!socket.isOpen());
            assertEquals(List.of("{\"type\":\"message\",\"data\":{\"t\":42,\"s\":1}}"), messages);
            String request = seen.get(0);
            assertTrue(request.startsWith("GET /v1/ws?access_token=tok HTTP/1.1\r\n"), request);
            assertTrue(request.contains("Upgrade: websocket\r\n") && request.contains("Sec-WebSocket-Version: 13\r\n")
                    && request.contains("Sec-WebSocket-Key: "), request);
            assertEquals("{\"type\":\"attach\",\"id\":\"a\",\"channel\":\"c\"}", seen.get(1));
            assertEquals("pong [7, 8]", seen.get(2));
            assertEquals("close [3, -24]", seen.get(3));
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("eof in head");
            }
            b.write(c);
            String s = b.toString(StandardCharsets.US_ASCII);
            if (s.endsWith("\r\n\r\n")) {
                return s;
            }
        }
    }

    private static byte[] readClientFrame(InputStream in, int opcode) throws IOException {
        byte[] head = in.readNBytes(2);
        int n = head[1] & 0x7F;
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(head);
        if (n == 126) {
            all.writeBytes(in.readNBytes(2));
            byte[] h = all.toByteArray();
            n = ((h[2] & 0xFF) << 8) | (h[3] & 0xFF);
        } else if (n == 127) {
            throw new IOException("unexpected 64-bit client frame");
        }
        all.writeBytes(in.readNBytes(4 + n));
        return unmaskClientFrame(ByteBuffer.wrap(all.toByteArray()), opcode);
    }
}
