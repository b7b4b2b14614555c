package io.heliograph.client;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

import io.heliograph.protocol.Json;
import io.heliograph.protocol.limit.RateLimiter;

/**
 * A scripted stand-in for an edge node, just enough RFC 6455 for the JDK client: the test takes each accepted
 * {@link Session}, reads the frames the client sent and writes the server's frames by hand.
 */
final class FakeEdge implements AutoCloseable {

    private static final String WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    static final Duration WAIT = Duration.ofSeconds(5);

    private final ServerSocket server;
    private final BlockingQueue<Session> sessions = new LinkedBlockingQueue<>();
    private final List<Session> all = new CopyOnWriteArrayList<>();
    private volatile Predicate<String> tokenCheck = token -> true;
    /** Whether sessions answer the client's {@code ping} requests themselves, as a live node does. */
    private volatile boolean answerPings;
    /** Applied to sessions accepted from now on; null for none. */
    private volatile RateLimit rateLimit;
    private final Thread acceptor;

    FakeEdge() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "fake-edge-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    URI uri() {
        return URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/v1/ws");
    }

    /** Upgrades whose token fails the check are refused with HTTP 401. */
    void tokenCheck(Predicate<String> check) {
        this.tokenCheck = check;
    }

    /**
     * Enforces the edge's per-connection rate limit on sessions accepted from now on, as the real node does: a text
     * frame beyond {@code ratePerSecond} (burst {@code burst}) is answered with a 429 error without id and otherwise
     * ignored; {@code burst} refusals within 10 s close the connection with 1008.
     */
    void rateLimit(double ratePerSecond, int burst) {
        this.rateLimit = new RateLimit(ratePerSecond, burst);
    }

    /**
     * Sessions accepted from now on answer {@code ping} requests at once with a {@code pong} and do not hand them to
     * the test, like a live node: a client's heartbeat then keeps a quiet session alive.
     */
    void answerPings() {
        this.answerPings = true;
    }

    /** The next accepted WebSocket, waiting up to {@link #WAIT}; fails the test when none comes. */
    Session nextSession() throws InterruptedException {
        return nextSession(WAIT);
    }

    /** The next accepted WebSocket, waiting up to {@code wait}; fails the test when none comes. */
    Session nextSession(Duration wait) throws InterruptedException {
        Session s = sessions.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (s == null) {
            throw new AssertionError("no WebSocket connection within " + wait);
        }
        return s;
    }

    /** A session if one arrives within {@code wait}, else null: for proving that a client does not come back. */
    Session pollSession(Duration wait) throws InterruptedException {
        return sessions.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread t = new Thread(() -> serve(socket), "fake-edge-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            Map<String, String> headers = new LinkedHashMap<>();
            String requestLine = readLine(in);
            for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            String target = requestLine.split(" ")[1];
            String token = queryParam(target, "access_token");
            if (token == null || !tokenCheck.test(token)) {
                out.write("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                socket.close();
                return;
            }
            String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((headers.get("sec-websocket-key") + WS_GUID).getBytes(StandardCharsets.US_ASCII)));
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            RateLimit limit = rateLimit;
            // The edge's own rule (protocol's RateLimiter), so the SDK is tested against what the edge enforces.
            RateLimiter limiter = limit == null ? null
                    : new RateLimiter(limit.ratePerSecond(), limit.burst(), System::nanoTime);
            Session session = new Session(socket, target, token, limiter, answerPings);
            all.add(session);
            sessions.add(session);
            session.readLoop();
        } catch (IOException | NoSuchAlgorithmException e) {
            closeQuietly(socket);
        }
    }

    private static String queryParam(String target, String name) {
        int q = target.indexOf('?');
        if (q < 0) {
            return null;
        }
        for (String pair : target.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException();
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // The test is over with this socket either way.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        all.forEach(Session::kill);
    }

    private record RateLimit(double ratePerSecond, int burst) {
    }

    /** One client connection as seen by the server. */
    static final class Session {

        private final Socket socket;
        private final OutputStream out;
        private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        final String target;
        final String token;
        volatile int closeCodeFromClient = -1;
        private volatile boolean closeSent;
        private final RateLimiter rateLimiter;
        /** Frames refused by the rate limit (answered 429 without id, never seen by {@link #next()}). */
        final AtomicInteger refusals = new AtomicInteger();
        /** True once the rate limit closed this session with 1008. */
        volatile boolean closedForAbuse;

        private final boolean answerPings;

        Session(Socket socket, String target, String token, RateLimiter rateLimiter, boolean answerPings)
                throws IOException {
            this.answerPings = answerPings;
            this.socket = socket;
            this.out = socket.getOutputStream();
            this.target = target;
            this.token = token;
            this.rateLimiter = rateLimiter;
        }

        /** The next frame the client sent, waiting up to {@link #WAIT}. */
        JsonNode next() throws InterruptedException {
            JsonNode frame = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                throw new AssertionError("client sent nothing within " + WAIT);
            }
            return frame;
        }

        /** The next frame of the given type, skipping others (e.g. heartbeat pings). */
        JsonNode next(String type) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode frame = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (frame != null && type.equals(frame.path("type").asText())) {
                    return frame;
                }
            }
            throw new AssertionError("client sent no " + type + " frame within " + WAIT);
        }

        /** Answers an attach request. */
        void attached(JsonNode attach, String serial, boolean resumed) throws IOException {
            send("{\"type\":\"attached\",\"id\":\"" + attach.get("id").asText() + "\",\"channel\":\""
                    + attach.get("channel").asText() + "\",\"serial\":" + (serial == null ? "null" : "\"" + serial + "\"")
                    + ",\"resumed\":" + resumed + "}");
        }

        /** Answers an attach with continuity lost (410): only messages after {@code serial} follow. */
        void attachedContinuityLost(JsonNode attach, String serial) throws IOException {
            send("{\"type\":\"attached\",\"id\":\"" + attach.get("id").asText() + "\",\"channel\":\""
                    + attach.get("channel").asText() + "\",\"serial\":" + (serial == null ? "null" : "\"" + serial + "\"")
                    + ",\"resumed\":false,\"code\":410}");
        }

        /** Answers a request with an error frame carrying its id. */
        void error(JsonNode request, int code, String message) throws IOException {
            send("{\"type\":\"error\",\"id\":\"" + request.get("id").asText() + "\",\"code\":" + code
                    + ",\"message\":\"" + message + "\"}");
        }

        /** Answers a publish or presence request with an ack. */
        void ack(JsonNode request, String serial) throws IOException {
            send("{\"type\":\"ack\",\"id\":\"" + request.get("id").asText() + "\""
                    + (serial == null ? "" : ",\"serial\":\"" + serial + "\"")
                    + (request.hasNonNull("msgId") ? ",\"msgId\":\"" + request.get("msgId").asText() + "\"" : "")
                    + "}");
        }

        /** No frame of the given type arrives within {@code wait}: for proving the client does not send one. */
        JsonNode pollFor(String type, Duration wait) throws InterruptedException {
            long deadline = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode frame = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (frame != null && type.equals(frame.path("type").asText())) {
                    return frame;
                }
            }
            return null;
        }

        void connected(String connectionId, long heartbeatMs) throws IOException {
            connected(connectionId, heartbeatMs, "eu");
        }

        void connected(String connectionId, long heartbeatMs, String region) throws IOException {
            send("{\"type\":\"connected\",\"connectionId\":\"" + connectionId + "\",\"clientId\":\"alice\","
                    + "\"region\":\"" + region + "\",\"node\":\"edge-1\",\"heartbeatMs\":" + heartbeatMs + "}");
        }

        void message(String channel, String serial, String data) throws IOException {
            send(messageFrame(channel, serial, data));
        }

        static String messageFrame(String channel, String serial, String data) {
            return "{\"type\":\"message\",\"channel\":\"" + channel + "\",\"serial\":\"" + serial
                    + "\",\"msgId\":\"m-" + serial + "\",\"name\":\"n\",\"data\":" + data
                    + ",\"clientId\":\"bob\",\"region\":\"eu\",\"timestamp\":1}";
        }

        void send(String text) throws IOException {
            writeFrame(0x81, text.getBytes(StandardCharsets.UTF_8));
        }

        /** Sends one text message as {@code pieces} frames: the client must reassemble it. */
        void sendFragmented(String text, int pieces) throws IOException {
            byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
            int size = (bytes.length + pieces - 1) / pieces;
            for (int i = 0, off = 0; off < bytes.length; i++, off += size) {
                int len = Math.min(size, bytes.length - off);
                boolean fin = off + len >= bytes.length;
                int opcode = i == 0 ? 0x1 : 0x0;
                byte[] part = new byte[len];
                System.arraycopy(bytes, off, part, 0, len);
                writeFrame((fin ? 0x80 : 0) | opcode, part);
            }
        }

        void closeWith(int code, String reason) throws IOException {
            byte[] r = reason.getBytes(StandardCharsets.UTF_8);
            byte[] payload = new byte[2 + r.length];
            payload[0] = (byte) (code >> 8);
            payload[1] = (byte) code;
            System.arraycopy(r, 0, payload, 2, r.length);
            closeSent = true;
            writeFrame(0x88, payload);
        }

        /** Drops the TCP connection without a close frame, as a crashed node would. */
        void kill() {
            try {
                socket.shutdownOutput();
            } catch (IOException ignored) {
                // Already gone; close below is all that is left to do.
            }
            closeQuietly(socket);
        }

        private synchronized void writeFrame(int first, byte[] payload) throws IOException {
            ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 10);
            frame.write(first);
            if (payload.length < 126) {
                frame.write(payload.length);
            } else if (payload.length < 65536) {
                frame.write(126);
                frame.write(payload.length >> 8);
                frame.write(payload.length);
            } else {
                frame.write(127);
                for (int shift = 56; shift >= 0; shift -= 8) {
                    frame.write((int) ((long) payload.length >> shift));
                }
            }
            frame.write(payload);
            out.write(frame.toByteArray());
            out.flush();
        }

        /** Applies the rate limit to one text frame: true to handle it, false when it was refused. */
        private boolean admit() throws IOException {
            if (rateLimiter == null) {
                return true;
            }
            if (closedForAbuse) {
                // Closing: the real node reads nothing more either.
                return false;
            }
            switch (rateLimiter.acquire()) {
                case ALLOW -> {
                    return true;
                }
                case REFUSE -> {
                    refusals.incrementAndGet();
                    send("{\"type\":\"error\",\"code\":429,\"message\":\"rate limit exceeded\"}");
                    return false;
                }
                default -> {
                    refusals.incrementAndGet();
                    closedForAbuse = true;
                    send("{\"type\":\"error\",\"code\":429,\"message\":\"rate limit exceeded repeatedly; closing\"}");
                    closeWith(1008, "rate limit exceeded repeatedly");
                    return false;
                }
            }
        }

        void readLoop() {
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            try {
                DataInputStream in = new DataInputStream(socket.getInputStream());
                while (true) {
                    int b0 = in.readUnsignedByte();
                    int b1 = in.readUnsignedByte();
                    long len = b1 & 0x7F;
                    if (len == 126) {
                        len = in.readUnsignedShort();
                    } else if (len == 127) {
                        len = in.readLong();
                    }
                    byte[] mask = new byte[4];
                    if ((b1 & 0x80) != 0) {
                        in.readFully(mask);
                    }
                    byte[] payload = new byte[(int) len];
                    in.readFully(payload);
                    for (int i = 0; i < payload.length; i++) {
                        payload[i] ^= mask[i % 4];
                    }
                    int opcode = b0 & 0x0F;
                    boolean fin = (b0 & 0x80) != 0;
                    switch (opcode) {
                        case 0x0, 0x1 -> {
                            message.write(payload);
                            if (fin) {
                                String text = message.toString(StandardCharsets.UTF_8);
                                message.reset();
                                if (admit()) {
                                    JsonNode frame = Json.parse(text);
                                    if (answerPings && "ping".equals(frame.path("type").asText())) {
                                        send("{\"type\":\"pong\",\"id\":\"" + frame.path("id").asText() + "\"}");
                                    } else {
                                        received.add(frame);
                                    }
                                }
                            }
                        }
                        case 0x8 -> {
                            closeCodeFromClient = payload.length >= 2
                                    ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                            if (!closeSent) {
                                writeFrame(0x88, payload.length >= 2 ? new byte[] {payload[0], payload[1]} : new byte[0]);
                            }
                            kill();
                            return;
                        }
                        case 0x9 -> writeFrame(0x8A, payload);
                        default -> { }
                    }
                }
            } catch (IOException e) {
                kill();
            }
        }
    }
}
