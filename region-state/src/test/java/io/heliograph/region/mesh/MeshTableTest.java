package io.heliograph.region.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.heliograph.region.sequencing.Home;
import io.heliograph.region.sequencing.RendezvousHomes;

class MeshTableTest {

    private static final MeshTable.EdgeAddress US = new MeshTable.EdgeAddress("us-1", "ws://us", "http://us");
    private static final MeshTable.EdgeAddress EU = new MeshTable.EdgeAddress("eu-1", "ws://eu", "http://eu");
    private static final MeshTable.EdgeAddress AP = new MeshTable.EdgeAddress("ap-1", "ws://ap", "http://ap");

    static MeshTable table(long version, String usState, Map<String, Home> homes) {
        return new MeshTable(version, "cp-1", 1, homes,
                Map.of("us-east", new MeshTable.RegionEntry(usState, List.of(US)),
                        "eu-west", new MeshTable.RegionEntry("healthy", List.of(EU)),
                        "ap-south", new MeshTable.RegionEntry("healthy", List.of(AP))),
                Map.of("us-east", List.of("eu-west", "ap-south"), "eu-west", List.of("us-east", "ap-south"),
                        "ap-south", List.of("eu-west", "us-east")));
    }

    @Test
    void routesToTheNearRegionWhileItServesElseToItsPreference() {
        MeshTable healthy = table(1, "healthy", Map.of());
        assertEquals("us-east", healthy.route("us-east", null, "default").orElseThrow().region());
        assertEquals("near", healthy.route("us-east", null, "default").orElseThrow().reason());
        MeshTable down = table(2, "down", Map.of("us-east", new Home("eu-west", 2)));
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
        store.offer(table(1, "down", Map.of("us-east", new Home("eu-west", 2))));
        assertEquals(new Home("eu-west", 2), homes.homeOf("chat:general"));
        assertEquals(new Home("eu-west", 1), homes.homeOf("orders"));
    }

    @Test
    void aStoreKeepsOnlyNewerVersionsAndTellsItsListeners() {
        InMemoryMeshTableStore store = new InMemoryMeshTableStore();
        List<Long> told = new java.util.ArrayList<>();
        store.onChange(t -> told.add(t.version()));
        assertTrue(store.offer(table(3, "healthy", Map.of())).applied());
        MeshTableStore.Offered older = store.offer(table(2, "down", Map.of()));
        assertFalse(older.applied());
        assertEquals(3, older.heldVersion());
        assertFalse(store.offer(table(3, "down", Map.of())).applied(), "the same version is not taken twice");
        assertEquals(List.of(3L), told);
        assertEquals("healthy", store.current().orElseThrow().stateOf("us-east"));
    }

    @Test
    void theBinaryFormRoundTripsAndLeadsWithTheVersion() {
        MeshTable t = table(42, "draining", Map.of("us-east", new Home("ap-south", 5)));
        byte[] bytes = t.toBytes();
        assertEquals(42, MeshTable.versionOf(bytes));
        assertEquals(t, MeshTable.fromBytes(bytes));
    }

    @Test
    void badTablesAreRefusedNamingWhatIsWrong() {
        assertThrows(IllegalArgumentException.class, () -> table(0, "healthy", Map.of()));
        IllegalArgumentException state = assertThrows(IllegalArgumentException.class,
                () -> table(1, "sleepy", Map.of()));
        assertTrue(state.getMessage().contains("sleepy"));
        IllegalArgumentException home = assertThrows(IllegalArgumentException.class,
                () -> table(1, "healthy", Map.of("us-east", new Home("mars", 2))));
        assertTrue(home.getMessage().contains("mars"));
    }
}
