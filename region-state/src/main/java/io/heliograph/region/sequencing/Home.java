package io.heliograph.region.sequencing;

/**
 * Where a channel is sequenced: {@code region} assigns its serials under {@code epoch}. The epoch grows by one each
 * time the home moves, so a serial {@code epoch:seq} never repeats and every region can tell a stale home.
 */
public record Home(String region, long epoch) implements java.io.Serializable {

    public Home {
        if (region == null || region.isBlank()) {
            throw new IllegalArgumentException("a home names its region");
        }
        if (epoch < 1) {
            throw new IllegalArgumentException("epochs start at 1, got " + epoch);
        }
    }
}
