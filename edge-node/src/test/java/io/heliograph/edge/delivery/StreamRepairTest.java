package io.heliograph.edge.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import io.heliograph.edge.testing.TestNodes;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.Json;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.AppendResult;
import io.heliograph.region.channel.AttachResult;
import io.heliograph.region.channel.ChannelLog;
import io.heliograph.region.channel.HistoryLimits;
import io.heliograph.region.channel.HistoryPage;
import io.heliograph.region.channel.InMemoryChannelLog;
import io.heliograph.region.channel.PublishRequest;

/**
 * The hub's stream repair against a log whose reads can be slowed and failed, and subscribers with a real bounded
 * queue: every subscriber gets a contiguous stream, whatever races with its attach.
 */
class StreamRepairTest {

    private static final String ATTACHED = "{\"type\":\"attached\"}";

    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    private final InMemoryChannelLog memory = new InMemoryChannelLog(new HistoryLimits(10_000, 3_600_000, 120_000),
            System::currentTimeMillis);
    private final ScriptedLog log = new ScriptedLog(memory);
    private final ChannelDispatcherTest.CountingMetrics metrics = new ChannelDispatcherTest.CountingMetrics();
    private final DeliveryHub hub = new DeliveryHub(log, "node", timer, 20, metrics);

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    /** A log whose history reads can be slowed or failed, and whose attach can run code after answering. */
    static final class ScriptedLog implements ChannelLog {
        final ChannelLog delegate;
        final AtomicInteger failHistory = new AtomicInteger();
        final AtomicLong historyDelayMs = new AtomicLong();
        final AtomicLong historyCalls = new AtomicLong();
        final AtomicInteger readsInFlight = new AtomicInteger();
        final AtomicInteger mostReadsInFlight = new AtomicInteger();
        volatile Runnable afterAttach;

        ScriptedLog(ChannelLog delegate) {
            this.delegate = delegate;
        }

        @Override
        public AppendResult append(String channel, long epoch, PublishRequest request, boolean heldUntilCommitted,
                                   boolean requireSettled) {
            return delegate.append(channel, epoch, request, heldUntilCommitted, requireSettled);
        }

        @Override
        public boolean commitPublished(String channel, Serial serial) {
            return delegate.commitPublished(channel, serial);
        }

        @Override
        public boolean settle(String channel, long epoch, Serial end) {
            return delegate.settle(channel, epoch, end);
        }

        @Override
        public io.heliograph.region.channel.ChannelState.HeldTail yieldTo(String channel, long newEpoch) {
            return delegate.yieldTo(channel, newEpoch);
        }

        @Override
        public boolean commit(String channel, Serial through) {
            return delegate.commit(channel, through);
        }

        @Override
        public HistoryPage sequencedHistory(String channel, Serial fromSerial, int limit, long maxBytes) {
            return delegate.sequencedHistory(channel, fromSerial, limit, maxBytes);
        }

        @Override
        public io.heliograph.region.channel.ReplicateResult replicate(String channel,
                io.heliograph.protocol.ChannelMessage message, Serial previous) {
            return delegate.replicate(channel, message, previous);
        }

        @Override
        public java.util.List<io.heliograph.region.channel.ReplicateResult> replicateAll(String channel,
                java.util.List<io.heliograph.region.channel.ReplicatedMessage> messages) {
            return delegate.replicateAll(channel, messages);
        }

        @Override
        public io.heliograph.region.channel.ReplicateResult replicateRestarting(String channel,
                io.heliograph.protocol.ChannelMessage message, Serial previous) {
            return delegate.replicateRestarting(channel, message, previous);
        }

        @Override
        public boolean fence(String channel, long newEpoch, Serial endOfCurrent) {
            return delegate.fence(channel, newEpoch, endOfCurrent);
        }

        @Override
        public AttachResult attach(String channel, String nodeId, Serial fromSerial) {
            AttachResult result = delegate.attach(channel, nodeId, fromSerial);
            Runnable hook = afterAttach;
            afterAttach = null;
            if (hook != null) {
                hook.run();
            }
            return result;
        }

        @Override
        public void detach(String channel, String nodeId) {
            delegate.detach(channel, nodeId);
        }

        @Override
        public HistoryPage history(String channel, Serial fromSerial, int limit, long maxBytes) {
            historyCalls.incrementAndGet();
            if (failHistory.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new HeliographException(ErrorCode.UNAVAILABLE, "region storage unavailable");
            }
            mostReadsInFlight.accumulateAndGet(readsInFlight.incrementAndGet(), Math::max);
            try {
                long delay = historyDelayMs.get();
                if (delay > 0) {
                    try {
                        Thread.sleep(delay); // a slow storage read: widens the window the old code raced in
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return delegate.history(channel, fromSerial, limit, maxBytes);
            } finally {
                readsInFlight.decrementAndGet();
            }
        }

        @Override
        public Map<String, Serial> latest(Collection<String> channels) {
            return delegate.latest(channels);
        }

        @Override
        public void forgetNode(String nodeId) {
            delegate.forgetNode(nodeId);
        }

        @Override
        public java.util.Set<String> interestedNodesOtherThan(java.util.Set<String> live) {
            return delegate.interestedNodesOtherThan(live);
        }

        @Override
        public void expireAll() {
            delegate.expireAll();
        }
    }

    /** A subscriber with a queue bounded in bytes, drained by a reader of its own at a bounded pace. */
    static final class QueueSink implements Subscriber {
        final String id;
        final List<String> types = new CopyOnWriteArrayList<>();
        final List<Long> seqs = new CopyOnWriteArrayList<>();
        final long capacityBytes;
        volatile Abandon abandoned;
        volatile boolean full;
        private long queuedBytes;
        private final java.util.ArrayDeque<OutboundFrame> queue = new java.util.ArrayDeque<>();

        QueueSink(String id, long capacityBytes, long drainBytesPerSecond) {
            this.id = id;
            this.capacityBytes = capacityBytes;
            if (drainBytesPerSecond > 0) {
                Thread.ofVirtual().start(() -> drain(drainBytesPerSecond));
            }
        }

        QueueSink(String id) {
            this(id, Long.MAX_VALUE, 0);
        }

        @Override
        public String connectionId() {
            return id;
        }

        @Override
        public synchronized Offer offer(OutboundFrame frame) {
            if (abandoned != null || full) {
                return Offer.CLOSED;
            }
            if (capacityBytes == Long.MAX_VALUE) {
                record(frame);
                return Offer.QUEUED;
            }
            if (queuedBytes + frame.wire().length > capacityBytes) {
                full = true;
                return Offer.FULL;
            }
            queue.add(frame);
            queuedBytes += frame.wire().length;
            return Offer.QUEUED;
        }

        private void record(OutboundFrame frame) {
            var node = Json.parse(frame.text());
            types.add(node.get("type").asText());
            if ("message".equals(node.get("type").asText())) {
                seqs.add(Serial.parse(node.get("serial").asText()).seq());
            }
        }

        private void drain(long bytesPerSecond) {
            try {
                while (abandoned == null && !full) {
                    OutboundFrame next;
                    synchronized (this) {
                        next = queue.poll();
                        if (next != null) {
                            queuedBytes -= next.wire().length;
                        }
                        notifyAll();
                    }
                    if (next == null) {
                        Thread.sleep(1);
                        continue;
                    }
                    record(next);
                    long micros = next.wire().length * 1_000_000L / bytesPerSecond;
                    TimeUnit.MICROSECONDS.sleep(micros); // the client's socket reads at a bounded pace
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public synchronized boolean awaitRoom(int frames, long bytes, long timeoutNs) throws InterruptedException {
            long deadline = System.nanoTime() + timeoutNs;
            while (!(queue.isEmpty() || queuedBytes + bytes <= capacityBytes / 2)) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || abandoned != null) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return abandoned == null;
        }

        @Override
        public void abandon(Abandon why) {
            abandoned = why;
        }

        long last() {
            return seqs.isEmpty() ? 0 : seqs.get(seqs.size() - 1);
        }
    }

    private void publish(String channel, String msgId) {
        publish(channel, msgId, "1");
    }

    private void publish(String channel, String msgId, String data) {
        AppendResult r = log.append(channel, 1,
                new PublishRequest(msgId, null, data, "c", "r", System.currentTimeMillis()));
        if (r.interestedNodes().contains("node")) {
            hub.onMessage(r.message());
        }
    }

    private static void assertContiguous(String who, List<Long> seqs, long first, long last) {
        List<Long> got = List.copyOf(seqs);
        for (int i = 0; i < got.size(); i++) {
            assertEquals(first + i, got.get(i), who + " receives every serial once, in order (index " + i + ")");
        }
        assertEquals(last - first + 1, got.size(), who + " receives " + first + ".." + last);
    }

    @Test
    void aSubscriberThatIsBackfillingReceivesNoLiveMessageAheadOfItsBackfill() throws Exception {
        QueueSink warm = new QueueSink("warm");
        hub.subscribe("ch", warm, null, false, r -> ATTACHED);
        log.historyDelayMs.set(5);
        // Between the late subscriber's attach and its joining the dispatcher, 300 messages pass this node: more
        // than the recent buffer holds, so it must read history while live messages keep coming.
        Thread[] live = new Thread[1];
        log.afterAttach = () -> {
            for (int i = 0; i < 300; i++) {
                publish("ch", "a" + i);
            }
            live[0] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 200; i++) {
                    publish("ch", "l" + i);
                }
            });
        };
        QueueSink late = new QueueSink("late");
        hub.subscribe("ch", late, null, false, r -> ATTACHED);
        live[0].join();
        TestNodes.await("the late subscriber reaches 1:500", Duration.ofSeconds(10), () -> late.last() == 500);
        assertContiguous("late", late.seqs, 1, 500);
        assertContiguous("warm", warm.seqs, 1, 500);
    }

    @RepeatedTest(5)
    void concurrentAttachesUnderPublishingEachSeeContiguousSerials() throws Exception {
        for (int i = 0; i < 300; i++) {
            publish("busy", "pre" + i);
        }
        log.historyDelayMs.set(2);
        Serial[] from = {null, Serial.of(1, 0), Serial.of(1, 10), Serial.of(1, 150), Serial.of(1, 299), null,
            Serial.of(1, 1), Serial.of(1, 200)};
        List<QueueSink> sinks = new ArrayList<>();
        List<Long> firstExpected = new CopyOnWriteArrayList<>(new Long[from.length]);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < from.length; t++) {
            QueueSink sink = new QueueSink("s" + t);
            sinks.add(sink);
            int index = t;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                AttachResult r = hub.subscribe("busy", sink, from[index], false, a -> ATTACHED);
                Serial cursor = from[index] != null ? from[index] : r.latest();
                firstExpected.set(index, cursor == null ? 1 : cursor.seq() + 1);
            }));
        }
        Thread publisher = Thread.ofPlatform().start(() -> {
            try {
                start.await();
            } catch (InterruptedException e) {
                return;
            }
            for (int i = 0; i < 500; i++) {
                publish("busy", "live" + i);
            }
        });
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        publisher.join();
        // A subscriber without fromSerial whose attach came after the last publish has nothing to receive.
        TestNodes.await("every subscriber reaches 1:800", Duration.ofSeconds(15), () -> {
            for (int t = 0; t < sinks.size(); t++) {
                if (sinks.get(t).last() != 800 && firstExpected.get(t) <= 800) {
                    return false;
                }
            }
            return true;
        });
        for (int t = 0; t < sinks.size(); t++) {
            assertContiguous(sinks.get(t).id, sinks.get(t).seqs, firstExpected.get(t), 800);
            assertEquals("attached", sinks.get(t).types.get(0), "the attach answer comes first");
        }
        assertEquals(0, metrics.unrecoverable.get());
    }

    @Test
    void aClientFarBehindResumesThroughItsBoundedQueueAtItsOwnPace() {
        String big = "\"" + "z".repeat(60 * 1024) + "\"";
        for (int i = 0; i < 200; i++) {
            publish("large", "m" + i, big);
        }
        // 12 MiB behind, with an 8 MiB queue its socket drains at 20 MiB/s: paced pages never overflow it.
        QueueSink sink = new QueueSink("far", 8L << 20, 20L << 20);
        hub.subscribe("large", sink, Serial.of(1, 0), false, r -> ATTACHED);
        TestNodes.await("all 200 delivered", Duration.ofSeconds(20), () -> sink.last() == 200);
        assertFalse(sink.full, "the queue never overflowed");
        assertContiguous("far", sink.seqs, 1, 200);
        assertTrue(log.historyCalls.get() >= 200 * 60 / 256, "read in pages of at most 256 KiB");
    }

    @Test
    void aMassResumeReadsAtMostThirtyTwoPagesAtOnceAndEveryoneCatchesUp() {
        for (int i = 0; i < 50; i++) {
            publish("crowd", "m" + i);
        }
        log.historyDelayMs.set(20);
        // 200 clients resume at once on a node that has delivered nothing of the channel yet: each needs history.
        List<QueueSink> resumed = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            QueueSink sink = new QueueSink("r" + i);
            resumed.add(sink);
            hub.subscribe("crowd", sink, Serial.of(1, 0), false, r -> ATTACHED);
        }
        TestNodes.await("every resumed subscriber has all 50", Duration.ofSeconds(30),
                () -> resumed.stream().allMatch(s -> s.last() == 50));
        assertTrue(log.mostReadsInFlight.get() <= StreamRepair.MAX_CONCURRENT_READS,
                "history reads at once: " + log.mostReadsInFlight.get());
        for (QueueSink sink : resumed) {
            assertContiguous(sink.id, sink.seqs, 1, 50);
        }
    }

    @Test
    void aFailedHistoryReadIsRetriedAndTheAttachIsAnsweredOnce() {
        QueueSink warm = new QueueSink("warm");
        hub.subscribe("f", warm, null, false, r -> ATTACHED);
        log.afterAttach = () -> {
            for (int i = 0; i < 300; i++) {
                publish("f", "a" + i);
            }
        };
        log.failHistory.set(2);
        QueueSink sink = new QueueSink("s");
        hub.subscribe("f", sink, null, false, r -> ATTACHED);
        TestNodes.await("caught up after the failed reads", Duration.ofSeconds(10), () -> sink.last() == 300);
        assertContiguous("s", sink.seqs, 1, 300);
        assertEquals(1, sink.types.stream().filter("attached"::equals).count());
        assertEquals(null, sink.abandoned);
    }

    @Test
    void aCatchUpThatStorageKeepsRefusingClosesTheSubscriberToResumeInsteadOfLeavingItSilent() {
        QueueSink warm = new QueueSink("warm");
        hub.subscribe("down", warm, null, false, r -> ATTACHED);
        log.afterAttach = () -> {
            for (int i = 0; i < 300; i++) {
                publish("down", "a" + i);
            }
        };
        log.failHistory.set(1_000);
        QueueSink sink = new QueueSink("s");
        hub.subscribe("down", sink, null, false, r -> ATTACHED);
        TestNodes.await("abandoned", Duration.ofSeconds(15), () -> sink.abandoned != null);
        assertEquals(Subscriber.Abandon.REPAIR_FAILED, sink.abandoned);
        assertEquals(List.of("attached"), sink.types, "one answer, no error after it");
    }

    @Test
    void aLostFanOutOfTheFirstMessageAfterAQuietSpellIsDelivered() {
        QueueSink sink = new QueueSink("s");
        hub.subscribe("quiet", sink, null, false, r -> ATTACHED);
        // Sequenced and stored, but its fan-out is lost, and nothing arrives on the channel before or after it.
        log.append("quiet", 1, new PublishRequest("lost", null, "1", "c", "r", System.currentTimeMillis()));
        TestNodes.await("delivered by the quiet-channel sweep", Duration.ofSeconds(4), () -> sink.last() == 1);
        publish("quiet", "next");
        TestNodes.await("and the stream goes on", Duration.ofSeconds(2), () -> sink.last() == 2);
        assertContiguous("s", sink.seqs, 1, 2);
    }

    @Test
    void aSubscriberDroppedInsideTheDispatcherLeaksNeitherDispatcherNorInterest() {
        QueueSink sink = new QueueSink("s");
        hub.subscribe("leak", sink, null, false, r -> ATTACHED);
        sink.abandon(Subscriber.Abandon.SLOW); // now refuses every frame, as a closing connection does
        publish("leak", "m1");
        TestNodes.await("dispatcher closed", Duration.ofSeconds(2), () -> hub.channelCount() == 0);
        assertTrue(log.append("leak", 1, new PublishRequest("p", null, "1", "c", "r", System.currentTimeMillis()))
                .interestedNodes().isEmpty(), "interest withdrawn");
        assertFalse(hub.unsubscribe("leak", "s"));
        assertEquals(1, metrics.closed.get(), "counted as a closed connection, not as a slow consumer");
        assertEquals(0, metrics.slow.get());
    }
}
