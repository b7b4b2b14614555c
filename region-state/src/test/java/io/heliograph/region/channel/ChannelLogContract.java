package io.heliograph.region.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.heliograph.protocol.Serial;

/**
 * What every {@link ChannelLog} must do, run against each implementation. Limits: 20 messages, 1 h, dedup 2 min.
 */
public abstract class ChannelLogContract {

    protected static final HistoryLimits LIMITS = new HistoryLimits(20, 3_600_000, 120_000);

    protected abstract ChannelLog log();

    /** Appends in the first epoch, as a region that is every channel's home does. */
    private AppendResult append(String channel, PublishRequest request) {
        return log().append(channel, ChannelState.FIRST_EPOCH, request);
    }

    private String channel() {
        return "c-" + System.nanoTime();
    }

    private static PublishRequest request(String msgId) {
        return new PublishRequest(msgId, null, "{\"id\":\"" + msgId + "\"}", "alice", "us-east",
                System.currentTimeMillis());
    }

    @Test
    void concurrentAppendsGetDistinctConsecutiveSerials() throws Exception {
        String channel = channel();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<List<Serial>>> futures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                List<Serial> serials = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    serials.add(append(channel, request(thread + "-" + i)).message().serial());
                }
                return serials;
            }));
        }
        Set<Serial> all = new HashSet<>();
        for (Future<List<Serial>> f : futures) {
            all.addAll(f.get());
        }
        pool.shutdown();
        assertEquals(200, all.size());
        for (int i = 1; i <= 200; i++) {
            assertTrue(all.contains(Serial.of(ChannelState.FIRST_EPOCH, i)));
        }
    }

    @Test
    void duplicateMsgIdAnswersTheFirstSerialAndIsFlagged() {
        String channel = channel();
        AppendResult first = append(channel, request("same"));
        AppendResult second = append(channel, request("same"));
        assertFalse(first.duplicate());
        assertTrue(second.duplicate());
        assertEquals(first.message().serial(), second.message().serial());
    }

    @Test
    void aMsgIdIsScopedToItsPublisherSoAnotherClientCannotTakeIt() {
        String channel = channel();
        long now = System.currentTimeMillis();
        AppendResult alice = append(channel,
                new PublishRequest("order-42", null, "\"from alice\"", "alice", "us-east", now));
        AppendResult bob = append(channel,
                new PublishRequest("order-42", null, "\"from bob\"", "bob", "us-east", now));
        AppendResult bobAgain = append(channel,
                new PublishRequest("order-42", null, "\"from bob\"", "bob", "us-east", now));
        assertFalse(bob.duplicate(), "bob's message is his own, not a duplicate of alice's");
        assertTrue(!alice.message().serial().equals(bob.message().serial()));
        assertEquals("\"from bob\"", bob.message().dataJson());
        assertEquals("bob", bob.message().clientId());
        assertTrue(bobAgain.duplicate());
        assertEquals(bob.message().serial(), bobAgain.message().serial());
        assertEquals(2, log().history(channel, null, 10, Long.MAX_VALUE).messages().size());
    }

    @Test
    void attachRegistersInterestAtomicallyWithTheLatestSerial() {
        String channel = channel();
        append(channel, request("before"));
        AttachResult attached = log().attach(channel, "node-x", null);
        assertEquals(Serial.of(1, 1), attached.latest());
        assertEquals(Set.of("node-x"), append(channel, request("after")).interestedNodes());
        log().detach(channel, "node-x");
        assertTrue(append(channel, request("later")).interestedNodes().isEmpty());
    }

    @Test
    void interestedNodesOtherThanFindsTheInterestOfNodesThatAreNotLive() {
        String c1 = channel();
        String c2 = channel();
        log().attach(c1, "left-" + c1, null);
        log().attach(c2, "left-" + c2, null);
        log().attach(c2, "live", null);
        Set<String> found = log().interestedNodesOtherThan(Set.of("live"));
        assertTrue(found.containsAll(Set.of("left-" + c1, "left-" + c2)), found.toString());
        assertTrue(!found.contains("live"), found.toString());
        assertEquals(Set.of("left-" + c2, "live"), append(c2, request("a")).interestedNodes(), "read-only");
    }

    @Test
    void forgetNodeDropsItsInterestEverywhere() {
        String c1 = channel();
        String c2 = channel();
        log().attach(c1, "gone", null);
        log().attach(c2, "gone", null);
        log().attach(c2, "stays", null);
        log().forgetNode("gone");
        assertTrue(append(c1, request("a")).interestedNodes().isEmpty());
        assertEquals(Set.of("stays"), append(c2, request("b")).interestedNodes());
    }

    @Test
    void resumeAndHistoryAnswerTheRequestedRangeAndContinuity() {
        String channel = channel();
        for (int i = 1; i <= 25; i++) {
            append(channel, request("m" + i));
        }
        HistoryPage page = log().history(channel, Serial.of(1, 10), 5, Long.MAX_VALUE);
        assertEquals(Serial.of(1, 11), page.messages().get(0).serial());
        assertEquals(5, page.messages().size());
        assertTrue(page.more());
        assertEquals(20, log().history(channel, null, 1000, Long.MAX_VALUE).messages().size());
        AttachResult resumed = log().attach(channel, "n", Serial.of(1, 22));
        assertFalse(resumed.continuityLost());
        assertEquals(Serial.of(1, 25), resumed.latest());
        assertEquals(List.of(Serial.of(1, 23), Serial.of(1, 24), Serial.of(1, 25)),
                log().history(channel, Serial.of(1, 22), 100, Long.MAX_VALUE).messages().stream()
                        .map(m -> m.serial()).toList());
        assertTrue(log().attach(channel, "n", Serial.of(1, 3)).continuityLost());
        assertTrue(log().history("never-used-" + System.nanoTime(), null, 10, Long.MAX_VALUE).messages().isEmpty());
    }

    @Test
    void largePayloadsSurvive() {
        String channel = channel();
        String big = "\"" + "x".repeat(100_000) + "\"";
        append(channel, new PublishRequest("big", "n", big, "c", "r", System.currentTimeMillis()));
        assertEquals(big, log().history(channel, null, 1, Long.MAX_VALUE).messages().get(0).dataJson());
    }

    @Test
    void expireAllKeepsTheSequenceAndDropsNothingYoung() {
        String channel = channel();
        append(channel, request("young"));
        log().expireAll();
        assertEquals(1, log().history(channel, null, 10, Long.MAX_VALUE).messages().size());
        assertEquals(Serial.of(1, 2), append(channel, request("next")).message().serial());
    }

    @Test
    void aFromSerialTheChannelNeverReachedIsContinuityLost() {
        String channel = channel();
        assertTrue(log().attach(channel, "n", Serial.of(1, 500)).continuityLost(), "empty channel, 1:500");
        assertFalse(log().attach(channel, "n", Serial.of(1, 0)).continuityLost(), "1:0 is the start");
        for (int i = 1; i <= 3; i++) {
            append(channel, request("m" + i));
        }
        assertTrue(log().attach(channel, "n", Serial.of(1, 50)).continuityLost(), "channel at 1:3, 1:50");
        assertTrue(log().attach(channel, "n", Serial.of(1, 4)).continuityLost(), "one beyond the head");
        assertFalse(log().attach(channel, "n", Serial.of(1, 3)).continuityLost(), "at the head");
    }

    @Test
    void historyPagesAreBoundedByBytesAndAlwaysHoldOneMessage() {
        String channel = channel();
        String big = "\"" + "y".repeat(60 * 1024) + "\"";
        for (int i = 1; i <= 20; i++) {
            append(channel, new PublishRequest("b" + i, null, big, "c", "r", System.currentTimeMillis()));
        }
        HistoryPage page = log().history(channel, null, 1000, 256 * 1024);
        assertTrue(page.more());
        assertEquals(4, page.messages().size(), "4 messages of ~60 KiB fit 256 KiB");
        assertTrue(page.bytes() <= 256 * 1024);
        HistoryPage one = log().history(channel, null, 1000, 10);
        assertEquals(1, one.messages().size(), "a page holds at least one message");
        assertTrue(one.more());
        HistoryPage last = log().history(channel, Serial.of(1, 18), 1000, 256 * 1024);
        assertEquals(2, last.messages().size());
        assertFalse(last.more());
    }

    @Test
    void latestAnswersEveryChannelWithMessagesInOneCall() {
        String a = channel();
        String b = channel() + "-b";
        String never = channel() + "-never";
        append(a, request("a1"));
        append(b, request("b1"));
        append(b, request("b2"));
        var latest = log().latest(List.of(a, b, never));
        assertEquals(Serial.of(1, 1), latest.get(a));
        assertEquals(Serial.of(1, 2), latest.get(b));
        assertFalse(latest.containsKey(never));
    }

    // ---- epochs and replication: the same rules through every engine (entry processors, serializers, backups) ----

    /** A takeover through the engine: unsettled until settled, a yield answered and fencing the old epoch. */
    @Test
    void aMeshHomeSettlesBeforeSequencingAndAYieldFencesTheOldEpoch() {
        String channel = channel();
        AppendResult unsettled = log().append(channel, 1, request("a"), true, true);
        assertTrue(unsettled.unsettled());
        assertTrue(log().settle(channel, 1, null));
        assertEquals(Serial.of(1, 1), log().append(channel, 1, request("a"), false, true).message().serial());
        assertEquals(Serial.of(1, 2), log().append(channel, 1, request("b"), false, true).message().serial());

        ChannelState.HeldTail tail = log().yieldTo(channel, 2);
        assertTrue(tail.accepted());
        assertEquals(Serial.of(1, 2), tail.latest());
        assertEquals(2, tail.knownEpoch());
        assertTrue(log().append(channel, 1, request("c"), false, true).fenced(), "the yielded home is fenced");
        assertFalse(log().yieldTo(channel, 1).accepted(), "a lower epoch is refused");
        assertFalse(log().settle(channel, 2, Serial.of(1, 3)), "1:3 is not held here");
        assertTrue(log().settle(channel, 2, Serial.of(1, 2)));
        AppendResult first = log().append(channel, 2, request("d"), false, true);
        assertEquals(Serial.of(2, 1), first.message().serial());
        assertEquals(Serial.of(1, 2), first.previous());
    }

    @Test
    void aFencedChannelRefusesTheOldEpochAndResumesAcrossTheBoundary() {
        String channel = channel();
        append(channel, request("a"));
        append(channel, request("b"));
        assertTrue(log().fence(channel, 2, Serial.of(1, 2)));
        AppendResult stale = append(channel, request("c"));
        assertTrue(stale.fenced());
        assertEquals(2, stale.knownEpoch());
        AppendResult next = log().append(channel, 2, request("d"));
        assertEquals(Serial.of(2, 1), next.message().serial());
        assertEquals(Serial.of(1, 2), next.previous());
        assertFalse(log().attach(channel, "node-x", Serial.of(1, 2)).continuityLost());
        assertEquals(List.of(Serial.of(2, 1)), log().history(channel, Serial.of(1, 2), 10, Long.MAX_VALUE)
                .messages().stream().map(io.heliograph.protocol.ChannelMessage::serial).toList());
    }

    @Test
    void replicatedMessagesAreStoredInOrderAndAnsweredWithTheirOutcome() {
        String channel = channel();
        log().attach(channel, "node-x", null);
        long now = System.currentTimeMillis();
        var first = new io.heliograph.protocol.ChannelMessage(channel, Serial.of(3, 1), "r1", null, "1", "bob",
                "eu-west", now);
        var second = new io.heliograph.protocol.ChannelMessage(channel, Serial.of(3, 2), "r2", null, "2", "bob",
                "eu-west", now);
        var third = new io.heliograph.protocol.ChannelMessage(channel, Serial.of(3, 3), "r3", null, "3", "bob",
                "eu-west", now);
        assertEquals(ReplicateResult.Outcome.GAP, log().replicate(channel, first, Serial.of(2, 9)).outcome(),
                "holding nothing, a message with a predecessor waits for it");
        ReplicateResult applied = log().replicateRestarting(channel, first, Serial.of(2, 9));
        assertEquals(ReplicateResult.Outcome.APPLIED, applied.outcome());
        assertEquals(Set.of("node-x"), applied.interestedNodes());
        ReplicateResult gap = log().replicate(channel, third, Serial.of(3, 2));
        assertEquals(ReplicateResult.Outcome.GAP, gap.outcome());
        assertEquals(Serial.of(3, 1), gap.latest());
        assertEquals(ReplicateResult.Outcome.DUPLICATE, log().replicate(channel, first, Serial.of(2, 9)).outcome());
        assertEquals(ReplicateResult.Outcome.APPLIED, log().replicate(channel, second, Serial.of(3, 1)).outcome());
        assertEquals(ReplicateResult.Outcome.APPLIED, log().replicate(channel, third, Serial.of(3, 2)).outcome());
        assertEquals(Serial.of(3, 3), log().latest(List.of(channel)).get(channel));
        // The next home answers a retry of a replicated msgId with its first serial.
        AppendResult retry = log().append(channel, 4, new PublishRequest("r2", null, "2", "bob", "us-east", now));
        assertTrue(retry.duplicate());
        assertEquals(Serial.of(3, 2), retry.message().serial());
    }

    @Test
    void replicateAllAnswersEachMessageAsReplicateWouldInTurn() {
        String channel = channel();
        log().attach(channel, "node-x", null);
        long now = System.currentTimeMillis();
        List<io.heliograph.protocol.ChannelMessage> m = new ArrayList<>();
        for (int seq = 1; seq <= 5; seq++) {
            m.add(new io.heliograph.protocol.ChannelMessage(channel, Serial.of(2, seq), "b" + seq, null,
                    String.valueOf(seq), "bob", "eu-west", now));
        }
        ReplicateResult first = log().replicate(channel, m.get(0), null);
        assertEquals(ReplicateResult.Outcome.APPLIED, first.outcome());
        // A duplicate, the next two, one ahead of its predecessor (2:5 before 2:4), its predecessor, and one of an
        // older epoch (below what is held: a duplicate too).
        var stale = new io.heliograph.protocol.ChannelMessage(channel, Serial.of(1, 7), "old", null, "0", "bob",
                "eu-west", now);
        List<ReplicatedMessage> run = List.of(
                new ReplicatedMessage(m.get(0), null),
                new ReplicatedMessage(m.get(1), Serial.of(2, 1)),
                new ReplicatedMessage(m.get(2), Serial.of(2, 2)),
                new ReplicatedMessage(m.get(4), Serial.of(2, 4)),
                new ReplicatedMessage(m.get(3), Serial.of(2, 3)),
                new ReplicatedMessage(stale, Serial.of(1, 6)));
        List<ReplicateResult> results = log().replicateAll(channel, run);
        assertEquals(List.of(ReplicateResult.Outcome.DUPLICATE, ReplicateResult.Outcome.APPLIED,
                        ReplicateResult.Outcome.APPLIED, ReplicateResult.Outcome.GAP, ReplicateResult.Outcome.APPLIED,
                        ReplicateResult.Outcome.DUPLICATE),
                results.stream().map(ReplicateResult::outcome).toList());
        assertEquals(Serial.of(2, 3), results.get(3).latest(), "the gap begins after what was held at that point");
        assertEquals(Set.of("node-x"), results.get(1).interestedNodes());
        assertEquals(Serial.of(2, 4), log().latest(List.of(channel)).get(channel));
        // The parked one, stored afterwards on its own, follows.
        assertEquals(ReplicateResult.Outcome.APPLIED,
                log().replicateAll(channel, List.of(new ReplicatedMessage(m.get(4), Serial.of(2, 4)))).get(0)
                        .outcome());
        assertEquals(List.of(Serial.of(2, 1), Serial.of(2, 2), Serial.of(2, 3), Serial.of(2, 4), Serial.of(2, 5)),
                log().history(channel, null, 10, Long.MAX_VALUE).messages().stream()
                        .map(io.heliograph.protocol.ChannelMessage::serial).toList());
        assertEquals(List.of(), log().replicateAll(channel, List.of()));
    }

    @Test
    void aHeldMessageIsUnseenUntilCommittedThroughEveryEngine() {
        String channel = channel();
        append(channel, request("a"));
        AppendResult held = log().append(channel, ChannelState.FIRST_EPOCH, request("b"), true);
        assertFalse(held.committed());
        assertEquals(Serial.of(1, 1), log().latest(List.of(channel)).get(channel));
        assertEquals(Serial.of(1, 1), log().attach(channel, "node-x", null).latest());
        assertEquals(1, log().history(channel, null, 10, Long.MAX_VALUE).messages().size());
        assertEquals(2, log().sequencedHistory(channel, null, 10, Long.MAX_VALUE).messages().size());
        assertFalse(append(channel, request("b")).committed(), "a retry sees it waiting");
        assertTrue(log().commit(channel, Serial.of(1, 2)));
        assertEquals(Serial.of(1, 2), log().latest(List.of(channel)).get(channel));
        assertEquals(2, log().history(channel, null, 10, Long.MAX_VALUE).messages().size());
    }
}
