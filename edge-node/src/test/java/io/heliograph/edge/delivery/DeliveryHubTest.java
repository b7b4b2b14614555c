package io.heliograph.edge.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.heliograph.edge.testing.TestNodes;
import io.heliograph.protocol.Json;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.AppendResult;
import io.heliograph.region.channel.HistoryLimits;
import io.heliograph.region.channel.InMemoryChannelLog;
import io.heliograph.region.channel.PublishRequest;

class DeliveryHubTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final InMemoryChannelLog log = new InMemoryChannelLog(new HistoryLimits(1000, 3_600_000, 120_000),
            System::currentTimeMillis);
    private final DeliveryHub hub = new DeliveryHub(log, "node", timer, 20, DeliveryMetrics.NONE);

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    static final class Sink implements Subscriber {
        final String id;
        final ConcurrentLinkedQueue<String> serials = new ConcurrentLinkedQueue<>();

        Sink(String id) {
            this.id = id;
        }

        @Override
        public String connectionId() {
            return id;
        }

        @Override
        public Offer offer(OutboundFrame frame) {
            var node = Json.parse(frame.text());
            if ("message".equals(node.get("type").asText())) {
                serials.add(node.get("serial").asText());
            }
            return Offer.QUEUED;
        }

        @Override
        public boolean awaitRoom(int frames, long bytes, long timeoutNs) {
            return true;
        }

        @Override
        public void abandon(Abandon why) {
        }
    }

    private void publish(String channel, String msgId) {
        AppendResult r = log.append(channel, 1, new PublishRequest(msgId, null, "1", "c", "r", System.currentTimeMillis()));
        if (r.interestedNodes().contains("node")) {
            hub.onMessage(r.message());
        }
    }

    @Test
    void attachDetachChurnNeverStrandsASubscriberOrLeaksInterest() throws Exception {
        String channel = "churn";
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicInteger published = new AtomicInteger();
        List<Future<?>> work = new java.util.ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int thread = t;
            work.add(pool.submit(() -> {
                for (int i = 0; i < 300; i++) {
                    Sink s = new Sink("t" + thread + "-" + i);
                    hub.subscribe(channel, s, null, false, r -> "{\"type\":\"attached\"}");
                    hub.unsubscribe(channel, s.id);
                }
            }));
        }
        work.add(pool.submit(() -> {
            for (int i = 0; i < 300; i++) {
                publish(channel, "m" + published.incrementAndGet());
            }
        }));
        for (Future<?> f : work) {
            f.get();
        }
        pool.shutdown();
        assertEquals(0, hub.channelCount(), "no dispatcher left behind");
        assertTrue(log.append(channel, 1, new PublishRequest("probe", null, "1", "c", "r", System.currentTimeMillis()))
                .interestedNodes().isEmpty(), "interest withdrawn with the last subscriber");

        Sink stable = new Sink("stable");
        hub.subscribe(channel, stable, null, false, r -> "{\"type\":\"attached\"}");
        publish(channel, "after-1");
        publish(channel, "after-2");
        TestNodes.await("stable subscriber served", Duration.ofSeconds(5), () -> stable.serials.size() == 2);
        assertEquals(Set.of(Serial.of(1, 302).toString(), Serial.of(1, 303).toString()), Set.copyOf(stable.serials));
    }

    @Test
    void aLostFanOutIsFilledFromHistoryWhenTheNextMessageArrives() {
        Sink sink = new Sink("s");
        hub.subscribe("gap", sink, null, false, r -> "{\"type\":\"attached\"}");
        log.append("gap", 1, new PublishRequest("lost", null, "1", "c", "r", System.currentTimeMillis()));
        publish("gap", "next");
        TestNodes.await("gap filled", Duration.ofSeconds(5), () -> sink.serials.size() == 2);
        assertEquals(List.of("1:1", "1:2"), List.copyOf(sink.serials));
    }

    @Test
    void aLostFanOutOfTheLastMessageIsDeliveredOnceTheChannelGoesQuiet() {
        Sink sink = new Sink("s");
        hub.subscribe("tail", sink, null, false, r -> "{\"type\":\"attached\"}");
        publish("tail", "first");
        // Sequenced and stored, but its fan-out is lost, and nothing follows it.
        log.append("tail", 1, new PublishRequest("lost-last", null, "1", "c", "r", System.currentTimeMillis()));
        TestNodes.await("the last message delivered after the quiet period", Duration.ofSeconds(5),
                () -> sink.serials.size() == 2);
        assertEquals(List.of("1:1", "1:2"), List.copyOf(sink.serials));
    }
}
