package io.heliograph.edge.channel;

import java.util.List;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Serial;

/**
 * Outcome of an attach.
 *
 * @param latest          the channel's latest serial, null when it has none
 * @param catchUp         messages after the requested serial, oldest first (empty when none was requested)
 * @param continuityLost  history no longer reaches back to the requested serial
 */
public record AttachResult(Serial latest, List<ChannelMessage> catchUp, boolean continuityLost) {
}
