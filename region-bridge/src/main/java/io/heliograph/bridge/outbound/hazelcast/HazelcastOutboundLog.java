package io.heliograph.bridge.outbound.hazelcast;

import java.util.Objects;
import java.util.function.LongSupplier;

import com.hazelcast.config.Config;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.config.SerializerConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;

import io.heliograph.bridge.outbound.OutboundEntry;
import io.heliograph.bridge.outbound.OutboundLimits;
import io.heliograph.bridge.outbound.OutboundLog;
import io.heliograph.bridge.outbound.OutboundPage;
import io.heliograph.bridge.outbound.OutboundState;
import io.heliograph.bridge.outbound.OutboundStatus;
import io.heliograph.region.hazelcast.RegionCalls;

/**
 * {@link OutboundLog} in the region's Hazelcast cluster, so that the standby bridge replica that takes a link over
 * resumes it from the peer's acknowledgement.
 *
 * <p><b>Structure.</b> One entry per peer region in the IMap {@code hg.outbound}, holding that peer's whole
 * {@link OutboundState} (positions, held entries, drop counts), in {@code OBJECT} format and changed only by
 * {@link OutboundProcessors entry processors}. Hazelcast runs one operation at a time per partition, so appends from
 * any member are totally ordered per peer without locks, and assigning the {@code link_seq}, holding the entry,
 * applying the bounds and counting what they drop is one atomic step, replayed as is on one synchronous backup
 * ({@code backup-count 1}, no async backups). The member runs with {@code fail.on.indeterminate.state}
 * ({@code RegionMember}); an append whose backup did not confirm is answered 503 by {@link RegionCalls}, so an
 * appended {@code link_seq} survives the crash of the entry's owner. A read waits for a no-op backup
 * ({@link OutboundProcessors.Read}), so no page carries an entry its backup does not hold yet. There is no TTL, no max-idle and no eviction on
 * the map: age is the state's own bound on entries, never on the bookkeeping, so the next {@code link_seq} and the
 * acknowledgement never silently reset.
 *
 * <p>Not chosen: a Ringbuffer per peer has sequences, capacity and TTL built in, but bounds only by count (not
 * bytes), cannot trim what the peer acknowledged (memory stays full of acknowledged entries until capacity or TTL
 * overwrite them), overwrites unacknowledged entries without saying so, and needs a second structure for the
 * acknowledgement that no operation changes together with it. One IMap entry per (peer, chunk) would spread the bytes,
 * but an append that fills a chunk would change two entries, which no entry processor does atomically: a crash between
 * the two writes would leave a hole in the {@code link_seq}s. The price of one entry per peer: a peer's log lives on
 * one partition (its total order needs one place anyway), and a migration or the re-creation of a lost backup copies
 * it whole, at most {@code max-bytes} (64 MiB by default).
 *
 * <p><b>Requirements on the cluster.</b> Every member that may own a partition of {@code hg.outbound} needs
 * {@link #configure} applied to its configuration and region-bridge's classes on its classpath (the processors and the
 * state run where the data is). The constructor refuses a member whose configuration lacks it.
 */
public final class HazelcastOutboundLog implements OutboundLog {

    /** The IMap of every peer's {@link OutboundState}, keyed by peer region. */
    public static final String OUTBOUND_MAP = "hg.outbound";

    private final String peerRegion;
    private final OutboundLimits limits;
    private final LongSupplier nowMs;
    private final RegionCalls calls;
    private final IMap<String, OutboundState> logs;
    /** Signals an append to the bridge replicas' senders ({@link #onAppend}). */
    private final com.hazelcast.topic.ITopic<Long> appended;
    /** The log's incarnation if this member's append is its first; the log keeps the first appender's. */
    private final long incarnationIfNew = io.heliograph.bridge.outbound.OutboundLogs.newIncarnation();

    public HazelcastOutboundLog(HazelcastInstance hz, String peerRegion, OutboundLimits limits, LongSupplier nowMs,
                                RegionCalls calls) {
        this.peerRegion = Objects.requireNonNull(peerRegion, "peerRegion");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.nowMs = Objects.requireNonNull(nowMs, "nowMs");
        this.calls = Objects.requireNonNull(calls, "calls");
        requireConfigured(hz.getConfig());
        this.logs = hz.getMap(OUTBOUND_MAP);
        this.appended = hz.getTopic(OUTBOUND_MAP + ".appended." + peerRegion);
    }

    /**
     * Fixes the log's incarnation now when it has none yet (the bridge does this at start, before its first Hello):
     * a region restarted from nothing then names its log's new life even before anything is appended to it.
     *
     * @return the log's incarnation
     */
    public long begin() {
        return calls.onKeyPatiently(logs, peerRegion, new OutboundProcessors.Begin(incarnationIfNew));
    }

    /**
     * Adds the map {@code hg.outbound} (OBJECT format, one synchronous backup, no TTL, no eviction, merged by
     * {@link FurtherLogMergePolicy}) and the serializers of the state and the answers. Call it on the configuration of
     * every member of the cluster before the member starts.
     */
    public static Config configure(Config config) {
        config.addMapConfig(new MapConfig(OUTBOUND_MAP)
                .setInMemoryFormat(InMemoryFormat.OBJECT)
                .setBackupCount(1)
                .setAsyncBackupCount(0)
                .setTimeToLiveSeconds(0)
                .setMaxIdleSeconds(0)
                .setStatisticsEnabled(false)
                .setMergePolicyConfig(new MergePolicyConfig(FurtherLogMergePolicy.class.getName(),
                        MergePolicyConfig.DEFAULT_BATCH_SIZE)));
        config.getMapConfig(OUTBOUND_MAP).getEvictionConfig().setEvictionPolicy(EvictionPolicy.NONE);
        var serialization = config.getSerializationConfig();
        serialization.addSerializerConfig(new SerializerConfig().setTypeClass(OutboundState.class)
                .setImplementation(new OutboundSerializers.StateSerializer()));
        serialization.addSerializerConfig(new SerializerConfig().setTypeClass(OutboundPage.class)
                .setImplementation(new OutboundSerializers.PageSerializer()));
        serialization.addSerializerConfig(new SerializerConfig().setTypeClass(OutboundStatus.class)
                .setImplementation(new OutboundSerializers.StatusSerializer()));
        return config;
    }

    private static void requireConfigured(Config config) {
        MapConfig map = config.findMapConfig(OUTBOUND_MAP);
        if (!OUTBOUND_MAP.equals(map.getName()) || map.getInMemoryFormat() != InMemoryFormat.OBJECT
                || map.getBackupCount() < 1 || map.getTimeToLiveSeconds() != 0 || map.getMaxIdleSeconds() != 0
                || map.getEvictionConfig().getEvictionPolicy() != EvictionPolicy.NONE) {
            throw new IllegalStateException("the Hazelcast member has no outbound log configuration (map "
                    + OUTBOUND_MAP + ": OBJECT format, a synchronous backup, no TTL or eviction): apply "
                    + "HazelcastOutboundLog.configure(config) to every member's configuration before it starts");
        }
    }

    /**
     * Calls {@code changed} after every append to this peer's log by any member (an edge node in another process), so
     * that the bridge's sender reads at once instead of at its next poll. It runs on a Hazelcast event thread: it
     * must be short (a wake-up). The signal is a topic of its own, published by the appender after the append: an
     * entry listener on the log would also fire for the sender's own reads (which mark the entry changed to get a
     * backup) and wake it for ever. A lost signal costs only the poll interval. Closing the handle stops it.
     */
    public AutoCloseable onAppend(Runnable changed) {
        Objects.requireNonNull(changed, "changed");
        com.hazelcast.topic.ITopic<Long> topic = appended;
        java.util.UUID id = topic.addMessageListener(message -> changed.run());
        return () -> topic.removeMessageListener(id);
    }

    @Override
    public String peerRegion() {
        return peerRegion;
    }

    @Override
    public long append(OutboundEntry entry) {
        OutboundState.requireFits(entry, limits);
        // 503 as soon as the backup did not confirm: the caller repeats the append, and a duplicate is dropped by the
        // peer by (channel, serial), whereas an entry answered but not backed up could be lost with its owner.
        long linkSeq = calls.onKey(logs, peerRegion, new OutboundProcessors.Append(entry, nowMs.getAsLong(), limits,
                incarnationIfNew));
        appended.publish(linkSeq);
        return linkSeq;
    }

    @Override
    public OutboundPage readAfter(long afterLinkSeq, int maxEntries, long maxBytes) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, was " + maxEntries);
        }
        return calls.onKey(logs, peerRegion, new OutboundProcessors.Read(afterLinkSeq, maxEntries, maxBytes));
    }

    @Override
    public OutboundStatus acknowledge(long linkSeq) {
        // Cumulative, so repeating it is harmless: repeated while its backup does not confirm.
        OutboundStatus status = calls.onKeyPatiently(logs, peerRegion,
                new OutboundProcessors.Acknowledge(linkSeq, nowMs.getAsLong(), limits));
        if (linkSeq > status.lastAppended()) {
            throw OutboundState.aheadOfLog(peerRegion, linkSeq, status.lastAppended());
        }
        return status;
    }

    @Override
    public OutboundStatus trimExpired() {
        return calls.onKeyPatiently(logs, peerRegion, new OutboundProcessors.TrimExpired(nowMs.getAsLong(), limits));
    }

    @Override
    public OutboundStatus status() {
        return calls.call(() -> logs.executeOnKey(peerRegion, new OutboundProcessors.Status()));
    }
}
