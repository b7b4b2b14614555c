package io.heliograph.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A lean WebSocket client for the load process on plain {@code java.nio}: N threads, each with one selector and
 * non-blocking sockets. It does the HTTP/1.1 upgrade itself and reads frames with {@link WsFrames.Reader}; message
 * frames go to the {@link LoadSocket.MessageSink} as text without a JSON parse (the sink reads the payload numbers
 * with {@link LatencyPayload}); the rare control frames are parsed with Jackson. Pings are answered with masked pongs.
 */
final class NioLoad implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Loop> loops = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    NioLoad(int threads) throws IOException {
        for (int i = 0; i < Math.max(1, threads); i++) {
            Loop loop = new Loop(Selector.open());
            loops.add(loop);
            Thread t = new Thread(loop, "load-nio-" + i);
            t.setDaemon(true);
            t.start();
        }
    }

    /** Opens a socket; the future completes with it once the server's {@code connected} frame has arrived. */
    CompletableFuture<Socket> open(URI wsUrl, String token, LoadSocket.MessageSink sink, Duration timeout) {
        Loop loop = loops.get(Math.floorMod(next.getAndIncrement(), loops.size()));
        Socket s = new Socket(loop, wsUrl, token, sink);
        loop.run(s::start);
        return s.connected.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((ok, failed) -> {
                    if (failed != null) {
                        s.abort();
                    }
                })
                .thenApply(frame -> s);
    }

    @Override
    public void close() {
        loops.forEach(Loop::stop);
    }

    /** One selector thread. */
    private static final class Loop implements Runnable {
        private final Selector selector;
        private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
        private volatile boolean running = true;

        Loop(Selector selector) {
            this.selector = selector;
        }

        void run(Runnable task) {
            tasks.add(task);
            selector.wakeup();
        }

        void stop() {
            running = false;
            selector.wakeup();
        }

        @Override
        public void run() {
            try {
                while (running) {
                    selector.select(this::ready);
                    Runnable task;
                    while ((task = tasks.poll()) != null) {
                        try {
                            task.run();
                        } catch (RuntimeException e) {
                            System.err.println("[nio-load] task failed: " + e);
                        }
                    }
                }
            } catch (IOException e) {
                System.err.println("[nio-load] selector failed: " + e);
            } finally {
                for (SelectionKey k : selector.keys()) {
                    ((Socket) k.attachment()).fail(new IOException("load client stopped"));
                }
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }

        private void ready(SelectionKey key) {
            Socket s = (Socket) key.attachment();
            try {
                if (key.isConnectable()) {
                    s.finishConnect();
                }
                if (key.isValid() && key.isWritable()) {
                    s.flush();
                }
                if (key.isValid() && key.isReadable()) {
                    s.read(readBuffer);
                }
            } catch (IOException | WsFrames.ProtocolException | CancelledKeyException e) {
                s.fail(e);
            }
        }
    }

    /** One connection; all I/O happens on its loop's thread. */
    static final class Socket implements BenchSocket, WsFrames.Handler {
        private final Loop loop;
        private final URI uri;
        private final String token;
        private final LoadSocket.MessageSink sink;
        final CompletableFuture<JsonNode> connected = new CompletableFuture<>();
        private final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private volatile CompletableFuture<JsonNode> pendingAttach;
        private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
        private final WsFrames.Reader reader = new WsFrames.Reader(this);
        private SocketChannel channel;
        private SelectionKey key;
        /** Response header bytes until the upgrade completes; null afterwards. */
        private ByteBuffer handshake = ByteBuffer.allocate(1024);
        private CompletableFuture<Void> closeSent;

        Socket(Loop loop, URI uri, String token, LoadSocket.MessageSink sink) {
            this.loop = loop;
            this.uri = uri;
            this.token = token;
            this.sink = sink;
        }

        private void start() {
            try {
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                int port = uri.getPort() > 0 ? uri.getPort() : 80;
                boolean done = channel.connect(new InetSocketAddress(uri.getHost(), port));
                key = channel.register(loop.selector, done ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
                if (done) {
                    sendUpgrade();
                }
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }

        private void finishConnect() throws IOException {
            if (channel.finishConnect()) {
                key.interestOps(SelectionKey.OP_READ);
                sendUpgrade();
            }
        }

        private void sendUpgrade() throws IOException {
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                    + (uri.getRawQuery() == null ? "?" : "?" + uri.getRawQuery() + "&") + "access_token=" + token;
            String request = "GET " + path + " HTTP/1.1\r\n"
                    + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n";
            enqueue(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
        }

        /** On the loop thread: queue bytes and write what the socket takes. */
        private void enqueue(ByteBuffer b) throws IOException {
            out.add(b);
            flush();
        }

        private void flush() throws IOException {
            while (!out.isEmpty()) {
                ByteBuffer b = out.peek();
                channel.write(b);
                if (b.hasRemaining()) {
                    key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
                    return;
                }
                out.poll();
            }
            if (key.isValid()) {
                key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
            }
            if (closeSent != null && !closeSent.isDone()) {
                closeSent.complete(null);
            }
        }

        private void read(ByteBuffer buffer) throws IOException, WsFrames.ProtocolException {
            for (int rounds = 0; rounds < 16; rounds++) {
                buffer.clear();
                int n = channel.read(buffer);
                if (n < 0) {
                    fail(new IOException("connection closed by the server"));
                    return;
                }
                if (n == 0) {
                    return;
                }
                buffer.flip();
                if (handshake != null) {
                    readHandshake(buffer);
                }
                if (buffer.hasRemaining()) {
                    reader.feed(buffer);
                }
                if (reader.closed()) {
                    return;
                }
                if (n < buffer.capacity()) {
                    return;
                }
            }
        }

        private void readHandshake(ByteBuffer buffer) throws IOException {
            while (buffer.hasRemaining()) {
                if (!handshake.hasRemaining()) {
                    throw new IOException("upgrade response headers over " + handshake.capacity() + " bytes");
                }
                handshake.put(buffer.get());
                int p = handshake.position();
                if (p >= 4 && handshake.get(p - 4) == '\r' && handshake.get(p - 3) == '\n'
                        && handshake.get(p - 2) == '\r' && handshake.get(p - 1) == '\n') {
                    String head = new String(handshake.array(), 0, p, StandardCharsets.ISO_8859_1);
                    int eol = head.indexOf("\r\n");
                    String status = head.substring(0, eol);
                    if (!status.startsWith("HTTP/1.1 101")) {
                        throw new IOException("upgrade refused: " + status);
                    }
                    handshake = null;
                    return;
                }
            }
        }

        @Override
        public void onText(String text) {
            if (WsFrames.isMessage(text)) {
                sink.onMessage(text);
                return;
            }
            JsonNode frame;
            try {
                frame = JSON.readTree(text);
            } catch (IOException e) {
                sink.onControl("unparsable", null);
                return;
            }
            String type = frame.path("type").asText();
            switch (type) {
                case "connected" -> connected.complete(frame);
                case "attached" -> {
                    CompletableFuture<JsonNode> reply = pendingAttach;
                    pendingAttach = null;
                    if (reply != null) {
                        reply.complete(frame);
                    }
                }
                case "error" -> {
                    CompletableFuture<JsonNode> reply = "a".equals(frame.path("id").asText()) ? pendingAttach : null;
                    if (reply != null) {
                        pendingAttach = null;
                        reply.completeExceptionally(new IllegalStateException("attach refused: " + text));
                    } else {
                        sink.onControl(type, frame);
                    }
                }
                default -> sink.onControl(type, frame);
            }
        }

        @Override
        public void onBinary() {
            sink.onControl("binary", null);
        }

        @Override
        public void onPing(byte[] payload) {
            try {
                enqueue(WsFrames.clientFrame(WsFrames.PONG, payload));
            } catch (IOException e) {
                fail(e);
            }
        }

        @Override
        public void onClose(int code) {
            if (closeSent == null) {
                try {
                    closeSent = new CompletableFuture<>();
                    enqueue(WsFrames.clientClose(code == 1005 ? 1000 : code, ""));
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            connected.completeExceptionally(new IllegalStateException("closed " + code));
            closed.complete(code);
            closeChannel();
        }

        private void fail(Throwable e) {
            connected.completeExceptionally(e);
            CompletableFuture<JsonNode> reply = pendingAttach;
            if (reply != null) {
                reply.completeExceptionally(e);
            }
            if (closeSent != null) {
                closeSent.complete(null);
            }
            closed.complete(-1);
            closeChannel();
        }

        private void closeChannel() {
            if (key != null) {
                key.cancel();
            }
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
        }

        @Override
        public CompletableFuture<JsonNode> attach(String channelName, Duration timeout) {
            CompletableFuture<JsonNode> reply = new CompletableFuture<>();
            synchronized (this) {
                if (pendingAttach != null) {
                    return CompletableFuture.failedFuture(new IllegalStateException("attach already in flight"));
                }
                pendingAttach = reply;
            }
            ByteBuffer frame = WsFrames.clientText("{\"type\":\"attach\",\"id\":\"a\",\"channel\":\"" + channelName + "\"}");
            loop.run(() -> {
                try {
                    enqueue(frame);
                } catch (IOException | RuntimeException e) {
                    fail(e);
                }
            });
            return reply.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        CompletableFuture<Integer> closed() {
            return closed;
        }

        @Override
        public boolean isOpen() {
            return !closed.isDone();
        }

        @Override
        public CompletableFuture<?> close() {
            if (closed.isDone()) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> sent = new CompletableFuture<>();
            loop.run(() -> {
                if (closed.isDone() || closeSent != null || channel == null || !channel.isOpen()) {
                    sent.complete(null);
                    return;
                }
                closeSent = sent;
                try {
                    enqueue(WsFrames.clientClose(1000, "bench done"));
                } catch (IOException | RuntimeException e) {
                    fail(e);
                }
            });
            return sent;
        }

        @Override
        public void abort() {
            loop.run(() -> fail(new IOException("aborted")));
            closed.complete(-1);
        }
    }
}
