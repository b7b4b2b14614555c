package io.heliograph.region.forwarding;

import io.heliograph.region.sequencing.Home;

/**
 * Takes a channel over for this region, the channel's home in {@code home}'s epoch, through the region's bridge: every
 * peer that is not down is fenced at the epoch and answers what it holds, and what this region lacks is fetched from
 * the one holding most (a region bridge offers it to its region's edge nodes). Blocking, within {@code budgetMs}.
 */
@FunctionalInterface
public interface TakeoverLink {

    TakeoverAnswer takeOver(String channel, Home home, long budgetMs);
}
