package io.heliograph.client;

import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.Serial;

/**
 * A channel the client stopped re-attaching because the edge refused it for good (e.g. 403 after the token's
 * capabilities changed, 400): no more of its messages will be delivered unless the application attaches it again.
 * Transient refusals (429, 500, 503, no answer) never drop a channel; they are retried.
 *
 * @param lastSerial the last serial delivered on it, from which a later attach may resume; null when none
 */
public record ChannelDropped(String channel, Serial lastSerial, HeliographException reason) {
}
