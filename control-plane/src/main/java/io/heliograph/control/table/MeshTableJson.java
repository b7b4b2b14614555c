package io.heliograph.control.table;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The mesh table's JSON, exactly as docs/control-plane.md shows it. */
public final class MeshTableJson {

    /** Shared by the control plane's JSON: tolerant of fields it does not know (the edge may add some). */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private MeshTableJson() {
    }

    public static String write(MeshTable table) {
        try {
            return MAPPER.writeValueAsString(table);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode tree(MeshTable table) {
        return MAPPER.valueToTree(table);
    }

    /** @throws IllegalArgumentException when the text is not a mesh table */
    public static MeshTable read(String json) {
        try {
            return read(MAPPER.readTree(json));
        } catch (IOException e) {
            throw new IllegalArgumentException("not a mesh table: " + e.getMessage(), e);
        }
    }

    /** @throws IllegalArgumentException when the node is not a mesh table */
    public static MeshTable read(JsonNode node) {
        if (node == null || !node.isObject() || !node.path("version").canConvertToLong()) {
            throw new IllegalArgumentException("not a mesh table: no version");
        }
        try {
            MeshTable table = MAPPER.treeToValue(node, MeshTable.class);
            if (table.regions() == null || table.homes() == null || table.preference() == null) {
                throw new IllegalArgumentException("not a mesh table: homes, regions and preference are required");
            }
            return table;
        } catch (IOException | NullPointerException e) {
            throw new IllegalArgumentException("not a mesh table: " + e.getMessage(), e);
        }
    }
}
