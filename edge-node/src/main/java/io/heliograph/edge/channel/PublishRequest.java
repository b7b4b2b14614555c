package io.heliograph.edge.channel;

/**
 * A message to sequence. {@code timestampMs} is fixed before the request reaches the store, so replaying the request
 * on a backup replica yields the same message.
 */
public record PublishRequest(String msgId, String name, String dataJson, String clientId, String region,
                             long timestampMs) {
}
