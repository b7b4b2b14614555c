package io.heliograph.client;

import io.heliograph.protocol.Serial;

/**
 * The server's acknowledgement of a publish: the message is sequenced and stored.
 *
 * @param msgId the message id, assigned by the client when the application gave none; a re-sent publish keeps it
 */
public record PublishAck(Serial serial, String msgId) {
}
