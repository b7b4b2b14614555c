package io.heliograph.region.forwarding;

/**
 * Carries a forwarded publish from this region to its channel's home region and answers what the home answered (a
 * region bridge offers it to its region's edge nodes). Blocking, within the publish's budget; a home that cannot be
 * reached is answered as {@link io.heliograph.protocol.ErrorCode#UNAVAILABLE}, so the publisher retries with its
 * msgId.
 */
@FunctionalInterface
public interface HomeLink {

    ForwardOutcome forward(ForwardedPublish publish);
}
