package io.heliograph.region.sequencing;

import io.heliograph.protocol.Serial;

/**
 * How a home of a mesh takes a channel over before its first serial in an epoch (shared/MULTI-REGION.md, invariant 6):
 * every surviving region is fenced at the new epoch (it takes nothing more of an older one past what it holds) and
 * answers what it holds, and this region fetches whatever it lacks from the one holding most. The same step keeps a
 * region restarted from nothing from sequencing a channel again from 1:1.
 */
public interface Takeover {

    /** False for a region on its own: nobody else can hold anything of its channels. */
    boolean required();

    /**
     * Fences the surviving regions at {@code home}'s epoch and makes this region hold every message of the channel
     * that any of them holds; blocking, bounded by the implementation's deadline.
     *
     * @return the last serial now held (null: no region holds anything of the channel)
     * @throws io.heliograph.protocol.HeliographException UNAVAILABLE when a region that is not down could not be asked,
     *                                                    or knows a higher epoch (this region's table is stale)
     */
    Serial takeOver(String channel, Home home);

    /** A region without peers: nothing to take over. */
    Takeover NONE = new Takeover() {
        @Override
        public boolean required() {
            return false;
        }

        @Override
        public Serial takeOver(String channel, Home home) {
            throw new IllegalStateException("a region without peers takes nothing over");
        }
    };
}
