package io.heliograph.region.sequencing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

import io.heliograph.region.channel.ChannelState;

/**
 * The home table every region computes alike from configuration alone, before any failover: a channel matching a
 * {@link HomeRule} lives in that rule's region (the first matching rule wins), any other channel in the region that
 * ranks highest for it by rendezvous hashing over the mesh's regions. Rendezvous hashing needs no coordination and
 * moves only the channels of a region that is added or removed; the hash is our own (FNV-1a with a 64-bit finaliser)
 * so that it never changes with a JDK or a library, which would split a channel's order between two homes.
 *
 * <p>Every region must be given the same regions and rules; the order of the regions does not matter.
 */
public final class RendezvousHomes implements HomeTable {

    private final List<String> regions;
    private final List<HomeRule> rules;
    private final long epoch;

    /**
     * @param regions every region of the mesh, this one included
     * @param rules   overrides by channel pattern, in order
     * @throws IllegalArgumentException when a rule names a region that is not in {@code regions}
     */
    public RendezvousHomes(java.util.Collection<String> regions, List<HomeRule> rules) {
        if (regions.isEmpty()) {
            throw new IllegalArgumentException("a home table needs at least one region");
        }
        this.regions = List.copyOf(new TreeSet<>(regions));
        this.rules = List.copyOf(rules);
        // Until the control plane moves homes (issue 9), every home is in its first epoch.
        this.epoch = ChannelState.FIRST_EPOCH;
        for (HomeRule rule : this.rules) {
            if (!this.regions.contains(rule.region())) {
                throw new IllegalArgumentException("home rule " + rule + " names region " + rule.region()
                        + ", which is not one of " + this.regions);
            }
        }
    }

    @Override
    public Home homeOf(String channel) {
        for (HomeRule rule : rules) {
            if (rule.matches(channel)) {
                return new Home(rule.region(), epoch);
            }
        }
        return new Home(rendezvous(channel), epoch);
    }

    /** The region ranking highest for {@code channel}; ties (astronomically rare) go to the first by name. */
    String rendezvous(String channel) {
        long channelHash = fnv1a(channel.getBytes(StandardCharsets.UTF_8), 0xcbf29ce484222325L);
        String best = null;
        long bestScore = 0;
        for (String region : regions) {
            long score = mix(fnv1a(region.getBytes(StandardCharsets.UTF_8), channelHash));
            if (best == null || Long.compareUnsigned(score, bestScore) > 0) {
                best = region;
                bestScore = score;
            }
        }
        return best;
    }

    public List<String> regions() {
        return regions;
    }

    public List<HomeRule> rules() {
        return rules;
    }

    private static long fnv1a(byte[] bytes, long seed) {
        long hash = seed;
        for (byte b : bytes) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    /** The murmur3 64-bit finaliser: FNV alone leaves the high bits of similar names too alike. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    @Override
    public String toString() {
        return "homes over " + regions + (rules.isEmpty() ? "" : " with rules " + rules);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RendezvousHomes other && regions.equals(other.regions) && rules.equals(other.rules)
                && epoch == other.epoch;
    }

    @Override
    public int hashCode() {
        return Objects.hash(regions, rules, epoch);
    }
}
