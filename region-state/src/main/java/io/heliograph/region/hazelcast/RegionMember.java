package io.heliograph.region.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.config.SerializationConfig;
import com.hazelcast.config.SerializerConfig;
import com.hazelcast.nio.serialization.StreamSerializer;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.region.channel.AppendResult;
import io.heliograph.region.channel.AttachResult;
import io.heliograph.region.channel.ChannelState;
import io.heliograph.region.channel.HistoryPage;
import io.heliograph.region.channel.ReplicateResult;
import io.heliograph.region.lease.Lease;
import io.heliograph.region.lease.LeaseOutcome;
import io.heliograph.region.presence.ChannelPresence;
import io.heliograph.region.presence.PresenceRegistry.PresenceEvent;

/** Builds the embedded Hazelcast member of a region's process (an edge node) from its {@link MemberSettings}. */
public final class RegionMember {

    /** The IMap of every channel's {@code ChannelState}, keyed by channel name. */
    public static final String CHANNELS_MAP = "hg.channels";
    static final String PRESENCE_MAP = "hg.presence";
    /** The IMap of every lease's record ({@code Lease}), keyed by lease name; see {@link HazelcastLeaseStore}. */
    public static final String LEASES_MAP = "hg.leases";
    /** The region's copy of the mesh table (see {@link HazelcastMeshTableStore}). */
    public static final String MESH_MAP = "hg.mesh";
    /**
     * Member attribute naming this process in the region: the configured node id plus a per-process suffix. Unlike
     * the Hazelcast member UUID it survives a split-brain merge, and unlike the node id alone it tells a restarted
     * node from its previous life.
     */
    static final String NODE_ATTRIBUTE = "heliograph.node";
    /** How long a change waits for its synchronous backup to confirm before it is answered 503 (Hazelcast: 5 s). */
    static final long BACKUP_TIMEOUT_MS = 2_000;
    /** Partitions of the region's maps (Hazelcast's default: 271). */
    static final int PARTITIONS = 71;

    private RegionMember() {
    }

    public static HazelcastInstance start(MemberSettings settings) {
        return Hazelcast.newHazelcastInstance(config(settings));
    }

    public static Config config(MemberSettings settings) {
        Config config = new Config();
        config.setClusterName(settings.clusterName());
        config.setInstanceName(settings.nodeId() + "-" + Long.toHexString(System.nanoTime()));
        config.getMemberAttributeConfig().setAttribute(NODE_ATTRIBUTE,
                settings.nodeId() + "/" + java.util.UUID.randomUUID().toString().substring(0, 8));
        config.getJetConfig().setEnabled(false);
        // Hazelcast's own metrics feed its Management Center, which we do not run; collecting them every 5 s was the
        // largest periodic cost of an idle node (its figures are ours, in the node's own metrics).
        config.getMetricsConfig().setEnabled(false);
        config.setProperty("hazelcast.logging.type", "jdk");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        // Our own shutdown sequence hands partitions over after the clients were redirected.
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.local.localAddress", settings.host());
        config.setProperty("hazelcast.socket.bind.any", "false");
        // A member that stops answering is removed well within the presence timeout, so its members leave in time.
        long suspectAfterSeconds = Math.max(2, settings.presenceTimeoutMs() / 3000);
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", Long.toString(suspectAfterSeconds));
        config.setProperty("hazelcast.operation.call.timeout.millis", "10000");
        // An answer means the synchronous backup has the change. Without this, a change whose backup did not confirm
        // within the backup timeout is answered anyway, and if its owner then died the promoted backup would hand out
        // the same serial again. RegionCalls answers such a call 503; the client retries it with the same msgId.
        config.setProperty("hazelcast.operation.fail.on.indeterminate.state", "true");
        // A backup on the same network confirms within milliseconds; waiting longer than this only delays the 503 of a
        // publish whose backup member is stalled, which is suspected and removed within a few seconds anyway.
        config.setProperty("hazelcast.operation.backup.timeout.millis", Long.toString(BACKUP_TIMEOUT_MS));
        config.setProperty("hazelcast.graceful.shutdown.max.wait", "30");
        // A member that was cut off or frozen and comes back looks for its region every few seconds (the
        // defaults wait minutes), and merges its channels by HigherSequenceMergePolicy.
        config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
        config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
        // Background work of an idle member scales with its partitions (anti-entropy checks of every backup, our
        // partition-wide sweeps of interest and expiry): a region has a handful of nodes, for which 71 partitions
        // spread channels evenly enough (271 is sized for clusters of dozens). Every member of a region must use the
        // same count; a member with another one cannot join.
        config.setProperty("hazelcast.partition.count", Integer.toString(PARTITIONS));
        // Moving connections between Hazelcast's I/O threads pays off with many busy peers, not with a few members
        // on a few cores; its periodic measurement is overhead here. Hourly rather than off: off (-1) logs a warning
        // at every start.
        config.setProperty("hazelcast.io.balancer.interval.seconds", "3600");

        var network = config.getNetworkConfig();
        network.setPort(settings.port()).setPortAutoIncrement(settings.port() == 0);
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(2);
        for (String member : settings.members()) {
            join.getTcpIpConfig().addMember(member);
        }
        if (settings.members().isEmpty()) {
            join.getTcpIpConfig().addMember(settings.host() + ":" + settings.port());
        }

        config.addMapConfig(new MapConfig(CHANNELS_MAP)
                .setInMemoryFormat(InMemoryFormat.OBJECT)
                .setBackupCount(1)
                .setAsyncBackupCount(0)
                .setMergePolicyConfig(new MergePolicyConfig(HigherSequenceMergePolicy.class.getName(),
                        MergePolicyConfig.DEFAULT_BATCH_SIZE)));
        config.addMapConfig(new MapConfig(PRESENCE_MAP)
                .setInMemoryFormat(InMemoryFormat.OBJECT)
                .setBackupCount(1)
                .setAsyncBackupCount(0));
        // A lease expires by its own expiresAtMs, judged by the rules; an entry removed by TTL, idle time or eviction
        // would restart its epoch at 1, below epochs peers have already seen. The defaults are these already; they
        // are spelled out so that nobody tunes them away.
        MapConfig leases = new MapConfig(LEASES_MAP);
        leases.getEvictionConfig().setEvictionPolicy(EvictionPolicy.NONE);
        config.addMapConfig(leases
                .setInMemoryFormat(InMemoryFormat.BINARY)
                .setBackupCount(1)
                .setAsyncBackupCount(0)
                .setTimeToLiveSeconds(0)
                .setMaxIdleSeconds(0)
                .setMergePolicyConfig(new MergePolicyConfig(HigherLeaseEpochMergePolicy.class.getName(),
                        MergePolicyConfig.DEFAULT_BATCH_SIZE)));

        MapConfig mesh = new MapConfig(MESH_MAP);
        mesh.getEvictionConfig().setEvictionPolicy(EvictionPolicy.NONE);
        config.addMapConfig(mesh
                .setInMemoryFormat(InMemoryFormat.BINARY)
                .setBackupCount(1)
                .setAsyncBackupCount(0)
                .setTimeToLiveSeconds(0)
                .setMaxIdleSeconds(0)
                .setMergePolicyConfig(new MergePolicyConfig(HigherTableVersionMergePolicy.class.getName(),
                        MergePolicyConfig.DEFAULT_BATCH_SIZE)));

        var serialization = config.getSerializationConfig();
        serialization.addSerializerConfig(new SerializerConfig()
                .setTypeClass(ChannelState.class).setImplementation(new Serializers.ChannelStateSerializer()));
        serialization.addSerializerConfig(new SerializerConfig()
                .setTypeClass(ChannelPresence.class).setImplementation(new Serializers.ChannelPresenceSerializer()));
        register(serialization, ChannelMessage.class, new Serializers.ChannelMessageSerializer());
        register(serialization, AppendResult.class, new Serializers.AppendResultSerializer());
        register(serialization, AttachResult.class, new Serializers.AttachResultSerializer());
        register(serialization, ReplicateResult.class, new Serializers.ReplicateResultSerializer());
        register(serialization, HistoryPage.class, new Serializers.HistoryPageSerializer());
        register(serialization, io.heliograph.protocol.Serial.class, new Serializers.SerialSerializer());
        register(serialization, PresenceEvent.class, new Serializers.PresenceEventSerializer());
        register(serialization, Serializers.MemberList.class, new Serializers.MemberListSerializer());
        register(serialization, Serializers.EventList.class, new Serializers.EventListSerializer());
        register(serialization, Lease.class, new Serializers.LeaseSerializer());
        register(serialization, LeaseOutcome.class, new Serializers.LeaseOutcomeSerializer());
        HazelcastForwarding.configure(config);
        return config;
    }

    private static void register(SerializationConfig serialization, Class<?> type, StreamSerializer<?> serializer) {
        serialization.addSerializerConfig(new SerializerConfig().setTypeClass(type).setImplementation(serializer));
    }
}
