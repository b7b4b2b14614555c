package io.heliograph.region.channel;

/**
 * A message to sequence. {@code timestampMs} is fixed before the request reaches the store, so replaying the request
 * on a backup replica yields the same message. {@code clientId} is the publisher (the token's {@code sub}); with
 * {@code msgId} it forms the idempotency key, so a msgId is unique per publisher, not per channel.
 */
public record PublishRequest(String msgId, String name, String dataJson, String clientId, String region,
                             long timestampMs) {
}
