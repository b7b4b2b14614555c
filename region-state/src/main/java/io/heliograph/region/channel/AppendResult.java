package io.heliograph.region.channel;

import java.util.Set;

import io.heliograph.protocol.ChannelMessage;

/**
 * Outcome of an append.
 *
 * @param message        the stored message (for a duplicate: the first one, as far as history still holds it)
 * @param duplicate      true when the msgId was already sequenced within the dedup window; nothing is delivered then
 * @param interestedNodes nodes with subscribers for the channel at sequencing time
 * @param stored         the message is the stored original (false only for a duplicate whose original has left
 *                       history; then only serial and msgId are meaningful)
 */
public record AppendResult(ChannelMessage message, boolean duplicate, Set<String> interestedNodes, boolean stored) {
}
