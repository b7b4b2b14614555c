package io.heliograph.region.mesh;

import io.heliograph.region.sequencing.Home;
import io.heliograph.region.sequencing.HomeTable;

/**
 * The homes a region acts on: the configuration's placement (every region computes the same) gives a channel its base
 * region, and the newest mesh table says where that base region's channels are sequenced now, under which epoch. No
 * table yet: every channel at its base region, epoch 1.
 */
public final class MeshHomes implements HomeTable {

    private final HomeTable configured;
    private final MeshTableStore tables;

    /** @param configured the placement from configuration alone (a {@code RendezvousHomes}) */
    public MeshHomes(HomeTable configured, MeshTableStore tables) {
        this.configured = configured;
        this.tables = tables;
    }

    @Override
    public Home homeOf(String channel) {
        Home base = configured.homeOf(channel);
        return tables.current().map(table -> table.homeOf(base.region())).orElse(base);
    }
}
