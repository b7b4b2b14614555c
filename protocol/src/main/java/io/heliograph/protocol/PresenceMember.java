package io.heliograph.protocol;

/**
 * One member of a channel's presence set. A client is present once per connection; {@code dataJson} is JSON text or
 * null.
 */
public record PresenceMember(String clientId, String connectionId, String dataJson, String region) {
}
