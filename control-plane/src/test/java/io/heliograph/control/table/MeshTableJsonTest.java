package io.heliograph.control.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.heliograph.control.state.RegionState;

/** The mesh table's JSON is the shape of docs/control-plane.md, both ways. */
class MeshTableJsonTest {

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
        assertEquals(new MeshTable.Home("eu-west", 2), table.home("us-east"));
        assertEquals(RegionState.DOWN, table.state("us-east"));
        assertEquals(java.util.List.of("us-east", "eu-west"), table.homedAt("eu-west"));
        JsonNode written = MeshTableJson.MAPPER.readTree(MeshTableJson.write(table));
        assertEquals(MeshTableJson.MAPPER.readTree(DOC_EXAMPLE), written);
    }

    @Test
    void aBaseRegionMissingFromHomesIsAtItselfUnderEpochOne() {
        MeshTable table = MeshTableJson.read(DOC_EXAMPLE.replace(
                "\"ap-south\": {\"region\": \"ap-south\", \"epoch\": 1}", "\"x\": {\"region\": \"x\", \"epoch\": 1}"));
        assertEquals(new MeshTable.Home("ap-south", 1), table.home("ap-south"));
    }

    @Test
    void somethingElseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> MeshTableJson.read("{\"homes\":{}}"));
        assertThrows(IllegalArgumentException.class, () -> MeshTableJson.read("[1,2]"));
    }
}
