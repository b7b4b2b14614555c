package io.heliograph.bridge.link;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.AppendResult;
import io.heliograph.region.channel.AttachResult;
import io.heliograph.region.channel.ChannelLog;
import io.heliograph.region.channel.HistoryPage;
import io.heliograph.region.channel.PublishRequest;
import io.heliograph.region.channel.ReplicateResult;
import io.heliograph.region.channel.ReplicatedMessage;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ChannelLog} that the receiving side of a link stores through in a test: it counts the store calls per
 * channel and can hold a channel's stores until released, as a slow partition would (a held store waits at most 30 s,
 * so a test that forgets to release cannot hang). Everything else goes straight to the log.
 */
final class WatchedStore implements ChannelLog {

    private final ChannelLog log;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> held = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> waiting = new ConcurrentHashMap<>();

    WatchedStore(ChannelLog log) {
        this.log = log;
    }

    /** The next stores of {@code channel} wait until {@link #release}. */
    void hold(String channel) {
        held.put(channel, new CountDownLatch(1));
    }

    void release(String channel) {
        CountDownLatch latch = held.remove(channel);
        if (latch != null) {
            latch.countDown();
        }
    }

    /** Store calls of {@code channel} so far (a replicate or a replicateAll each count one). */
    int calls(String channel) {
        return calls.computeIfAbsent(channel, c -> new AtomicInteger()).get();
    }

    /** Store calls of {@code channel} waiting in {@link #hold} now. */
    int waiting(String channel) {
        return waiting.computeIfAbsent(channel, c -> new AtomicInteger()).get();
    }

    private void enter(String channel) {
        calls.computeIfAbsent(channel, c -> new AtomicInteger()).incrementAndGet();
        CountDownLatch latch = held.get(channel);
        if (latch == null) {
            return;
        }
        AtomicInteger count = waiting.computeIfAbsent(channel, c -> new AtomicInteger());
        count.incrementAndGet();
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("store of " + channel + " held for 30 s: the test never released it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            count.decrementAndGet();
        }
    }

    @Override
    public ReplicateResult replicate(String channel, ChannelMessage message, Serial previous) {
        enter(channel);
        return log.replicate(channel, message, previous);
    }

    @Override
    public List<ReplicateResult> replicateAll(String channel, List<ReplicatedMessage> messages) {
        enter(channel);
        return log.replicateAll(channel, messages);
    }

    @Override
    public ReplicateResult replicateRestarting(String channel, ChannelMessage message, Serial previous) {
        enter(channel);
        return log.replicateRestarting(channel, message, previous);
    }

    @Override
    public AppendResult append(String channel, long epoch, PublishRequest request, boolean heldUntilCommitted,
                               boolean requireSettled) {
        return log.append(channel, epoch, request, heldUntilCommitted, requireSettled);
    }

    @Override
    public boolean commit(String channel, Serial through) {
        return log.commit(channel, through);
    }

    @Override
    public boolean commitPublished(String channel, Serial serial) {
        return log.commitPublished(channel, serial);
    }

    @Override
    public boolean settle(String channel, long epoch, Serial end) {
        return log.settle(channel, epoch, end);
    }

    @Override
    public io.heliograph.region.channel.ChannelState.HeldTail yieldTo(String channel, long newEpoch) {
        return log.yieldTo(channel, newEpoch);
    }

    @Override
    public HistoryPage sequencedHistory(String channel, Serial fromSerial, int limit, long maxBytes) {
        return log.sequencedHistory(channel, fromSerial, limit, maxBytes);
    }

    @Override
    public boolean fence(String channel, long newEpoch, Serial endOfCurrent) {
        return log.fence(channel, newEpoch, endOfCurrent);
    }

    @Override
    public AttachResult attach(String channel, String nodeId, Serial fromSerial) {
        return log.attach(channel, nodeId, fromSerial);
    }

    @Override
    public void detach(String channel, String nodeId) {
        log.detach(channel, nodeId);
    }

    @Override
    public HistoryPage history(String channel, Serial fromSerial, int limit, long maxBytes) {
        return log.history(channel, fromSerial, limit, maxBytes);
    }

    @Override
    public Map<String, Serial> latest(Collection<String> channels) {
        return log.latest(channels);
    }

    @Override
    public void forgetNode(String nodeId) {
        log.forgetNode(nodeId);
    }

    @Override
    public Set<String> interestedNodesOtherThan(Set<String> live) {
        return log.interestedNodesOtherThan(live);
    }

    @Override
    public void expireAll() {
        log.expireAll();
    }
}
