package io.heliograph.region.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.heliograph.protocol.Json;
import io.heliograph.region.sequencing.Home;

/**
 * The mesh table's JSON is the shape of docs/control-plane.md, both ways: the control plane writes it and the edge
 * reads it with this one codec, so what one writes the other reads with the same meaning.
 */
class MeshTableJsonTest {

    /** The page's example, with its {@code [ ... ]} edge lists empty ({@link #theExampleIsTheOneOnThePage}). */
    private static final String DOC_EXAMPLE = """
            {
              "version": 4,
              "leader": {"id": "cp-1", "epoch": 2},
              "homes": {
                "us-east":  {"region": "eu-west",  "epoch": 2},
                "eu-west":  {"region": "eu-west",  "epoch": 1},
                "ap-south": {"region": "ap-south", "epoch": 1}
              },
              "regions": {
                "us-east":  {"state": "down",    "edges": [{"id": "us-east-1", "ws": "ws://127.0.0.1:8580/v1/ws", "http": "http://127.0.0.1:8080"}]},
                "eu-west":  {"state": "healthy", "edges": []},
                "ap-south": {"state": "healthy", "edges": []}
              },
              "preference": {"us-east": ["eu-west", "ap-south"], "eu-west": ["us-east", "ap-south"], "ap-south": ["eu-west", "us-east"]}
            }
            """;

    @Test
    void theDocumentsExampleReadsAndWritesBackTheSame() throws Exception {
        MeshTable table = MeshTableJson.read(DOC_EXAMPLE);
        assertEquals(4, table.version());
        assertEquals(new MeshTable.Leader("cp-1", 2), table.leader());
        assertEquals(new Home("eu-west", 2), table.homeOf("us-east"));
        assertEquals(RegionState.DOWN, table.stateOf("us-east"));
        assertEquals(List.of("us-east", "eu-west"), table.homedAt("eu-west"));
        assertEquals(List.of(new MeshTable.EdgeAddress("us-east-1", "ws://127.0.0.1:8580/v1/ws",
                "http://127.0.0.1:8080")), table.regions().get("us-east").edges());
        // Compact text, not only equal trees: the same fields, values and order as the page.
        assertEquals(Json.MAPPER.readTree(DOC_EXAMPLE).toString(), MeshTableJson.write(table));
    }

    @Test
    void theExampleIsTheOneOnThePage() throws Exception {
        String page = Files.readString(Path.of("..", "docs", "control-plane.md"));
        int section = page.indexOf("## The mesh table");
        assertTrue(section >= 0, "docs/control-plane.md has a section \"The mesh table\"");
        int start = page.indexOf("```json\n", section) + "```json\n".length();
        String example = page.substring(start, page.indexOf("\n```", start)).replace("[ ... ]", "[]");
        assertEquals(Json.MAPPER.readTree(DOC_EXAMPLE), Json.MAPPER.readTree(example));
    }

    @Test
    void aBaseRegionMissingFromHomesIsAtItselfUnderEpochOne() {
        MeshTable table = MeshTableJson.read(DOC_EXAMPLE.replace(
                ",\n    \"ap-south\": {\"region\": \"ap-south\", \"epoch\": 1}", ""));
        assertEquals(2, table.homes().size());
        assertEquals(new Home("ap-south", 1), table.homeOf("ap-south"));
    }

    @Test
    void everyStateAndMovedHomesReadBackAsTheTableThatWasWritten() {
        for (RegionState state : RegionState.values()) {
            Map<String, MeshTable.RegionEntry> regions = new LinkedHashMap<>();
            regions.put("us-east", new MeshTable.RegionEntry(state, List.of(
                    new MeshTable.EdgeAddress("us-east-1", "ws://us-east-1/v1/ws", "http://us-east-1"),
                    new MeshTable.EdgeAddress("us-east-2", "ws://us-east-2/v1/ws", "http://us-east-2"))));
            regions.put("eu-west", new MeshTable.RegionEntry(RegionState.HEALTHY, List.of()));
            MeshTable written = new MeshTable(7, new MeshTable.Leader("cp-2", 3),
                    Map.of("us-east", new Home("eu-west", 2)), regions,
                    Map.of("us-east", List.of("eu-west"), "eu-west", List.of("us-east")));
            MeshTable read = MeshTableJson.read(Json.parse(MeshTableJson.write(written)));
            assertEquals(written, read, state.wire());
            assertEquals(state, read.stateOf("us-east"));
        }
    }

    @Test
    void whatItDoesNotKnowIsIgnoredAndAMissingLeaderIsNoLeader() {
        MeshTable table = MeshTableJson.read("{\"version\": 3, \"extra\": {\"a\": 1}}");
        assertEquals(3, table.version());
        assertEquals(new MeshTable.Leader("", 0), table.leader());
        assertEquals(Map.of(), table.regions());
    }

    @Test
    void aMalformedTableIsRefusedNamingTheField() {
        Map<String, String> fieldOf = new LinkedHashMap<>();
        fieldOf.put("[1,2]", "the body");
        fieldOf.put("{\"homes\": {}}", "version");
        fieldOf.put("{\"version\": 0}", "version");
        fieldOf.put("{\"version\": 1.5}", "version");
        fieldOf.put("{\"version\": 1, \"homes\": []}", "homes");
        fieldOf.put("{\"version\": 1, \"homes\": {\"us-east\": {\"region\": \"eu-west\", \"epoch\": 0}}}",
                "homes.us-east.epoch");
        fieldOf.put("{\"version\": 1, \"homes\": {\"us-east\": {\"epoch\": 2}}}", "homes.us-east.region");
        fieldOf.put("{\"version\": 1, \"homes\": {\"US_East\": {\"region\": \"eu-west\", \"epoch\": 2}}}",
                "'US_East' is not a region name");
        fieldOf.put("{\"version\": 1, \"regions\": {\"us-east\": {\"state\": \"sleepy\"}}}", "regions.us-east.state");
        fieldOf.put("{\"version\": 1, \"regions\": {\"us-east\": {\"state\": \"down\", \"edges\": {}}}}",
                "regions.us-east.edges");
        fieldOf.put("{\"version\": 1, \"regions\": {\"us-east\": {\"state\": \"down\", \"edges\": "
                + "[{\"id\": \"us-east-1\", \"http\": \"http://x\"}]}}}", "regions.us-east.edges[0].ws");
        fieldOf.put("{\"version\": 1, \"preference\": {\"us-east\": \"eu-west\"}}", "preference.us-east");
        fieldOf.put("{\"version\": 1, \"homes\": {\"us-east\": {\"region\": \"mars\", \"epoch\": 2}},"
                + " \"regions\": {\"us-east\": {\"state\": \"down\"}}}", "mars");
        fieldOf.put("{\"version\": ", "not JSON");
        fieldOf.forEach((json, field) -> {
            MeshTableJson.MalformedTable refused = assertThrows(MeshTableJson.MalformedTable.class,
                    () -> MeshTableJson.read(json), json);
            assertTrue(refused.getMessage().startsWith("mesh table: "), refused.getMessage());
            assertTrue(refused.getMessage().contains(field), json + " -> " + refused.getMessage());
        });
    }
}
