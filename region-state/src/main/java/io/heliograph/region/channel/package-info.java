/**
 * Channels: sequencing, idempotency, bounded history and subscription interest, kept together per channel because
 * they must change atomically. {@link io.heliograph.region.channel.ChannelLog} is the plug point; the logic lives in
 * {@link io.heliograph.region.channel.ChannelState}, engine-free, so the in-memory and Hazelcast logs behave alike.
 */
package io.heliograph.region.channel;
