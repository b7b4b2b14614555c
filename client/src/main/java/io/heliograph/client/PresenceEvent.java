package io.heliograph.client;

import io.heliograph.protocol.PresenceAction;
import io.heliograph.protocol.PresenceMember;

/** A change of a channel's presence set, as pushed by the server. */
public record PresenceEvent(String channel, PresenceAction action, PresenceMember member) {
}
