package io.heliograph.region.mesh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.heliograph.region.sequencing.Home;
import io.heliograph.region.sequencing.RendezvousHomes;

class MeshTableTest {

    private static final MeshTable.EdgeAddress US = new MeshTable.EdgeAddress("us-1", "ws://us", "http://us");
    private static final MeshTable.EdgeAddress EU = new MeshTable.EdgeAddress("eu-1", "ws://eu", "http://eu");
    private static final MeshTable.EdgeAddress AP = new MeshTable.EdgeAddress("ap-1", "ws://ap", "http://ap");

    private static final MeshTable.Leader LEADER = new MeshTable.Leader("cp-1", 1);

    static MeshTable table(long version, RegionState usState, Map<String, Home> homes) {
        Map<String, MeshTable.RegionEntry> regions = new LinkedHashMap<>();
        regions.put("us-east", new MeshTable.RegionEntry(usState, List.of(US)));
        regions.put("eu-west", new MeshTable.RegionEntry(RegionState.HEALTHY, List.of(EU)));
        regions.put("ap-south", new MeshTable.RegionEntry(RegionState.HEALTHY, List.of(AP)));
        return new MeshTable(version, LEADER, homes, regions,
                Map.of("us-east", List.of("eu-west", "ap-south"), "eu-west", List.of("us-east", "ap-south"),
                        "ap-south", List.of("eu-west", "us-east")));
    }

    @Test
    void routesToTheNearRegionWhileItServesElseToItsPreference() {
        MeshTable healthy = table(1, RegionState.HEALTHY, Map.of());
        assertEquals("us-east", healthy.route("us-east", null, "default").orElseThrow().region());
        assertEquals("near", healthy.route("us-east", null, "default").orElseThrow().reason());
        MeshTable down = table(2, RegionState.DOWN, Map.of("us-east", new Home("eu-west", 2)));
        MeshTable.Route route = down.route("us-east", null, "default").orElseThrow();
        assertEquals("eu-west", route.region());
        assertEquals("preference", route.reason());
        assertEquals(List.of(EU), route.edges());
        assertEquals(2, route.tableVersion());
        assertEquals("ap-south", down.route(null, "ap-south", "default").orElseThrow().region());
        assertEquals("default", down.route(null, "ap-south", "default").orElseThrow().reason());
    }

    @Test
    void homesMoveByBaseRegionAndTheRestStayAtThemselvesInEpochOne() {
        RendezvousHomes configured = new RendezvousHomes(List.of("us-east", "eu-west", "ap-south"), List.of());
        InMemoryMeshTableStore store = new InMemoryMeshTableStore();
        MeshHomes homes = new MeshHomes(configured, store);
        // Pinned by RendezvousHomesTest: chat:general is based in us-east, orders in eu-west.
        assertEquals(new Home("us-east", 1), homes.homeOf("chat:general"));
        store.offer(table(1, RegionState.DOWN, Map.of("us-east", new Home("eu-west", 2))));
        assertEquals(new Home("eu-west", 2), homes.homeOf("chat:general"));
        assertEquals(new Home("eu-west", 1), homes.homeOf("orders"));
    }

    @Test
    void aStoreKeepsOnlyNewerVersionsAndTellsItsListeners() {
        InMemoryMeshTableStore store = new InMemoryMeshTableStore();
        List<Long> told = new java.util.ArrayList<>();
        store.onChange(t -> told.add(t.version()));
        assertTrue(store.offer(table(3, RegionState.HEALTHY, Map.of())).applied());
        MeshTableStore.Offered older = store.offer(table(2, RegionState.DOWN, Map.of()));
        assertFalse(older.applied());
        assertEquals(3, older.heldVersion());
        assertFalse(store.offer(table(3, RegionState.DOWN, Map.of())).applied(),
                "the same version is not taken twice");
        assertEquals(List.of(3L), told);
        assertEquals(RegionState.HEALTHY, store.current().orElseThrow().stateOf("us-east"));
    }

    @Test
    void theBinaryFormRoundTripsAndLeadsWithTheVersion() {
        MeshTable t = table(42, RegionState.DRAINING, Map.of("us-east", new Home("ap-south", 5)));
        byte[] bytes = t.toBytes();
        assertEquals(42, MeshTable.versionOf(bytes));
        assertEquals(t, MeshTable.fromBytes(bytes));
    }

    @Test
    void oneTableGivesTheSameBytesWhateverOrderItsMapsWereGivenIn() {
        MeshTable t = table(7, RegionState.DOWN, Map.of("us-east", new Home("eu-west", 2)));
        Map<String, MeshTable.RegionEntry> reversed = new LinkedHashMap<>();
        List.of("ap-south", "eu-west", "us-east").forEach(r -> reversed.put(r, t.regions().get(r)));
        MeshTable sameInOtherOrder = new MeshTable(7, LEADER, t.homes(), reversed, t.preference());
        assertEquals(t, sameInOtherOrder);
        assertArrayEquals(t.toBytes(), sameInOtherOrder.toBytes());
    }

    @Test
    void theBaseRegionsHomedAtARegionAndEveryEpochComeInTheTablesRegionOrder() {
        MeshTable moved = table(1, RegionState.DOWN, Map.of("us-east", new Home("eu-west", 2)));
        assertEquals(List.of("us-east", "eu-west"), moved.homedAt("eu-west"));
        assertEquals(List.of(), moved.homedAt("us-east"));
        assertEquals(List.of("us-east", "eu-west", "ap-south"), List.copyOf(moved.epochs().keySet()));
        assertEquals(Map.of("us-east", 2L, "eu-west", 1L, "ap-south", 1L), moved.epochs());
    }

    @Test
    void aMoveRaisesTheEpochOfEachBaseRegionThatMovesAndOnlyOfThose() {
        MeshTable table = table(1, RegionState.HEALTHY, Map.of());
        MeshTable moved = table.withHomes(List.of("us-east", "eu-west"), "eu-west");
        assertEquals(new Home("eu-west", 2), moved.homeOf("us-east"));
        assertEquals(new Home("eu-west", 1), moved.homeOf("eu-west"), "already there: it did not move");
        assertEquals(new Home("ap-south", 1), moved.homeOf("ap-south"));
        assertFalse(moved.homes().containsKey("ap-south"), "a base region not asked about stays implicit");
        MeshTable back = moved.withHomes(List.of("us-east"), "us-east");
        assertEquals(new Home("us-east", 3), back.homeOf("us-east"), "epochs never go down, also on the way home");
        assertEquals(new Home("ap-south", 9), back.withHome("us-east", new Home("ap-south", 9)).homeOf("us-east"));
    }

    @Test
    void aChangeKeepsTheVersionUntilNextGivesItTheNextUnderItsLeader() {
        MeshTable table = table(4, RegionState.HEALTHY, Map.of());
        MeshTable drained = table.withState("eu-west", RegionState.DRAINING);
        assertEquals(4, drained.version());
        assertEquals(RegionState.DRAINING, drained.stateOf("eu-west"));
        assertEquals(List.of(EU), drained.regions().get("eu-west").edges(), "the edges stay");
        assertFalse(drained.sameContent(table));
        assertThrows(IllegalArgumentException.class, () -> table.withState("mars", RegionState.DOWN));

        MeshTable.Leader next = new MeshTable.Leader("cp-2", 3);
        MeshTable written = drained.next(next);
        assertEquals(5, written.version());
        assertEquals(next, written.leader());
        assertTrue(written.sameContent(drained), "version and leader are not content");
        MeshTable above = drained.atVersion(41, next);
        assertEquals(41, above.version());
        assertTrue(above.sameContent(drained));
        assertEquals(RegionState.HEALTHY, table.stateOf("atlantis"), "a region the table does not list");
    }

    @Test
    void whatThePreferenceLeavesOutIsTriedInNameOrder() {
        Map<String, MeshTable.RegionEntry> regions = new LinkedHashMap<>();
        regions.put("us-east", new MeshTable.RegionEntry(RegionState.DOWN, List.of(US)));
        regions.put("eu-west", new MeshTable.RegionEntry(RegionState.HEALTHY, List.of(EU)));
        regions.put("ap-south", new MeshTable.RegionEntry(RegionState.HEALTHY, List.of(AP)));
        MeshTable noPreference = new MeshTable(3, LEADER, Map.of(), regions, Map.of());
        MeshTable.Route route = noPreference.route("us-east", null, "default").orElseThrow();
        assertEquals("ap-south", route.region());
        assertEquals("preference", route.reason());
    }

    @Test
    void badTablesAreRefusedNamingWhatIsWrong() {
        assertThrows(IllegalArgumentException.class, () -> table(0, RegionState.HEALTHY, Map.of()));
        IllegalArgumentException state = assertThrows(IllegalArgumentException.class,
                () -> RegionState.fromWire("sleepy"));
        assertTrue(state.getMessage().contains("sleepy"));
        assertThrows(NullPointerException.class, () -> new MeshTable.RegionEntry(null, List.of()));
        IllegalArgumentException home = assertThrows(IllegalArgumentException.class,
                () -> table(1, RegionState.HEALTHY, Map.of("us-east", new Home("mars", 2))));
        assertTrue(home.getMessage().contains("mars"));
    }
}
