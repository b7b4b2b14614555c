package io.heliograph.bridge.link;

import io.heliograph.bridge.PeerChannel;

import java.util.List;
import java.util.Objects;

/**
 * The bridge replicas of one peer region, in the order they are to be tried: one {@link PeerChannel} each. Only one
 * replica of a region holds its bridge lease and links; the others answer Link with UNAVAILABLE. So a link that fails
 * on one replica tries the next one, in order and round again, and Backfill calls go to the replica the link last
 * used. The URLs are kept for {@code /health}.
 */
public final class PeerReplicas implements AutoCloseable {

    private final String peerRegion;
    private final List<PeerChannel> channels;
    private final List<String> urls;
    private volatile int current;

    /**
     * @param channels one per replica, all to {@code peerRegion}, in the order to try them
     * @param urls     their URLs as configured, same order (for logs and {@code /health})
     */
    public PeerReplicas(String peerRegion, List<PeerChannel> channels, List<String> urls) {
        this.peerRegion = Objects.requireNonNull(peerRegion, "peerRegion");
        this.channels = List.copyOf(channels);
        this.urls = List.copyOf(urls);
        if (this.channels.isEmpty() || this.channels.size() != this.urls.size()) {
            throw new IllegalArgumentException("peer region " + peerRegion + ": one URL per channel, at least one");
        }
        for (PeerChannel channel : this.channels) {
            if (!channel.peerRegion().equals(peerRegion)) {
                throw new IllegalArgumentException("a channel to " + channel.peerRegion() + " among the replicas of "
                        + peerRegion);
            }
        }
    }

    /** A single replica (tests, a peer without a standby). */
    public static PeerReplicas of(PeerChannel channel) {
        return new PeerReplicas(channel.peerRegion(), List.of(channel), List.of(channel.peerRegion()));
    }

    public String peerRegion() {
        return peerRegion;
    }

    /** The replica to use now. */
    public PeerChannel current() {
        return channels.get(current);
    }

    /** The URL of {@link #current()}. */
    public String currentUrl() {
        return urls.get(current);
    }

    /** How many replicas the peer has. */
    public int size() {
        return channels.size();
    }

    /** The URL of one of these replicas' channels. */
    public String urlOf(PeerChannel channel) {
        int index = channels.indexOf(channel);
        return index < 0 ? channel.peerRegion() : urls.get(index);
    }

    /**
     * The call on {@code failed} failed: move on to the next replica, unless another failure has moved on already
     * (a failed Backfill and a failed stream on the same replica advance once).
     */
    public synchronized void failed(PeerChannel failed) {
        if (channels.size() > 1 && channels.get(current) == failed) {
            current = (current + 1) % channels.size();
        }
    }

    /** A Backfill towards whichever replica is current; a failure moves on to the next one. */
    public PeerBackfill backfill() {
        return request -> {
            PeerChannel channel = current();
            try {
                return channel.backfill(request);
            } catch (RuntimeException e) {
                failed(channel);
                throw e;
            }
        };
    }

    @Override
    public void close() {
        channels.forEach(PeerChannel::close);
    }
}
