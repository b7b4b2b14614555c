package io.heliograph.bridge.outbound.hazelcast;

import static io.heliograph.bridge.outbound.OutboundTesting.envelope;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.heliograph.bridge.outbound.OutboundEntry;
import io.heliograph.bridge.outbound.OutboundLimits;
import io.heliograph.bridge.outbound.OutboundLog;
import io.heliograph.bridge.outbound.OutboundPage;
import io.heliograph.bridge.outbound.OutboundRecord;
import io.heliograph.bridge.outbound.OutboundStatus;
import io.heliograph.protocol.HeliographException;
import io.heliograph.region.hazelcast.RegionCalls;
import io.heliograph.region.testing.RegionTesting;

/**
 * The outbound log on three members in this JVM when the member holding a peer's log crashes
 * ({@code terminate()}: no graceful hand-over): what was appended survives in order on the promoted backup, link_seqs
 * are never given twice, and a standby on another member resumes after the peer's acknowledgement.
 */
class OutboundLogFailoverTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PEER = "eu-west";

    private final List<HazelcastInstance> members = new ArrayList<>();

    @BeforeEach
    void start() {
        List<Integer> ports = List.of(RegionTesting.freePort(), RegionTesting.freePort(), RegionTesting.freePort());
        String cluster = "outbound-failover-" + System.nanoTime();
        for (int i = 0; i < ports.size(); i++) {
            members.add(Hazelcast.newHazelcastInstance(
                    OutboundLogHazelcastTest.memberConfig("m" + i, ports.get(i), ports, cluster)));
        }
        RegionTesting.await("three members", WAIT,
                () -> members.stream().allMatch(m -> m.getCluster().getMembers().size() == 3));
        RegionTesting.awaitPartitionsSafe(WAIT, members.toArray(HazelcastInstance[]::new));
    }

    @AfterEach
    void stop() {
        for (HazelcastInstance member : members) {
            if (member.getLifecycleService().isRunning()) {
                member.getLifecycleService().terminate();
            }
        }
    }

    /** The live member that owns {@code key}'s partition, once there is one (assignment and promotion take a moment). */
    private HazelcastInstance ownerOf(String key) {
        AtomicReference<HazelcastInstance> owner = new AtomicReference<>();
        RegionTesting.await("an owner of " + key, WAIT, () -> {
            HazelcastInstance live = members.stream().filter(m -> m.getLifecycleService().isRunning()).findFirst()
                    .orElseThrow();
            var member = live.getPartitionService().getPartition(key).getOwner();
            members.stream().filter(m -> m.getLifecycleService().isRunning()
                            && member != null && m.getCluster().getLocalMember().getUuid().equals(member.getUuid()))
                    .findFirst().ifPresent(owner::set);
            return owner.get() != null;
        });
        return owner.get();
    }

    private static OutboundLog logOn(HazelcastInstance member) {
        return new HazelcastOutboundLog(member, PEER, OutboundLimits.DEFAULTS, System::currentTimeMillis,
                RegionCalls.uncounted());
    }

    private void crash(HazelcastInstance victim) {
        victim.getLifecycleService().terminate();
        RegionTesting.await("the crashed member removed", WAIT, () -> members.stream()
                .filter(m -> m != victim).allMatch(m -> m.getCluster().getMembers().size() == 2));
    }

    private static List<OutboundRecord> readAll(OutboundLog log, long after) {
        List<OutboundRecord> all = new ArrayList<>();
        for (OutboundPage page = log.readAfter(after, 100, Long.MAX_VALUE); !page.records().isEmpty();
             page = log.readAfter(page.lastLinkSeqOr(after), 100, Long.MAX_VALUE)) {
            all.addAll(page.records());
        }
        return all;
    }

    @Test
    void everyAppendedEntrySurvivesTheCrashOfItsOwnerInOrderAndLinkSeqsAreNeverGivenTwice() throws Exception {
        HazelcastInstance owner = ownerOf(PEER);
        List<HazelcastInstance> others = members.stream().filter(m -> m != owner).toList();
        OutboundLog appender = logOn(others.get(0));
        Map<Long, OutboundEntry> appended = new ConcurrentHashMap<>();
        for (int i = 1; i <= 100; i++) {
            appended.put(appender.append(envelope(i)), envelope(i));
        }
        appender.acknowledge(40);

        // Keep appending while the owner crashes: each append that was answered must be there afterwards.
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger afterCrash = new AtomicInteger();
        AtomicBoolean crashed = new AtomicBoolean();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Future<?> appending = pool.submit(() -> {
            for (long seq = 101; !stop.get(); seq++) {
                OutboundEntry entry = envelope(seq);
                try {
                    long linkSeq = appender.append(entry);
                    assertEquals(null, appended.put(linkSeq, entry), "link_seq " + linkSeq + " given twice");
                    if (crashed.get()) {
                        afterCrash.incrementAndGet();
                    }
                } catch (HeliographException e) {
                    refused.incrementAndGet(); // 503 while the partition moves: may or may not be in the log
                }
            }
            return null;
        });
        try {
            RegionTesting.await("appends under way", WAIT, () -> appended.size() > 150);
            crash(owner);
            crashed.set(true);
            RegionTesting.await("appends after the crash", WAIT, () -> afterCrash.get() >= 50);
        } finally {
            stop.set(true);
            appending.get(60, TimeUnit.SECONDS);
            pool.shutdownNow();
        }

        OutboundLog survivor = logOn(others.get(1));
        OutboundStatus status = survivor.status();
        assertEquals(40, status.acknowledged(), "the acknowledgement survives");
        assertFalse(status.overflowed());
        List<OutboundRecord> held = readAll(survivor, status.acknowledged());
        assertEquals(41, held.getFirst().linkSeq());
        for (int i = 1; i < held.size(); i++) {
            assertEquals(held.get(i - 1).linkSeq() + 1, held.get(i).linkSeq(), "no gap after " + held.get(i - 1));
        }
        assertEquals(status.lastAppended(), held.getLast().linkSeq());
        for (var e : appended.entrySet()) {
            if (e.getKey() > 40) {
                OutboundRecord record = held.get((int) (e.getKey() - 41));
                assertEquals(e.getValue(), record.entry(), "answered append at link_seq " + e.getKey());
            }
        }
        long next = survivor.append(envelope(999_999));
        assertEquals(status.lastAppended() + 1, next, "appends continue without reusing a link_seq");
        System.out.printf("outbound failover: %d appended, %d refused with 503 during the crash, last link_seq %d%n",
                appended.size(), refused.get(), next);
    }

    @Test
    void aStandbyOnAnotherMemberResumesAfterTheLastAcknowledgementWhenTheActiveReplicaCrashes() {
        // The hardest takeover: the active replica's member also holds the peer's log.
        HazelcastInstance active = ownerOf(PEER);
        HazelcastInstance standbyMember = members.stream().filter(m -> m != active).findFirst().orElseThrow();
        OutboundLog activeLog = logOn(active);
        for (int i = 1; i <= 30; i++) {
            activeLog.append(envelope(i));
        }
        OutboundPage sent = activeLog.readAfter(0, 25, Long.MAX_VALUE);
        assertEquals(25, sent.records().size());
        activeLog.acknowledge(20); // the peer acked part of what was sent, then the replica crashed

        crash(active);
        assertNotEquals(active, ownerOf(PEER));

        OutboundLog standby = logOn(standbyMember);
        OutboundStatus status = standby.status();
        assertEquals(20, status.acknowledged());
        assertEquals(30, status.lastAppended());
        assertEquals(21, status.oldestHeld(), "the Hello's oldest_link_seq");
        // After the peer's Hello (acked_link_seq 20) the standby resends from 21.
        standby.acknowledge(20);
        List<OutboundRecord> resent = readAll(standby, 20);
        assertEquals(10, resent.size());
        for (int i = 0; i < resent.size(); i++) {
            assertEquals(21 + i, resent.get(i).linkSeq());
            assertEquals(envelope(21 + i), resent.get(i).entry());
            assertEquals(21 + i, resent.get(i).toLinkFrame().getEnvelope().getSerial().getSeq());
        }
        assertEquals(31, standby.append(envelope(31)));
        assertTrue(standby.acknowledge(31).heldEntries() == 0);
    }
}
