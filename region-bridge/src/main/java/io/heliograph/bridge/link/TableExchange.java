package io.heliograph.bridge.link;

import java.util.Optional;

import io.heliograph.region.mesh.MeshTable;

/**
 * What a link carries of the mesh table: every Hello sends the newest table this region holds, and the table a peer's
 * Hello carries is offered to this region, which keeps it only when it is newer. So a region that missed the control
 * plane's push learns the homes' moves from its peers.
 */
public interface TableExchange {

    /** The table this region holds now; empty before it was given one. */
    Optional<MeshTable> held();

    /** {@code peer}'s Hello carried {@code table}; keep it if newer. */
    void offered(MeshTable table, String peer);

    /** No table exchanged (tests, a region without a control plane's table store). */
    TableExchange NONE = new TableExchange() {
        @Override
        public Optional<MeshTable> held() {
            return Optional.empty();
        }

        @Override
        public void offered(MeshTable table, String peer) {
        }
    };
}
