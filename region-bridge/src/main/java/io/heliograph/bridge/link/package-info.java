/**
 * The peer link: what makes two regions' channel logs converge, exactly once in effect (shared/MULTI-REGION.md,
 * invariants 5 and 7). {@link io.heliograph.bridge.link.LinkSender} dials one peer region and streams this region's
 * outbound log to it; {@link io.heliograph.bridge.link.RegionBridgeService} is the server side of {@code Link} and
 * {@code Backfill}: it fences stale replicas, applies envelopes through region-state's {@code Replication}, fills gaps
 * by Backfill from the origin and acknowledges only what this region holds. It owns no storage of its own: the
 * channel logs are region-state's, the outbound log is {@code io.heliograph.bridge.outbound}'s.
 */
package io.heliograph.bridge.link;
