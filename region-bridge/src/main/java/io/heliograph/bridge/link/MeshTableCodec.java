package io.heliograph.bridge.link;

import io.heliograph.bridge.v1.Hello;
import io.heliograph.region.mesh.MeshTableJson;

/**
 * The mesh table in a Hello: the documented JSON ({@link MeshTableJson}, the form the control plane pushes to the
 * edges), written from this region's table and offered to this region when a peer's Hello carries one.
 */
final class MeshTableCodec {

    private static final System.Logger LOG = System.getLogger(MeshTableCodec.class.getName());

    private MeshTableCodec() {
    }

    /** Offers the table {@code peer}'s Hello carries, if any, to this region; an invalid one is logged and dropped. */
    static void offerFrom(Hello hello, String peer, TableExchange tables) {
        if (hello.getMeshTableJson().isEmpty()) {
            return;
        }
        try {
            tables.offered(MeshTableJson.read(hello.getMeshTableJson()), peer);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "the mesh table in " + peer + "'s Hello is not valid, ignored: "
                    + e.getMessage());
        }
    }

    /** The Hello with this region's table, when it holds one. */
    static Hello.Builder withTable(Hello.Builder hello, TableExchange tables) {
        tables.held().ifPresent(table -> hello.setMeshTableJson(MeshTableJson.write(table)));
        return hello;
    }
}
