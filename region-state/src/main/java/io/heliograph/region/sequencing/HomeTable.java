package io.heliograph.region.sequencing;

/** The home of every channel, as this region last learned it. */
@FunctionalInterface
public interface HomeTable {

    Home homeOf(String channel);

    /** Every channel homed in {@code region} under the first epoch: a mesh of one region, or before any failover. */
    static HomeTable everyChannelIn(String region) {
        Home home = new Home(region, io.heliograph.region.channel.ChannelState.FIRST_EPOCH);
        return channel -> home;
    }
}
