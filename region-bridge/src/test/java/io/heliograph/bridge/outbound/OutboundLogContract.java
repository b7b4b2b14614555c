package io.heliograph.bridge.outbound;

import static io.heliograph.bridge.outbound.OutboundTesting.envelope;
import static io.heliograph.bridge.outbound.OutboundTesting.ofSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

/** What every {@link OutboundLog} guarantees; run against each implementation. */
public abstract class OutboundLogContract {

    private static final OutboundLimits ROOMY = new OutboundLimits(10_000, 64L * 1024 * 1024, 600_000);

    /** The clock every log of a test reads; tests move it. */
    protected final AtomicLong clock = new AtomicLong(1_000_000);

    /** A fresh log towards {@code peerRegion} (unique per call), reading {@code nowMs}. */
    protected abstract OutboundLog newLog(String peerRegion, OutboundLimits limits, LongSupplier nowMs);

    /**
     * The log that concurrent appender {@code appender} appends through: the same log by default; an engine with
     * several members gives each appender the same peer's log on another member.
     */
    protected OutboundLog appenderLog(OutboundLog log, int appender) {
        return log;
    }

    /** How many appends the concurrency test makes in all. */
    protected int concurrentAppends() {
        return 2_000;
    }

    private OutboundLog log(OutboundLimits limits) {
        return newLog("peer-" + UUID.randomUUID(), limits, clock::get);
    }

    private static List<Long> seqs(OutboundPage page) {
        return page.records().stream().map(OutboundRecord::linkSeq).toList();
    }

    private static List<Long> range(long fromInclusive, long toInclusive) {
        return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().toList();
    }

    @Test
    void appendsGetConsecutiveLinkSeqsFromOneAndReadBackInOrderWithTheirPayloads() {
        OutboundLog log = log(ROOMY);
        assertEquals(OutboundStatus.EMPTY, log.status());
        for (long i = 1; i <= 5; i++) {
            assertEquals(i, log.append(envelope(i)));
        }
        assertEquals(6, log.append(OutboundTesting.presence("conn-1")));
        OutboundPage page = log.readAfter(0, 100, Long.MAX_VALUE);
        assertEquals(range(1, 6), seqs(page));
        for (int i = 0; i < 5; i++) {
            assertEquals(envelope(i + 1), page.records().get(i).entry());
            assertEquals(i + 1, page.records().get(i).toLinkFrame().getEnvelope().getSerial().getSeq());
        }
        assertEquals("conn-1", page.records().get(5).toLinkFrame().getPresence().getConnectionId());
        assertFalse(page.hasMore());
        assertFalse(page.continuityLost());
        OutboundStatus status = log.status();
        assertEquals(6, status.lastAppended());
        assertEquals(1, status.oldestHeld());
        assertEquals(6, status.heldEntries());
        assertEquals(page.records().stream().mapToLong(r -> r.entry().sizeBytes()).sum(), status.heldBytes());
        assertFalse(status.overflowed());
        assertEquals(clock.get(), status.oldestHeldAtMs(), "the lag in time is measured from here");
        assertTrue(status.incarnation() != 0, "the first append fixed the log's incarnation");
    }

    @Test
    void theLagInTimeIsMeasuredFromTheOldestUnacknowledgedEntryAndTheIncarnationNeverChanges() {
        OutboundLog log = log(ROOMY);
        log.append(envelope(1));
        long incarnation = log.status().incarnation();
        clock.addAndGet(700);
        log.append(envelope(2));
        assertEquals(clock.get() - 700, log.status().oldestHeldAtMs());
        log.acknowledge(1);
        assertEquals(clock.get(), log.status().oldestHeldAtMs(), "the oldest unacknowledged is now the second");
        log.acknowledge(2);
        assertEquals(0, log.status().oldestHeldAtMs(), "nothing waits");
        assertEquals(incarnation, log.status().incarnation());
    }

    @Test
    void readAfterAnyPositionStartsAtTheNextLinkSeqWithinTheEntryAndByteLimits() {
        OutboundLog log = log(ROOMY);
        for (int i = 1; i <= 10; i++) {
            log.append(ofSize(100, i));
        }
        for (long after = 0; after <= 10; after++) {
            assertEquals(range(after + 1, 10), seqs(log.readAfter(after, 100, Long.MAX_VALUE)), "after " + after);
        }
        assertEquals(List.of(), seqs(log.readAfter(42, 100, Long.MAX_VALUE)), "beyond the end: nothing");
        OutboundPage firstThree = log.readAfter(0, 3, Long.MAX_VALUE);
        assertEquals(range(1, 3), seqs(firstThree));
        assertTrue(firstThree.hasMore());
        assertEquals(range(4, 5), seqs(log.readAfter(firstThree.lastLinkSeqOr(0), 100, 250)), "bytes bound the page");
        assertEquals(range(6, 6), seqs(log.readAfter(5, 100, 10)), "a page holds at least one entry, however large");
        assertThrows(IllegalArgumentException.class, () -> log.readAfter(0, 0, 100));
    }

    @Test
    void acknowledgementIsCumulativeTrimsAndNeverGoesBackwards() {
        OutboundLog log = log(ROOMY);
        for (int i = 1; i <= 10; i++) {
            log.append(ofSize(10, i));
        }
        OutboundStatus afterFour = log.acknowledge(4);
        assertEquals(4, afterFour.acknowledged());
        assertEquals(5, afterFour.oldestHeld());
        assertEquals(6, afterFour.heldEntries());
        assertEquals(60, afterFour.heldBytes());
        OutboundStatus older = log.acknowledge(2);
        assertEquals(afterFour, older, "an older acknowledgement changes nothing");
        OutboundPage fromStart = log.readAfter(0, 100, Long.MAX_VALUE);
        assertEquals(range(5, 10), seqs(fromStart), "acknowledged entries are trimmed");
        assertFalse(fromStart.continuityLost(), "trimmed by acknowledgement is not lost");
        assertEquals(range(5, 10), seqs(log.readAfter(log.status().acknowledged(), 100, Long.MAX_VALUE)));
        OutboundStatus all = log.acknowledge(10);
        assertEquals(0, all.heldEntries());
        assertEquals(0, all.oldestHeld());
        assertEquals(0, all.heldBytes());
        assertEquals(11, log.append(ofSize(10, 11)), "link_seqs continue after everything was acknowledged");
        assertEquals(0, log.status().droppedTotal());
    }

    @Test
    void anAcknowledgementBeyondTheLastLinkSeqIsRefusedAndChangesNothing() {
        OutboundLog log = log(ROOMY);
        log.append(envelope(1));
        log.append(envelope(2));
        OutboundStatus before = log.status();
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> log.acknowledge(3));
        assertTrue(refused.getMessage().contains(log.peerRegion()), refused.getMessage());
        assertEquals(before, log.status());
    }

    @Test
    void theEntryBoundDropsTheOldestAndReportsTheOverflowUntilThePeerAcknowledgesPastIt() {
        OutboundLog log = log(new OutboundLimits(3, 1_000_000, 600_000));
        long firstDropAt = clock.get();
        for (int i = 1; i <= 4; i++) {
            log.append(ofSize(10, i));
        }
        clock.addAndGet(500);
        log.append(ofSize(10, 5));
        OutboundStatus status = log.status();
        assertEquals(range(3, 5), seqs(log.readAfter(0, 100, Long.MAX_VALUE)));
        assertEquals(3, status.oldestHeld());
        assertEquals(3, status.heldEntries());
        assertEquals(2, status.droppedByCount());
        assertEquals(2, status.droppedTotal());
        assertEquals(2, status.droppedThrough());
        assertTrue(status.overflowed(), "the log no longer reaches back to acknowledged + 1");
        assertEquals(2, status.missingEntries());
        assertEquals(firstDropAt, status.overflowSinceMs(), "since the first drop, not the latest");
        assertTrue(log.readAfter(0, 100, Long.MAX_VALUE).continuityLost());
        assertFalse(log.readAfter(2, 100, Long.MAX_VALUE).continuityLost(), "nothing is missing after 2");

        OutboundStatus acked = log.acknowledge(3);
        assertFalse(acked.overflowed());
        assertEquals(0, acked.overflowSinceMs());
        assertEquals(0, acked.missingEntries());
        assertEquals(2, acked.droppedTotal(), "the drop count never goes down");
        assertFalse(log.readAfter(0, 100, Long.MAX_VALUE).continuityLost());
    }

    @Test
    void theByteBoundDropsTheOldestAndAnEntryThatCouldNeverFitIsRefusedWithoutALinkSeq() {
        OutboundLog log = log(new OutboundLimits(1_000, 100, 600_000));
        log.append(ofSize(40, 1));
        log.append(ofSize(40, 2));
        log.append(ofSize(40, 3));
        OutboundStatus status = log.status();
        assertEquals(80, status.heldBytes());
        assertEquals(1, status.droppedByBytes());
        assertEquals(0, status.droppedByCount());
        assertTrue(status.overflowed());
        assertEquals(range(2, 3), seqs(log.readAfter(0, 100, Long.MAX_VALUE)));

        IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class,
                () -> log.append(ofSize(101, 4)));
        assertTrue(tooLarge.getMessage().contains("outbound.max-bytes"), tooLarge.getMessage());
        assertEquals(3, log.status().lastAppended());
        assertEquals(4, log.append(ofSize(100, 5)), "an entry of exactly max-bytes is held, alone");
        assertEquals(range(4, 4), seqs(log.readAfter(0, 100, Long.MAX_VALUE)));
        assertEquals(3, log.status().droppedByBytes());
    }

    @Test
    void theAgeBoundDropsWhatIsOlderThanMaxAgeAtTheNextTrimOrAppend() {
        OutboundLog log = log(new OutboundLimits(1_000, 1_000_000, 1_000));
        log.append(ofSize(10, 1));
        log.append(ofSize(10, 2));
        clock.addAndGet(500);
        log.append(ofSize(10, 3));
        clock.addAndGet(500);
        assertEquals(0, log.trimExpired().droppedByAge(), "exactly max-age old is still held");
        clock.addAndGet(1);
        OutboundStatus trimmed = log.trimExpired();
        assertEquals(2, trimmed.droppedByAge());
        assertEquals(3, trimmed.oldestHeld());
        assertTrue(trimmed.overflowed());
        assertEquals(clock.get(), trimmed.overflowSinceMs());
        assertTrue(log.readAfter(0, 100, Long.MAX_VALUE).continuityLost());

        clock.addAndGet(5_000);
        assertEquals(4, log.append(ofSize(10, 4)));
        OutboundStatus afterAppend = log.status();
        assertEquals(3, afterAppend.droppedByAge(), "an append drops the aged first");
        assertEquals(range(4, 4), seqs(log.readAfter(0, 100, Long.MAX_VALUE)));
        assertEquals(3, afterAppend.missingEntries());
    }

    @Test
    void concurrentAppendersGetUniqueConsecutiveLinkSeqsEachInItsOwnOrder() throws Exception {
        OutboundLog log = log(ROOMY);
        int threads = 4;
        int perThread = concurrentAppends() / threads;
        Map<Long, OutboundEntry> appended = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String channel = "room:" + t;
                OutboundLog appender = appenderLog(log, t);
                results.add(pool.submit(() -> {
                    List<Long> mine = new ArrayList<>();
                    for (int i = 1; i <= perThread; i++) {
                        OutboundEntry entry = envelope(channel, i);
                        long linkSeq = appender.append(entry);
                        assertEquals(null, appended.put(linkSeq, entry), "link_seq " + linkSeq + " given twice");
                        mine.add(linkSeq);
                    }
                    return mine;
                }));
            }
            for (Future<List<Long>> result : results) {
                List<Long> mine = result.get(120, TimeUnit.SECONDS);
                assertEquals(mine.stream().sorted().toList(), mine, "one appender's entries stay in its order");
            }
        } finally {
            pool.shutdownNow();
        }
        long total = (long) threads * perThread;
        assertEquals(range(1, total), appended.keySet().stream().sorted().toList(), "no gaps, no duplicates");
        List<OutboundRecord> all = new ArrayList<>();
        for (OutboundPage page = log.readAfter(0, 500, Long.MAX_VALUE); !page.records().isEmpty();
             page = log.readAfter(page.lastLinkSeqOr(0), 500, Long.MAX_VALUE)) {
            all.addAll(page.records());
        }
        assertEquals(total, all.size());
        for (OutboundRecord record : all) {
            assertEquals(appended.get(record.linkSeq()), record.entry(), "link_seq " + record.linkSeq());
        }
    }
}
