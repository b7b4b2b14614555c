package io.heliograph.control.table;

import java.util.Optional;
import java.util.concurrent.ConcurrentMap;

import io.heliograph.region.mesh.MeshTable;
import io.heliograph.region.mesh.MeshTableJson;

/**
 * Where the replicas keep the current mesh table, so that every replica answers reads from the leader's table: one
 * entry of a shared map (the replicas' Hazelcast IMap {@code hg.control.table}, or any map in tests). Only the leader
 * writes; a write never lowers the version.
 */
public final class TableStore {

    private static final String KEY = "current";

    private final ConcurrentMap<String, String> map;

    public TableStore(ConcurrentMap<String, String> map) {
        this.map = map;
    }

    public Optional<MeshTable> current() {
        String json = map.get(KEY);
        return json == null ? Optional.empty() : Optional.of(MeshTableJson.read(json));
    }

    /**
     * Keeps {@code table} unless a higher version is already stored: a compare-and-set loop (not {@code merge}, which
     * Hazelcast would run remotely with the function serialized).
     */
    public void save(MeshTable table) {
        String json = MeshTableJson.write(table);
        while (true) {
            String old = map.putIfAbsent(KEY, json);
            if (old == null) {
                return;
            }
            if (MeshTableJson.read(old).version() > table.version() || map.replace(KEY, old, json)) {
                return;
            }
        }
    }
}
