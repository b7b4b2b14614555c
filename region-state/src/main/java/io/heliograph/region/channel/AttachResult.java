package io.heliograph.region.channel;

import io.heliograph.protocol.Serial;

/**
 * Outcome of an attach: what the region answered atomically with registering the node's interest.
 *
 * @param latest          the channel's latest serial, null when it has none
 * @param continuityLost  the channel cannot continue from the requested serial: history no longer reaches back to
 *                        it, or the channel never reached it
 */
public record AttachResult(Serial latest, boolean continuityLost) {
}
