package io.heliograph.region.mesh;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * The region's copy of the mesh table: the newest version it was given, shared by every process of the region (edge
 * nodes and bridges), kept while any of them runs.
 */
public interface MeshTableStore {

    /** The table held now; empty before the control plane gave this region any (homes as configured, epoch 1). */
    Optional<MeshTable> current();

    /** Keeps {@code table} when it is newer than the one held; answers whether it did, and the version held after. */
    Offered offer(MeshTable table);

    /** Told of every newer table, in this process, after it is held. */
    void onChange(Consumer<MeshTable> listener);

    /** The answer to {@link #offer}. */
    record Offered(boolean applied, long heldVersion) {
    }
}
