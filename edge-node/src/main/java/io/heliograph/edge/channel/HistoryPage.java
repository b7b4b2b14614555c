package io.heliograph.edge.channel;

import java.util.List;

import io.heliograph.protocol.ChannelMessage;

/** A page of history, oldest first; {@code more} when further messages follow the last one. */
public record HistoryPage(List<ChannelMessage> messages, boolean more) {
}
