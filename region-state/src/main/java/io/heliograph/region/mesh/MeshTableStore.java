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

    /**
     * The table the region holds this instant, read from its shared copy rather than this process's cache. The cache
     * follows the shared copy by events, a moment behind: a decision that must not act on a table one push old (a
     * takeover asking whether a peer is down) reads this instead. Costs one read of the region's state.
     */
    default Optional<MeshTable> fresh() {
        return current();
    }

    /** Keeps {@code table} when it is newer than the one held; answers whether it did, and the version held after. */
    Offered offer(MeshTable table);

    /** Told of every newer table, in this process, after it is held. */
    void onChange(Consumer<MeshTable> listener);

    /** The answer to {@link #offer}. */
    record Offered(boolean applied, long heldVersion) {
    }
}
