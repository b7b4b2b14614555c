package io.heliograph.region.channel;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.heliograph.protocol.Serial;

/** A {@link ChannelLog} in this JVM's memory: for single-node use and for tests. */
public final class InMemoryChannelLog implements ChannelLog {

    private final ConcurrentHashMap<String, ChannelState> channels = new ConcurrentHashMap<>();
    private final HistoryLimits limits;
    private final LongSupplier nowMs;

    public InMemoryChannelLog(HistoryLimits limits, LongSupplier nowMs) {
        this.limits = limits;
        this.nowMs = nowMs;
    }

    private ChannelState state(String channel) {
        return channels.computeIfAbsent(channel, ChannelState::new);
    }

    @Override
    public AppendResult append(String channel, long epoch, PublishRequest request, boolean heldUntilCommitted,
                               boolean requireSettled) {
        ChannelState s = state(channel);
        synchronized (s) {
            return s.append(epoch, request, limits, heldUntilCommitted, requireSettled);
        }
    }

    @Override
    public boolean commit(String channel, Serial through) {
        ChannelState s = state(channel);
        synchronized (s) {
            return s.commit(through);
        }
    }

    @Override
    public boolean commitPublished(String channel, Serial serial) {
        ChannelState s = state(channel);
        synchronized (s) {
            return s.commitPublished(serial);
        }
    }

    @Override
    public HistoryPage sequencedHistory(String channel, Serial fromSerial, int limit, long maxBytes) {
        ChannelState s = state(channel);
        synchronized (s) {
            return s.sequencedHistory(fromSerial, limit, maxBytes, nowMs.getAsLong(), limits);
        }
    }

    @Override
    public ReplicateResult replicate(String channel, io.heliograph.protocol.ChannelMessage message, Serial previous) {
        ChannelState s = state(channel);
        synchronized (s) {
            return s.replicate(message, previous, limits);
        }
    }

    @Override
    public java.util.List<ReplicateResult> replicateAll(String channel, java.util.List<ReplicatedMessage> messages) {
        ReplicatedMessage.requireChannel(channel, messages);
        ChannelState s = state(channel);
        synchronized (s) {
            return s.replicateAll(messages, limits);
        }
    }

    @Override
    public ReplicateResult replicateRestarting(String channel, io.heliograph.protocol.ChannelMessage message,
                                               Serial previous) {
        ChannelState s = state(channel);
        synchronized (s) {
            return s.restartFrom(message, previous, limits);
        }
    }

    @Override
    public boolean settle(String channel, long epoch, Serial end) {
        ChannelState s = state(channel);
        synchronized (s) {
            return s.settle(epoch, end);
        }
    }

    @Override
    public ChannelState.HeldTail yieldTo(String channel, long newEpoch) {
        ChannelState s = state(channel);
        synchronized (s) {
            return s.yieldTo(newEpoch);
        }
    }

    @Override
    public boolean fence(String channel, long newEpoch, Serial endOfCurrent) {
        ChannelState s = state(channel);
        synchronized (s) {
            return s.fence(newEpoch, endOfCurrent);
        }
    }

    @Override
    public AttachResult attach(String channel, String nodeId, Serial fromSerial) {
        ChannelState s = state(channel);
        synchronized (s) {
            return s.attach(nodeId, fromSerial, nowMs.getAsLong(), limits);
        }
    }

    @Override
    public void detach(String channel, String nodeId) {
        ChannelState s = channels.get(channel);
        if (s != null) {
            synchronized (s) {
                s.detach(nodeId);
            }
        }
    }

    @Override
    public HistoryPage history(String channel, Serial fromSerial, int limit, long maxBytes) {
        ChannelState s = state(channel);
        synchronized (s) {
            return s.history(fromSerial, limit, maxBytes, nowMs.getAsLong(), limits);
        }
    }

    @Override
    public java.util.Map<String, Serial> latest(java.util.Collection<String> channelNames) {
        java.util.Map<String, Serial> out = new java.util.HashMap<>();
        for (String channel : channelNames) {
            ChannelState s = channels.get(channel);
            if (s != null) {
                synchronized (s) {
                    if (s.visibleLatest() != null) {
                        out.put(channel, s.visibleLatest());
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void forgetNode(String nodeId) {
        for (ChannelState s : channels.values()) {
            synchronized (s) {
                s.detach(nodeId);
            }
        }
    }

    @Override
    public java.util.Set<String> interestedNodesOtherThan(java.util.Set<String> live) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (ChannelState s : channels.values()) {
            synchronized (s) {
                out.addAll(s.interestedNodesOtherThan(live));
            }
        }
        return out;
    }

    @Override
    public void expireAll() {
        long now = nowMs.getAsLong();
        for (ChannelState s : channels.values()) {
            synchronized (s) {
                s.expireNow(now, limits);
            }
        }
    }
}
