package io.heliograph.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The least a fan-out server can do, as a process of its own: it accepts WebSocket clients (upgrade answered,
 * a {@code connected} frame sent) and, when told on standard input, writes each message to every client with one
 * non-blocking {@code write} per client from a few writer threads, and nothing else: no queue per client, no JSON,
 * no sequencing, no region. Its CPU per delivery is the floor that any server writing one frame per delivery pays
 * on this machine (mostly the kernel's loopback TCP send and, on loopback, the receiver's TCP receive, which runs in
 * the sender's system call), measured by {@link KernelFloor} in the same run as the edge nodes.
 *
 * <p>Commands, one per line: {@code send <count> <intervalNs> <step> <payloadBytes>} (open-loop: message n is due at
 * start + n × interval; answers {@code sent <step> <count> <partialWrites>}), {@code quit}.
 * Usage: {@code FloorServer <port> <writerThreads>}; prints {@code listening <port>} once it accepts.
 */
public final class FloorServer {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final List<Writer> writers = new ArrayList<>();
    private final AtomicLong partialWrites = new AtomicLong();
    private final AtomicLong serial = new AtomicLong();

    private FloorServer(int writerThreads) {
        for (int i = 0; i < writerThreads; i++) {
            Writer w = new Writer();
            writers.add(w);
            Thread t = new Thread(w, "floor-writer-" + i);
            t.setDaemon(true);
            t.start();
        }
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        FloorServer server = new FloorServer(threads);
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        listener.bind(new InetSocketAddress("127.0.0.1", port), 4096);
        Thread acceptor = new Thread(() -> server.accept(listener), "floor-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        System.out.println("listening " + port);
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] p = line.trim().split(" ");
            if (p[0].equals("quit")) {
                break;
            }
            if (p[0].equals("send") && p.length == 5) {
                long before = server.partialWrites.get();
                int count = Integer.parseInt(p[1]);
                server.send(count, Long.parseLong(p[2]), Integer.parseInt(p[3]), Integer.parseInt(p[4]));
                System.out.println("sent " + p[3] + " " + count + " " + (server.partialWrites.get() - before));
                System.out.flush();
            }
        }
        listener.close();
    }

    /** Blocking accept and upgrade, one client at a time; then the client is a writer's, non-blocking. */
    private void accept(ServerSocketChannel listener) {
        int next = 0;
        long id = 0;
        while (true) {
            SocketChannel c;
            try {
                c = listener.accept();
            } catch (IOException e) {
                return;
            }
            try {
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                upgrade(c, ++id);
                c.configureBlocking(false);
                writers.get(next).clients.add(c);
                next = (next + 1) % writers.size();
            } catch (IOException | RuntimeException e) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // refused
                }
            }
        }
    }

    private static void upgrade(SocketChannel c, long id) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(8192);
        while (true) {
            if (c.read(head) < 0 || !head.hasRemaining()) {
                throw new IOException("no upgrade request");
            }
            int p = head.position();
            if (p >= 4 && head.get(p - 4) == '\r' && head.get(p - 3) == '\n' && head.get(p - 2) == '\r'
                    && head.get(p - 1) == '\n') {
                break;
            }
        }
        String request = new String(head.array(), 0, head.position(), StandardCharsets.ISO_8859_1);
        String key = null;
        for (String h : request.split("\r\n")) {
            int colon = h.indexOf(':');
            if (colon > 0 && h.substring(0, colon).trim().equalsIgnoreCase("Sec-WebSocket-Key")) {
                key = h.substring(colon + 1).trim();
            }
        }
        if (key == null) {
            throw new IOException("no Sec-WebSocket-Key");
        }
        String answer = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + acceptKey(key) + "\r\n\r\n";
        writeFully(c, ByteBuffer.wrap(answer.getBytes(StandardCharsets.ISO_8859_1)));
        writeFully(c, ByteBuffer.wrap(textFrame("{\"type\":\"connected\",\"connectionId\":\"f-" + id + "\"}")));
    }

    private static void writeFully(SocketChannel c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    private static String acceptKey(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Open-loop: message n is due at start + n × interval, whatever happened before it. */
    private void send(int count, long intervalNs, int step, int payloadBytes) {
        long start = System.nanoTime();
        for (int n = 0; n < count; n++) {
            long wait = start + n * intervalNs - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            // The size and shape of an edge node's message frame, so the kernel moves the same bytes.
            long s = serial.incrementAndGet();
            String text = "{\"type\":\"message\",\"channel\":\"bench-fanout\",\"serial\":\"1:" + s
                    + "\",\"msgId\":\"m-" + s + "-0123456789abcdef\",\"name\":\"tick\",\"data\":"
                    + LatencyPayload.json(System.nanoTime(), step, payloadBytes)
                    + ",\"clientId\":\"bench\",\"region\":\"bench\",\"timestamp\":" + System.currentTimeMillis() + "}";
            byte[] frame = textFrame(text);
            for (Writer w : writers) {
                if (!w.frames.offer(frame)) {
                    partialWrites.incrementAndGet();
                }
            }
        }
    }

    /** An unmasked text frame, as a server sends it. */
    static byte[] textFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        int header = payload.length < 126 ? 2 : 4;
        byte[] frame = new byte[header + payload.length];
        frame[0] = (byte) 0x81;
        if (header == 2) {
            frame[1] = (byte) payload.length;
        } else {
            frame[1] = 126;
            frame[2] = (byte) (payload.length >>> 8);
            frame[3] = (byte) payload.length;
        }
        System.arraycopy(payload, 0, frame, header, payload.length);
        return frame;
    }

    /** One thread writing every message to its share of the clients, one write each. */
    private final class Writer implements Runnable {
        final List<SocketChannel> clients = new CopyOnWriteArrayList<>();
        final BlockingQueue<byte[]> frames = new ArrayBlockingQueue<>(4096);
        private final ByteBuffer direct = ByteBuffer.allocateDirect(64 * 1024);

        @Override
        public void run() {
            while (true) {
                byte[] frame;
                try {
                    frame = frames.take();
                } catch (InterruptedException e) {
                    return;
                }
                direct.clear();
                direct.put(frame);
                direct.flip();
                int limit = direct.limit();
                for (SocketChannel c : clients) {
                    direct.limit(limit).position(0);
                    try {
                        c.write(direct);
                        if (direct.hasRemaining()) {
                            // A full kernel buffer: the floor does not queue; counted, and the run shows it.
                            partialWrites.incrementAndGet();
                        }
                    } catch (IOException e) {
                        clients.remove(c);
                    }
                }
            }
        }
    }
}
