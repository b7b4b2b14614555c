package io.heliograph.bridge.link;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.heliograph.bridge.v1.FencedChannel;
import io.heliograph.protocol.Serial;

/**
 * Per peer, the channels whose envelopes from it were refused as fenced since the last acknowledgement, with where
 * their epoch ended here. The next Ack to that peer carries them (bridge.proto, {@code Ack.fenced}): the peer is a
 * stale home, and must not count the acknowledgement as holding them. Recorded before the store that refused them
 * completes, and taken by the ack after it has read what is held, so no ack covers a fenced envelope without its
 * notice.
 */
final class FencedNotices {

    private final Map<String, Map<String, Serial>> byPeer = new ConcurrentHashMap<>();

    /** {@code channel}'s envelopes from {@code peer} were fenced: their epoch ended here at {@code end}. */
    void record(String peer, String channel, Serial end) {
        Map<String, Serial> channels = byPeer.computeIfAbsent(peer, p -> new LinkedHashMap<>());
        synchronized (channels) {
            channels.merge(channel, end, (a, b) -> a.compareTo(b) >= 0 ? a : b);
        }
    }

    /** Takes every notice for {@code peer} recorded so far. */
    List<FencedChannel> take(String peer) {
        Map<String, Serial> channels = byPeer.get(peer);
        if (channels == null) {
            return List.of();
        }
        synchronized (channels) {
            if (channels.isEmpty()) {
                return List.of();
            }
            List<FencedChannel> out = channels.entrySet().stream().map(e -> FencedChannel.newBuilder()
                    .setChannel(e.getKey()).setEpochEnd(EnvelopeCodec.toWire(e.getValue())).build()).toList();
            channels.clear();
            return out;
        }
    }

    /** Puts notices back that could not be sent (the stream was not ready): the next ack carries them. */
    void putBack(String peer, List<FencedChannel> notices) {
        for (FencedChannel notice : notices) {
            record(peer, notice.getChannel(), EnvelopeCodec.fromWire(notice.getEpochEnd()));
        }
    }
}
