package io.heliograph.client;

import io.heliograph.protocol.Serial;

/**
 * The answer to an attach.
 *
 * @param serial         the channel's latest serial when it was attached, or null when the channel is empty
 * @param resumed        true when every message after the requested {@code fromSerial} is being delivered
 * @param continuityLost true when history no longer reached back to the requested serial (code 410): messages between
 *                       it and {@code serial} will never be delivered
 */
public record AttachResult(String channel, Serial serial, boolean resumed, boolean continuityLost) {
}
