package io.heliograph.region.channel;

import java.util.Set;

import io.heliograph.protocol.Serial;

/**
 * Outcome of taking a message sequenced in another region.
 *
 * @param outcome         what happened to it
 * @param latest          this region's latest serial for the channel afterwards: after a {@code GAP}, where the missing
 *                        part begins (fetch what follows it from the origin's history)
 * @param interestedNodes for {@code APPLIED}: the nodes with subscribers, to send it on to
 */
public record ReplicateResult(Outcome outcome, Serial latest, Set<String> interestedNodes) {

    public enum Outcome {
        /** Stored as the channel's next message. */
        APPLIED,
        /** Already held (or already trimmed from history): dropped. */
        DUPLICATE,
        /** It does not follow this region's latest: messages are missing before it. Nothing was stored. */
        GAP,
        /** Of an epoch this region has left, past where that epoch ended: it was never committed. Refused. */
        FENCED
    }

    public static ReplicateResult of(Outcome outcome, Serial latest, Set<String> interestedNodes) {
        return new ReplicateResult(outcome, latest, interestedNodes);
    }
}
