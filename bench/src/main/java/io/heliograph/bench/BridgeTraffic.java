package io.heliograph.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The bridge bench's clients: one subscriber per region attached to every bench channel (the lean {@link NioLoad}
 * client), and per publishing region a pool of publisher connections ({@link LoadSocket}, as the fan-out bench's
 * publishers) of which each has at most one publish unanswered, because an edge node runs a connection's requests one
 * at a time and a second publish would wait behind the first's ack. Every publish carries its send time
 * ({@link LatencyPayload}, {@code System.nanoTime()} of this one JVM) and a msgId {@code <phase>.<region>.<seq>}, so
 * that every receipt and every ack is filed under its phase, publishing region and (for receipts) receiving region,
 * with each sample's send time and latency kept whole: percentiles by any time window afterwards, and exact loss and
 * duplicate counts (a bit per sequence number).
 */
final class BridgeTraffic implements AutoCloseable {

    /** Where a sample came from: {@code sub} is the receiving region's index, or {@link #ACK} for publish acks. */
    record Key(int phase, int pub, int sub) {
    }

    static final int ACK = -1;

    /** Samples of one path: send time and latency of each, which sequence numbers came, and how often twice. */
    static final class Samples {
        private long[] sendNs = new long[1024];
        private long[] latencyNs = new long[1024];
        private int count;
        private final BitSet seen = new BitSet();
        private long duplicates;
        private long outOfOrder;

        synchronized void add(long seq, long sentNs, long latency) {
            if (seq >= 0 && seq <= Integer.MAX_VALUE) {
                if (seen.get((int) seq)) {
                    duplicates++;
                    return;
                }
                seen.set((int) seq);
            }
            if (count == sendNs.length) {
                sendNs = Arrays.copyOf(sendNs, count * 2);
                latencyNs = Arrays.copyOf(latencyNs, count * 2);
            }
            sendNs[count] = sentNs;
            latencyNs[count] = latency;
            count++;
        }

        synchronized void outOfOrder() {
            outOfOrder++;
        }

        synchronized int count() {
            return count;
        }

        synchronized long duplicates() {
            return duplicates;
        }

        synchronized long outOfOrderCount() {
            return outOfOrder;
        }

        synchronized BitSet seen() {
            return (BitSet) seen.clone();
        }

        /** Copies of every sample's send time and latency (ns), in the order recorded. */
        synchronized long[][] raw() {
            return new long[][] {Arrays.copyOf(sendNs, count), Arrays.copyOf(latencyNs, count)};
        }
    }

    /** Percentiles of sorted latencies, in ms. */
    record Stats(int count, double p50Ms, double p99Ms, double maxMs) {
        static Stats of(long[] sortedNs) {
            if (sortedNs.length == 0) {
                return new Stats(0, Double.NaN, Double.NaN, Double.NaN);
            }
            return new Stats(sortedNs.length, at(sortedNs, 0.50), at(sortedNs, 0.99),
                    sortedNs[sortedNs.length - 1] / 1e6);
        }

        private static double at(long[] sorted, double q) {
            int i = (int) Math.ceil(q * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
        }
    }

    private final Map<Key, Samples> samples = new ConcurrentHashMap<>();
    /** Per phase and publishing region: publishes sent, errors by code. */
    private final Map<Key, LongAdder> sent = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> otherFrames = new ConcurrentHashMap<>();
    private final String token;
    private final int payloadBytes;
    private final NioLoad nio;
    private final List<HttpClient> clients = new ArrayList<>();
    private final List<NioLoad.Socket> subscribers = new ArrayList<>();
    private final List<Pool> pools = new ArrayList<>();

    BridgeTraffic(String token, int payloadBytes, int nioThreads) throws java.io.IOException {
        this.token = token;
        this.payloadBytes = payloadBytes;
        this.nio = new NioLoad(nioThreads);
        for (int i = 0; i < 2; i++) {
            // A one-thread executor per client, as in the fan-out bench: fewer hand-offs per frame.
            clients.add(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                    .executor(Executors.newFixedThreadPool(1, r -> {
                        Thread t = new Thread(r, "bridge-bench-ws");
                        t.setDaemon(true);
                        return t;
                    })).build());
        }
    }

    static String msgId(int phase, int pub, long seq) {
        return phase + "." + pub + "." + seq;
    }

    Samples samples(Key key) {
        return samples.computeIfAbsent(key, k -> new Samples());
    }

    /** Samples already recorded under {@code key}, or null. */
    Samples existing(Key key) {
        return samples.get(key);
    }

    long sent(int phase, int pub) {
        LongAdder n = sent.get(new Key(phase, pub, ACK));
        return n == null ? 0 : n.sum();
    }

    /** Error replies to publishes of {@code phase}, by code, e.g. {@code {503=4}}. */
    Map<String, Long> errors(int phase) {
        Map<String, Long> out = new java.util.TreeMap<>();
        errors.forEach((k, v) -> {
            if (k.startsWith(phase + " ")) {
                out.put(k.substring(k.indexOf(' ') + 1), v.sum());
            }
        });
        return out;
    }

    Map<String, LongAdder> otherFrames() {
        return otherFrames;
    }

    /** Subscribers closed by the server (or failed) so far. */
    long closedSubscribers() {
        return subscribers.stream().filter(s -> !s.isOpen()).count();
    }

    /** Opens one subscriber on {@code ws} for region {@code region} and attaches it to every channel. */
    void subscribe(int region, URI ws, List<String> channels) throws Exception {
        Map<String, long[]> lastSerial = new HashMap<>();
        LoadSocket.MessageSink sink = new LoadSocket.MessageSink() {
            @Override
            public void onMessage(String frame) {
                received(region, frame, lastSerial);
            }

            @Override
            public void onControl(String type, JsonNode frame) {
                String key = "subscriber " + ("error".equals(type) ? "error " + frame.path("code").asText() : type);
                otherFrames.computeIfAbsent(key, k -> new LongAdder()).increment();
            }
        };
        NioLoad.Socket socket = nio.open(ws, token, sink, Duration.ofSeconds(30)).get(40, TimeUnit.SECONDS);
        for (String channel : channels) {
            socket.attach(channel, Duration.ofSeconds(30)).get(40, TimeUnit.SECONDS);
        }
        subscribers.add(socket);
    }

    /** On the subscriber's loop thread. */
    private void received(int region, String frame, Map<String, long[]> lastSerial) {
        long nowNs = System.nanoTime();
        long sendNs = LatencyPayload.sendNs(frame);
        String msgId = field(frame, "\"msgId\":\"");
        if (sendNs < 0 || msgId == null) {
            otherFrames.computeIfAbsent("subscriber message without bench payload", k -> new LongAdder()).increment();
            return;
        }
        int dot1 = msgId.indexOf('.');
        int dot2 = msgId.indexOf('.', dot1 + 1);
        if (dot1 < 0 || dot2 < 0) {
            return;
        }
        int phase = Integer.parseInt(msgId, 0, dot1, 10);
        int pub = Integer.parseInt(msgId, dot1 + 1, dot2, 10);
        long seq = Long.parseLong(msgId, dot2 + 1, msgId.length(), 10);
        Samples s = samples(new Key(phase, pub, region));
        s.add(seq, sendNs, nowNs - sendNs);
        String channel = field(frame, "\"channel\":\"");
        String serial = field(frame, "\"serial\":\"");
        if (channel != null && serial != null) {
            int colon = serial.indexOf(':');
            long epoch = Long.parseLong(serial, 0, colon, 10);
            long n = Long.parseLong(serial, colon + 1, serial.length(), 10);
            long[] last = lastSerial.computeIfAbsent(channel, c -> new long[] {-1, -1});
            if (epoch < last[0] || epoch == last[0] && n <= last[1]) {
                s.outOfOrder();
            } else {
                last[0] = epoch;
                last[1] = n;
            }
        }
    }

    /** The string value after {@code prefix} (which ends with the opening quote), or null. */
    static String field(String frame, String prefix) {
        int at = frame.indexOf(prefix);
        if (at < 0) {
            return null;
        }
        int from = at + prefix.length();
        int end = frame.indexOf('"', from);
        return end < 0 ? null : frame.substring(from, end);
    }

    /** A pool of {@code connections} publishers in region {@code region}, on {@code ws}. */
    Pool pool(int region, URI ws, int connections) throws Exception {
        Pool pool = new Pool(region);
        List<CompletableFuture<LoadSocket>> opening = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Publisher p = new Publisher(pool);
            opening.add(LoadSocket.open(clients.get(i % clients.size()), ws, token, p, Duration.ofSeconds(30))
                    .thenApply(s -> {
                        p.socket = s;
                        return s;
                    }));
            pool.all.add(p);
        }
        for (CompletableFuture<LoadSocket> f : opening) {
            f.get(40, TimeUnit.SECONDS);
        }
        pool.idle.addAll(pool.all);
        pools.add(pool);
        return pool;
    }

    /** Publishers of one region; an idle one has no publish unanswered. */
    final class Pool {
        final int region;
        private final List<Publisher> all = new ArrayList<>();
        private final LinkedBlockingQueue<Publisher> idle = new LinkedBlockingQueue<>();
        /** Publishes that found no idle connection at once and waited for one. */
        final LongAdder waitedForConnection = new LongAdder();

        Pool(int region) {
            this.region = region;
        }

        int size() {
            return all.size();
        }

        /** Publishers with a publish unanswered. */
        int busy() {
            return all.size() - idle.size();
        }

        /**
         * Publishes {@code seq} of {@code phase} on {@code channel} from the next idle connection, waiting at most
         * {@code waitMs} for one; false when none became idle (nothing sent).
         */
        boolean publish(int phase, long seq, String channel, String durability, long waitMs)
                throws InterruptedException {
            Publisher p = idle.poll();
            if (p == null) {
                waitedForConnection.increment();
                p = idle.poll(waitMs, TimeUnit.MILLISECONDS);
                if (p == null) {
                    return false;
                }
            }
            if (!p.socket.isOpen()) {
                return false; // dropped from the pool for good
            }
            String msgId = msgId(phase, region, seq);
            long sendNs = System.nanoTime();
            String frame = "{\"type\":\"publish\",\"id\":\"" + msgId + "/" + sendNs + "\",\"channel\":\"" + channel
                    + "\",\"name\":\"b\",\"msgId\":\"" + msgId + "\",\"durability\":\"" + durability
                    + "\",\"data\":" + LatencyPayload.json(sendNs, phase, payloadBytes) + "}";
            sent.computeIfAbsent(new Key(phase, region, ACK), k -> new LongAdder()).increment();
            p.socket.send(frame);
            return true;
        }

        /**
         * Open loop: the n-th publish is due at start + n / rate, whatever happened before, until {@code duration}
         * is over or {@code stop} says so; channels in turn. Returns how many were sent.
         */
        long openLoop(int phase, double rate, Duration duration, List<String> channels, String durability,
                      AtomicLong seqs, java.util.function.BooleanSupplier stop) throws InterruptedException {
            long intervalNs = (long) (1e9 / rate);
            long beginNs = System.nanoTime();
            long endNs = beginNs + duration.toNanos();
            long n = 0;
            for (; ; n++) {
                long dueNs = beginNs + n * intervalNs;
                if (dueNs >= endNs || stop.getAsBoolean()) {
                    return n;
                }
                long waitNs = dueNs - System.nanoTime();
                if (waitNs > 0) {
                    LockSupport.parkNanos(waitNs);
                }
                long seq = seqs.getAndIncrement();
                publish(phase, seq, channels.get((int) (seq % channels.size())), durability, 1000);
            }
        }

        /** Closed loop: every connection sends its next publish as soon as its last is answered. */
        long closedLoop(int phase, Duration duration, List<String> channels, String durability, AtomicLong seqs)
                throws InterruptedException {
            long endNs = System.nanoTime() + duration.toNanos();
            long n = 0;
            while (System.nanoTime() < endNs) {
                long seq = seqs.getAndIncrement();
                if (publish(phase, seq, channels.get((int) (seq % channels.size())), durability, 1000)) {
                    n++;
                }
            }
            return n;
        }

        /** Waits until no publish is unanswered, at most {@code timeout}. */
        void awaitIdle(Duration timeout) throws InterruptedException {
            long deadlineNs = System.nanoTime() + timeout.toNanos();
            while (busy() > 0 && System.nanoTime() < deadlineNs) {
                Thread.sleep(20);
            }
        }

        long closedConnections() {
            return all.stream().filter(p -> p.socket == null || !p.socket.isOpen()).count();
        }
    }

    /** One publisher connection: its answers free it for the next publish. */
    private final class Publisher implements LoadSocket.MessageSink {
        private final Pool pool;
        volatile LoadSocket socket;

        Publisher(Pool pool) {
            this.pool = pool;
        }

        @Override
        public void onMessage(String frame) {
            otherFrames.computeIfAbsent("publisher message", k -> new LongAdder()).increment();
        }

        @Override
        public void onControl(String type, JsonNode frame) {
            long nowNs = System.nanoTime();
            String id = frame == null ? "" : frame.path("id").asText("");
            int slash = id.lastIndexOf('/');
            if (slash < 0 || !("ack".equals(type) || "error".equals(type))) {
                otherFrames.computeIfAbsent("publisher " + type, k -> new LongAdder()).increment();
                return;
            }
            String msgId = id.substring(0, slash);
            long sendNs = Long.parseLong(id, slash + 1, id.length(), 10);
            int dot1 = msgId.indexOf('.');
            int dot2 = msgId.indexOf('.', dot1 + 1);
            int phase = Integer.parseInt(msgId, 0, dot1, 10);
            long seq = Long.parseLong(msgId, dot2 + 1, msgId.length(), 10);
            if ("ack".equals(type)) {
                samples(new Key(phase, pool.region, ACK)).add(seq, sendNs, nowNs - sendNs);
            } else {
                errors.computeIfAbsent(phase + " " + frame.path("code").asText(), k -> new LongAdder()).increment();
            }
            pool.idle.add(this);
        }
    }

    @Override
    public void close() {
        List<CompletableFuture<?>> closing = new ArrayList<>();
        subscribers.forEach(s -> closing.add(s.close()));
        for (Pool pool : pools) {
            pool.all.stream().filter(p -> p.socket != null).forEach(p -> closing.add(p.socket.close()));
        }
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // aborted below
        }
        subscribers.forEach(NioLoad.Socket::abort);
        pools.forEach(pool -> pool.all.stream().filter(p -> p.socket != null).forEach(p -> p.socket.abort()));
        nio.close();
        clients.forEach(HttpClient::shutdownNow);
    }
}
