package io.heliograph.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pacer on a clock the test moves: it sends only what the bucket allows, in order, and never more. */
class OutboundPacerTest {

    private final AtomicLong nowNs = new AtomicLong(1_000_000);
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final AtomicLong paced = new AtomicLong();

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    /** Edge limit 1,000/s burst 8: the pacer bursts 4 and then sends 900/s. */
    private OutboundPacer pacer() {
        return new OutboundPacer(sent::add, timers, 1000, 8, nowNs::get, paced);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(1);
        }
    }

    /** Lets the pacer's timer run a few rounds on the frozen clock: nothing new may leave. */
    private void settle() throws Exception {
        for (int i = 0; i < 5; i++) {
            timers.schedule(() -> { }, 2, TimeUnit.MILLISECONDS).get(1, TimeUnit.SECONDS);
        }
    }

    @Test
    void sendsHalfTheEdgesBurstAtOnceThenOnlyAsTimeAllowsInOrder() throws Exception {
        OutboundPacer pacer = pacer();
        IntStream.range(0, 10).forEach(i -> pacer.send("f" + i, () -> true));
        await(() -> sent.size() == 4, "the burst");
        settle();
        assertEquals(4, sent.size(), "no more than the burst while the clock stands still");
        assertEquals(6, pacer.waiting());

        nowNs.addAndGet(Duration.ofMillis(3).toNanos()); // 900/s: 2.7 tokens
        await(() -> sent.size() == 6, "two more after 3 ms");
        settle();
        assertEquals(6, sent.size());

        nowNs.addAndGet(Duration.ofMillis(100).toNanos());
        await(() -> sent.size() == 10, "the rest");
        assertEquals(IntStream.range(0, 10).mapToObj(i -> "f" + i).toList(), sent);
        // The six beyond the burst certainly waited; the first few may have left before the next was queued.
        long delayed = paced.get();
        org.junit.jupiter.api.Assertions.assertTrue(delayed >= 6 && delayed <= 9,
                "the frames beyond the burst waited behind others: " + delayed);
    }

    @Test
    void aFrameWhoseRequestWasGivenUpIsDropped() throws Exception {
        OutboundPacer pacer = pacer();
        pacer.send("keep-1", () -> true);
        pacer.send("given-up", () -> false);
        pacer.send("keep-2", () -> true);
        await(() -> sent.size() == 2, "the wanted frames");
        settle();
        assertEquals(List.of("keep-1", "keep-2"), sent);
    }

    @Test
    void aRefusalByTheEdgePausesSendingForASecond() throws Exception {
        OutboundPacer pacer = pacer();
        pacer.refusedByEdge();
        pacer.send("after-refusal", () -> true);
        settle();
        nowNs.addAndGet(Duration.ofMillis(900).toNanos());
        settle();
        assertEquals(List.of(), sent, "still paused");
        nowNs.addAndGet(Duration.ofMillis(101).toNanos());
        await(() -> sent.size() == 1, "sent once the pause is over");
    }

    @Test
    void closeDropsWhatWaitsAndRefusesMore() throws Exception {
        OutboundPacer pacer = pacer();
        IntStream.range(0, 6).forEach(i -> pacer.send("f" + i, () -> true));
        await(() -> sent.size() == 4, "the burst");
        pacer.close();
        pacer.send("late", () -> true);
        nowNs.addAndGet(Duration.ofSeconds(1).toNanos());
        settle();
        assertEquals(4, sent.size());
        assertEquals(0, pacer.waiting());
    }

    @Test
    void aDroppedFrameGivesItsTokenBack() throws Exception {
        OutboundPacer pacer = pacer();
        IntStream.range(0, 3).forEach(i -> pacer.send("given-up-" + i, () -> false));
        IntStream.range(0, 4).forEach(i -> pacer.send("f" + i, () -> true));
        await(() -> sent.size() == 4, "the whole burst for the wanted frames");
        assertEquals(List.of("f0", "f1", "f2", "f3"), sent);
    }

    /**
     * An edge whose real limit is below the configured one keeps refusing: each refusal halves the pacer's rate, so
     * it gets under any limit within a few refusals instead of the burst's worth that earns a 1008.
     */
    @Test
    void eachRefusalHalvesTheRate() throws Exception {
        OutboundPacer pacer = pacer();
        pacer.refusedByEdge();
        pacer.refusedByEdge();
        nowNs.addAndGet(Duration.ofSeconds(1).toNanos()); // past the pause, with a full bucket of 4
        IntStream.range(0, 10).forEach(i -> pacer.send("f" + i, () -> true));
        await(() -> sent.size() == 4, "the burst after the pause");
        nowNs.addAndGet(Duration.ofMillis(10).toNanos()); // 900/s would give 4 (the cap); 900/4 = 225/s gives 2.25
        await(() -> sent.size() >= 6, "two frames in 10 ms");
        timers.schedule(() -> { }, 120, TimeUnit.MILLISECONDS).get(1, TimeUnit.SECONDS); // past a drain's longest sleep
        assertEquals(6, sent.size(), "at a quarter of the rate after two refusals");
    }
}
