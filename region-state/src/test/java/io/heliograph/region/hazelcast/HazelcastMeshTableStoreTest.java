package io.heliograph.region.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.heliograph.region.mesh.MeshTable;
import io.heliograph.region.mesh.RegionState;
import io.heliograph.region.sequencing.Home;
import io.heliograph.region.testing.RegionTesting;

/** The region's copy of the mesh table on two members: one offer reaches every process, older versions never win. */
class HazelcastMeshTableStoreTest {

    private static HazelcastInstance first;
    private static HazelcastInstance second;

    @BeforeAll
    static void startRegion() {
        int p1 = RegionTesting.freePort();
        int p2 = RegionTesting.freePort();
        String cluster = "mesh-table-" + System.nanoTime();
        first = Hazelcast.newHazelcastInstance(RegionMember.config(
                RegionTesting.member("first", p1, List.of(p1, p2), cluster)));
        second = Hazelcast.newHazelcastInstance(RegionMember.config(
                RegionTesting.member("second", p2, List.of(p1, p2), cluster)));
        RegionTesting.await("two members", Duration.ofSeconds(60), () -> first.getCluster().getMembers().size() == 2);
        RegionTesting.awaitPartitionsSafe(Duration.ofSeconds(60), first, second);
    }

    @AfterAll
    static void stopRegion() {
        second.shutdown();
        first.shutdown();
    }

    private static MeshTable table(long version, Home usHome) {
        return new MeshTable(version, new MeshTable.Leader("cp-1", 1), Map.of("us-east", usHome),
                Map.of("us-east", new MeshTable.RegionEntry(RegionState.DOWN, List.of()),
                        "eu-west", new MeshTable.RegionEntry(RegionState.HEALTHY, List.of(
                                new MeshTable.EdgeAddress("eu-1", "ws://eu", "http://eu")))),
                Map.of("us-east", List.of("eu-west")));
    }

    @Test
    void anOfferOnOneMemberReachesTheOtherAndAnOlderOneIsRefused() {
        HazelcastMeshTableStore onFirst = new HazelcastMeshTableStore(first);
        HazelcastMeshTableStore onSecond = new HazelcastMeshTableStore(second);
        List<Long> seenBySecond = new CopyOnWriteArrayList<>();
        onSecond.onChange(t -> seenBySecond.add(t.version()));

        assertTrue(onFirst.offer(table(5, new Home("eu-west", 2))).applied());
        RegionTesting.await("the table on the second member", Duration.ofSeconds(10),
                () -> onSecond.current().map(MeshTable::version).orElse(0L) == 5);
        assertEquals(new Home("eu-west", 2), onSecond.current().orElseThrow().homeOf("us-east"));

        var stale = onSecond.offer(table(4, new Home("us-east", 3)));
        assertFalse(stale.applied());
        assertEquals(5, stale.heldVersion());
        assertEquals(5, onFirst.current().orElseThrow().version());
        // A process started later reads what the region holds.
        assertEquals(5, new HazelcastMeshTableStore(second).current().orElseThrow().version());
        RegionTesting.await("the listener told", Duration.ofSeconds(10), () -> seenBySecond.contains(5L));
        assertEquals(List.of(5L), seenBySecond);
    }

    /** The cache lags an offer made on another member by an event; a fresh read does not (HomeMovesTest failed on it). */
    @Test
    void aFreshReadSeesAnOfferFromAnotherMemberAtOnce() {
        HazelcastMeshTableStore onFirst = new HazelcastMeshTableStore(first);
        HazelcastMeshTableStore onSecond = new HazelcastMeshTableStore(second);
        long next = onSecond.current().map(MeshTable::version).orElse(0L) + 1;
        for (long version = next; version < next + 20; version++) {
            assertTrue(onFirst.offer(table(version, new Home("eu-west", 2))).applied());
            assertEquals(version, onSecond.fresh().orElseThrow().version(), "read right after the offer returned");
            assertEquals(version, onSecond.current().orElseThrow().version(), "and the cache took it");
        }
    }
}
