package io.heliograph.client;

import io.heliograph.protocol.Durability;
import io.heliograph.protocol.Serial;

/**
 * The server's acknowledgement of a publish: the message is sequenced and stored.
 *
 * @param msgId      the message id, assigned by the client when the application gave none; a re-sent publish keeps it
 * @param durability how durable the message is (region: stored with its backup in the home region; global: held by
 *                   another region too); null when the edge did not say (edges before durability)
 */
public record PublishAck(Serial serial, String msgId, Durability durability) {

    /** An acknowledgement that does not say how durable the message is. */
    public PublishAck(Serial serial, String msgId) {
        this(serial, msgId, null);
    }
}
