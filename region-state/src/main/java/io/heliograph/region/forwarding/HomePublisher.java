package io.heliograph.region.forwarding;

/**
 * Sequences a forwarded publish in this region, which must be the channel's home, exactly as a publish from one of
 * its own clients (history, the outbound logs of every peer, durability, fan-out), and answers once it is as durable
 * as asked. An edge node offers it to its region's bridges; it must never forward again (a loop between two regions
 * that disagree about a home), so a channel not homed here is refused.
 */
@FunctionalInterface
public interface HomePublisher {

    ForwardOutcome publishAtHome(ForwardedPublish publish);
}
