package io.heliograph.client;

import java.util.List;

import io.heliograph.protocol.ChannelMessage;

/**
 * One page of a channel's history, oldest first.
 *
 * @param more true when further messages follow the last one of this page; ask again from its serial
 */
public record HistoryPage(List<ChannelMessage> messages, boolean more) {

    public HistoryPage {
        messages = List.copyOf(messages);
    }
}
