package io.heliograph.region.sequencing;

import io.heliograph.protocol.Durability;
import io.heliograph.protocol.HeliographException;
import io.heliograph.region.channel.AppendResult;

/**
 * Makes a sequenced message as durable as its publisher asked before it is delivered and acknowledged. The append
 * itself already makes it {@link Durability#REGION region}-durable (stored with its synchronous backup); {@link
 * Durability#GLOBAL global} also needs another region to hold it, which the region bridge confirms.
 */
public interface Commitment {

    /**
     * Returns once {@code result}'s message is {@code durability}-durable; throws {@link HeliographException} (503
     * when it may succeed on a retry with the same msgId, 400 when it cannot here) otherwise. Bounded in time.
     */
    void awaitDurable(String channel, AppendResult result, Durability durability);

    /** The durability a publish gets when its publisher asks for none: global when another region can hold it. */
    Durability byDefault();

    /** Whether this region can give {@code durability} at all (with its bridges as configured). */
    boolean offers(Durability durability);

    /** A region without bridges: region durability is all it can give, and the default. */
    static Commitment regionOnly() {
        return new Commitment() {
            @Override
            public void awaitDurable(String channel, AppendResult result, Durability durability) {
                if (durability == Durability.GLOBAL) {
                    throw HeliographException.badRequest("durability \"global\" needs another region to hold the "
                            + "message, and this region has no bridge to one; publish with \"region\" or none");
                }
            }

            @Override
            public Durability byDefault() {
                return Durability.REGION;
            }

            @Override
            public boolean offers(Durability durability) {
                return durability == Durability.REGION;
            }
        };
    }
}
