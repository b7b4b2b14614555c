package io.heliograph.region.forwarding;

import java.io.Serializable;

import io.heliograph.protocol.Serial;

/**
 * What a {@link TakeoverLink} answered: done, holding everything up to {@code end} (null: no region holds anything of
 * the channel), or refused with a reason the publisher gets as a 503.
 *
 * @param done     the takeover is complete
 * @param endEpoch with {@code endSeq}, the last serial held ({@code endSeq} 0: none)
 * @param problem  why it is not done
 */
public record TakeoverAnswer(boolean done, long endEpoch, long endSeq, String problem) implements Serializable {

    @java.io.Serial
    private static final long serialVersionUID = 1L;

    public static TakeoverAnswer holding(Serial end) {
        return end == null ? new TakeoverAnswer(true, 0, 0, null) : new TakeoverAnswer(true, end.epoch(), end.seq(), null);
    }

    public static TakeoverAnswer refused(String problem) {
        return new TakeoverAnswer(false, 0, 0, problem);
    }

    /** The last serial held, null when none. */
    public Serial end() {
        return endSeq == 0 ? null : Serial.of(endEpoch, endSeq);
    }
}
