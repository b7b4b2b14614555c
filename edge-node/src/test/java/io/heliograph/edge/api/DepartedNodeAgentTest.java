package io.heliograph.edge.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.heliograph.edge.observe.EdgeMetrics;
import io.heliograph.edge.testing.TestNodes;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.PresenceAction;
import io.heliograph.protocol.PresenceMember;
import io.heliograph.region.channel.HistoryLimits;
import io.heliograph.region.channel.PublishRequest;
import io.heliograph.region.fabric.RegionFabric;
import io.heliograph.region.hazelcast.HazelcastChannelLog;
import io.heliograph.region.hazelcast.HazelcastFabric;
import io.heliograph.region.hazelcast.HazelcastPresenceRegistry;
import io.heliograph.region.hazelcast.RegionMember;
import io.heliograph.region.presence.PresenceRegistry.PresenceEvent;

class DepartedNodeAgentTest {

    private static final DepartedNodeAgent.Schedule FAST = new DepartedNodeAgent.Schedule(4, 20, 80, 60_000);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final Map<String, AtomicInteger> counted = new ConcurrentHashMap<>();
    private HazelcastInstance hz;

    @AfterEach
    void cleanUp() {
        timer.shutdownNow();
        if (hz != null) {
            hz.shutdown();
        }
    }

    private void count(String outcome) {
        counted.computeIfAbsent(outcome, o -> new AtomicInteger()).incrementAndGet();
    }

    private int counted(String outcome) {
        AtomicInteger n = counted.get(outcome);
        return n == null ? 0 : n.get();
    }

    private static RuntimeException storageRefused() {
        return new HeliographException(ErrorCode.UNAVAILABLE, "region storage unavailable: PartitionMigratingException");
    }

    @Test
    void aFailedCleanUpIsRetriedWithGrowingPausesUntilItSucceeds() {
        List<Long> attemptsAtMs = new CopyOnWriteArrayList<>();
        AtomicBoolean forgotten = new AtomicBoolean();
        DepartedNodeAgent agent = new DepartedNodeAgent(node -> {
            attemptsAtMs.add(System.nanoTime() / 1_000_000);
            if (attemptsAtMs.size() < 3) {
                throw storageRefused();
            }
            forgotten.set(true);
        }, Set::of, node -> false, () -> true, this::count, timer, FAST);

        agent.nodeLeft("gone/1");

        TestNodes.await("the third attempt succeeded", Duration.ofSeconds(10), forgotten::get);
        assertEquals(3, attemptsAtMs.size());
        assertEquals(2, counted(DepartedNodeAgent.FAILED));
        assertEquals(1, counted(DepartedNodeAgent.DONE));
        assertTrue(attemptsAtMs.get(1) - attemptsAtMs.get(0) >= 20, "first pause: " + attemptsAtMs);
        assertTrue(attemptsAtMs.get(2) - attemptsAtMs.get(1) >= 40, "second pause doubles: " + attemptsAtMs);
    }

    @Test
    void attemptsAreBoundedAndGivingUpIsCounted() {
        AtomicInteger attempts = new AtomicInteger();
        DepartedNodeAgent agent = new DepartedNodeAgent(node -> {
            attempts.incrementAndGet();
            throw storageRefused();
        }, Set::of, node -> false, () -> true, this::count, timer, FAST);

        agent.nodeLeft("gone/1");

        TestNodes.await("gave up", Duration.ofSeconds(10), () -> counted(DepartedNodeAgent.GAVE_UP) == 1);
        assertEquals(FAST.maxAttempts(), attempts.get());
        assertEquals(FAST.maxAttempts(), counted(DepartedNodeAgent.FAILED));
        assertEquals(0, counted(DepartedNodeAgent.DONE));
    }

    @Test
    void aNodeThatCameBackBeforeItsRetryIsNotForgotten() {
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger livenessChecks = new AtomicInteger();
        AtomicBoolean back = new AtomicBoolean();
        DepartedNodeAgent agent = new DepartedNodeAgent(node -> {
            attempts.incrementAndGet();
            back.set(true); // it merges back while this attempt fails
            throw storageRefused();
        }, Set::of, node -> {
            livenessChecks.incrementAndGet();
            return back.get();
        }, () -> true, this::count, timer, FAST);

        agent.nodeLeft("split/1");

        TestNodes.await("the retry looked at the node again", Duration.ofSeconds(10), () -> livenessChecks.get() == 2);
        assertEquals(1, attempts.get());
        assertEquals(1, counted(DepartedNodeAgent.FAILED));
        assertEquals(0, counted(DepartedNodeAgent.GAVE_UP));
    }

    @Test
    void aNodeThatBecomesCoordinatorReconcilesAtOnce() {
        AtomicBoolean coordinator = new AtomicBoolean(false);
        AtomicInteger reconciliations = new AtomicInteger();
        DepartedNodeAgent agent = new DepartedNodeAgent(node -> { }, () -> {
            reconciliations.incrementAndGet();
            return Set.of("left-while-the-old-coordinator-failed/1");
        }, node -> false, coordinator::get, this::count, timer, FAST);

        agent.nodeLeft("some-node/1"); // not the coordinator yet: nothing
        coordinator.set(true);
        agent.nodeLeft("old-coordinator/1");
        TestNodes.await("reconciled", Duration.ofSeconds(10), () -> counted(DepartedNodeAgent.RECONCILED) == 1);
        agent.nodeLeft("another/1"); // already coordinating: only the clean-up
        TestNodes.await("cleaned up twice", Duration.ofSeconds(10), () -> counted(DepartedNodeAgent.DONE) == 2);
        assertEquals(1, reconciliations.get());
    }

    @Test
    void onlyTheCoordinatorCleansUp() {
        AtomicInteger attempts = new AtomicInteger();
        DepartedNodeAgent agent = new DepartedNodeAgent(node -> attempts.incrementAndGet(),
                () -> { throw new AssertionError("not the coordinator"); }, node -> false, () -> false, this::count,
                timer, FAST);
        agent.nodeLeft("gone/1");
        agent.reconcile();
        assertEquals(0, attempts.get());
    }

    /**
     * The clean-up after a node failed every attempt (or its coordinator died before running it): the members and
     * interest the node left behind stay in Hazelcast until the reconciliation on the coordinator removes them, with
     * a leave for every member.
     */
    @Test
    void theReconciliationRemovesWhatANodeLeftBehindWhenItsCleanUpNeverSucceeded() {
        int port = TestNodes.freePort();
        hz = Hazelcast.newHazelcastInstance(RegionMember.config(TestNodes.config("us-east", "coordinator", port,
                List.of(port), "departed-" + System.nanoTime()).memberSettings()));
        HistoryLimits limits = new HistoryLimits(1000, 3_600_000, 120_000);
        var log = new HazelcastChannelLog(hz, limits, System::currentTimeMillis);
        var presence = new HazelcastPresenceRegistry(hz);
        List<PresenceEvent> broadcast = new CopyOnWriteArrayList<>();
        RegionFabric fabric = new BroadcastRecorder(new HazelcastFabric(hz), broadcast);
        EdgeMetrics metrics = new EdgeMetrics("departed-test-" + System.nanoTime());
        try {
            var sequencer = new io.heliograph.region.sequencing.Sequencer("us-east",
                    io.heliograph.region.sequencing.HomeTable.everyChannelIn("us-east"), log,
                    io.heliograph.region.sequencing.Forwarder.NONE, () -> { });
            EdgeOperations operations = new EdgeOperations(log, sequencer,
                    io.heliograph.region.sequencing.Commitment.regionOnly(), presence,
                    io.heliograph.region.presence.PresenceReplication.NONE,
                io.heliograph.edge.config.DurabilityRules.NONE, fabric,
                    new io.heliograph.region.fabric.FanOut(fabric, null), metrics, "us-east", 65536,
                    System::currentTimeMillis);
            String ghost = "us-east-2/0badc0de";
            String self = fabric.localNodeId();
            AtomicInteger reconciliations = new AtomicInteger();
            DepartedNodeAgent agent = new DepartedNodeAgent(node -> {
                if (node.equals(ghost)) {
                    throw storageRefused();
                }
                operations.forgetNode(node);
            }, () -> {
                Set<String> removed = operations.forgetDepartedNodes();
                reconciliations.incrementAndGet();
                return removed;
            }, node -> fabric.liveNodes().contains(node), fabric::isCoordinator, metrics::departedNodeCleanup,
                    timer, FAST);
            // This node coordinates from an earlier departure on (whose first clean-up also reconciled at once).
            agent.nodeLeft("us-east-3/earlier0");
            TestNodes.await("first departure handled", Duration.ofSeconds(10), () -> reconciliations.get() == 1);

            presence.enterOrUpdate("lobby", new PresenceMember("left-behind", "conn-ghost", null, "us-east"), ghost);
            presence.enterOrUpdate("lobby", new PresenceMember("here", "conn-self", null, "us-east"), self);
            log.attach("news", ghost, null);
            log.attach("news", self, null);
            agent.nodeLeft(ghost);
            TestNodes.await("the clean-up gave up", Duration.ofSeconds(10),
                    () -> metrics.departedNodeCleanupCount(DepartedNodeAgent.GAVE_UP) == 1);
            assertEquals(2, presence.members("lobby").size(), "still there after the failed clean-up");

            agent.reconcile();

            assertEquals(List.of("here"), presence.members("lobby").stream().map(PresenceMember::clientId).toList());
            assertEquals(Set.of(self), log.append("news", 1, new PublishRequest("m", null, "1", "c", "us-east",
                    System.currentTimeMillis())).interestedNodes());
            assertEquals(1, broadcast.size());
            assertEquals(PresenceAction.LEAVE, broadcast.get(0).action());
            assertEquals("left-behind", broadcast.get(0).member().clientId());
            assertEquals(1, metrics.departedNodeCleanupCount(DepartedNodeAgent.RECONCILED));

            agent.reconcile();
            assertEquals(1, metrics.departedNodeCleanupCount(DepartedNodeAgent.RECONCILED), "nothing left to do");
        } finally {
            metrics.close();
        }
    }

    /** The real fabric, recording what is broadcast. */
    private record BroadcastRecorder(RegionFabric fabric, List<PresenceEvent> broadcast) implements RegionFabric {
        @Override
        public String localNodeId() {
            return fabric.localNodeId();
        }

        @Override
        public Set<String> liveNodes() {
            return fabric.liveNodes();
        }

        @Override
        public boolean isCoordinator() {
            return fabric.isCoordinator();
        }

        @Override
        public void start(Receiver receiver, java.util.function.Consumer<String> onNodeLeft, Runnable onRejoined,
                          Runnable onRegionMerged) {
            fabric.start(receiver, onNodeLeft, onRejoined, onRegionMerged);
        }

        @Override
        public void deliver(Set<String> nodeIds, io.heliograph.protocol.ChannelMessage message) {
            fabric.deliver(nodeIds, message);
        }

        @Override
        public void broadcast(PresenceEvent event) {
            broadcast.add(event);
        }

        @Override
        public Map<String, Object> describe() {
            return fabric.describe();
        }

        @Override
        public void close() {
            fabric.close();
        }
    }
}
