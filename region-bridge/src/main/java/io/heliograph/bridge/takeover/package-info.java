/**
 * Takeovers between regions (docs/control-plane.md, "Takeover"): the new home's side ({@link
 * io.heliograph.bridge.takeover.ChannelTakeover}: every peer that is not down yields, the missing tail is fetched) and
 * the yielding side ({@link io.heliograph.bridge.takeover.YieldArrivals}).
 */
package io.heliograph.bridge.takeover;
