package io.heliograph.bridge.process;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.heliograph.bridge.link.EnvelopeCodec;
import io.heliograph.bridge.outbound.OutboundEntry;
import io.heliograph.bridge.outbound.OutboundLimits;
import io.heliograph.bridge.outbound.OutboundLog;
import io.heliograph.bridge.outbound.hazelcast.HazelcastOutboundLog;
import io.heliograph.bridge.tls.BridgeTlsFiles;
import io.heliograph.bridge.tls.ThrowawayCa;
import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.AppendResult;
import io.heliograph.region.channel.HistoryLimits;
import io.heliograph.region.channel.PublishRequest;
import io.heliograph.region.hazelcast.HazelcastChannelLog;
import io.heliograph.region.hazelcast.RegionCalls;
import io.heliograph.region.hazelcast.RegionMember;
import io.heliograph.region.testing.RegionTesting;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Two regions in this JVM, each as it will run: a one-member Hazelcast "edge" (a full member, configured like an
 * edge node: {@code RegionMember.config} plus {@code HazelcastOutboundLog.configure}) and two bridge replicas started
 * in-process as {@link BridgeProcess}es on free ports, with mutual TLS from a {@link ThrowawayCa}. {@link #publish}
 * does what the edge will: sequence under epoch 1 in the region's channel log and append to its outbound log for the
 * peer.
 */
final class BridgeMesh implements AutoCloseable {

    static final HistoryLimits HISTORY = new HistoryLimits(100_000, 3_600_000, 120_000);
    static final long LEASE_TTL_MS = 2_000;

    /** One region: its edge member, its replicas' configurations and the running replicas. */
    static final class Region {
        final String name;
        final String peer;
        final HazelcastInstance edge;
        final int edgePort;
        final int[] bridgePorts = {RegionTesting.freePort(), RegionTesting.freePort()};
        final BridgeProcess[] replicas = new BridgeProcess[2];
        final HazelcastChannelLog log;
        final OutboundLog toPeer;

        Region(String name, String peer) {
            this.name = name;
            this.peer = peer;
            this.edgePort = RegionTesting.freePort();
            this.edge = Hazelcast.newHazelcastInstance(HazelcastOutboundLog.configure(RegionMember.config(
                    RegionTesting.member(name + "-edge", edgePort, List.of(edgePort), cluster(name)))));
            this.log = new HazelcastChannelLog(edge, HISTORY, System::currentTimeMillis);
            this.toPeer = new HazelcastOutboundLog(edge, peer, OutboundLimits.DEFAULTS, System::currentTimeMillis,
                    RegionCalls.uncounted());
        }

        String url(int replica) {
            return "https://127.0.0.1:" + bridgePorts[replica];
        }

        /** The replica holding the lease now, if any. */
        BridgeProcess holder() {
            for (BridgeProcess replica : replicas) {
                if (replica != null && replica.isHolder()) {
                    return replica;
                }
            }
            return null;
        }

        List<Serial> history(String channel) {
            return log.history(channel, null, Integer.MAX_VALUE - 1, Long.MAX_VALUE).messages().stream()
                    .map(ChannelMessage::serial).toList();
        }

        /** Sequences {@code count} messages under epoch 1 and appends each to the outbound log for the peer. */
        List<Serial> publish(String channel, int count) {
            List<Serial> serials = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                AppendResult result = log.append(channel, 1, new PublishRequest("m-" + System.nanoTime() + "-" + i,
                        "event", "{\"n\":" + i + "}", "client-1", name, System.currentTimeMillis()));
                serials.add(result.message().serial());
                toPeer.append(OutboundEntry.envelope(EnvelopeCodec.toEnvelope(result.message(), result.previous())));
            }
            return serials;
        }
    }

    final Path directory;
    final ThrowawayCa ca;
    final Region a;
    final Region b;

    private final List<String> extraArgs;

    BridgeMesh(Path directory, String... extraArgs) {
        this.directory = directory;
        this.extraArgs = List.of(extraArgs);
        this.ca = ThrowawayCa.create("bridge-process-test", Duration.ofDays(1), InstantSource.system());
        ca.writeCa(directory);
        ca.issueRegion(directory, "us-east", Duration.ofDays(1));
        ca.issueRegion(directory, "eu-west", Duration.ofDays(1));
        this.a = new Region("us-east", "eu-west");
        this.b = new Region("eu-west", "us-east");
    }

    static String cluster(String region) {
        return "bridge-test-" + region + "-" + Long.toHexString(System.nanoTime());
    }

    /** Starts replica 0 of each region (the holder: the lease is free), then replica 1 (the standby). */
    BridgeMesh start() {
        for (int replica = 0; replica < 2; replica++) {
            a.replicas[replica] = startReplica(a, b, replica);
            b.replicas[replica] = startReplica(b, a, replica);
        }
        return this;
    }

    BridgeProcess startReplica(Region region, Region peer, int replica) {
        return BridgeProcess.start(BridgeConfigLoader.load(args(region, peer, replica), Map.of()));
    }

    String[] args(Region region, Region peer, int replica) {
        List<String> args = new ArrayList<>(List.of(baseArgs(region, peer, replica)));
        args.addAll(extraArgs);
        return args.toArray(String[]::new);
    }

    private String[] baseArgs(Region region, Region peer, int replica) {
        BridgeTlsFiles tls = BridgeTlsFiles.inDirectory(directory, region.name);
        return new String[]{
                "--region=" + region.name,
                "--replica-id=" + region.name + "-b" + (replica + 1),
                "--port=" + region.bridgePorts[replica],
                "--peers." + peer.name + "=" + peer.url(0) + "," + peer.url(1),
                "--tls.cert-chain=" + tls.certChain(),
                "--tls.private-key=" + tls.privateKey(),
                "--tls.trusted-ca=" + tls.trustedCa(),
                "--hazelcast.cluster-name=" + region.edge.getConfig().getClusterName(),
                "--hazelcast.port=" + RegionTesting.freePort(),
                "--hazelcast.members=127.0.0.1:" + region.edgePort,
                "--history.max-messages=" + HISTORY.maxMessages(),
                "--lease.ttl-ms=" + LEASE_TTL_MS,
                "--link.backoff-initial-ms=50",
                "--link.backoff-max-ms=500",
                "--link.breaker-open-ms=500",
                "--shutdown-grace-ms=200",
                "--http.port=0"};
    }

    @Override
    public void close() {
        for (Region region : List.of(a, b)) {
            for (BridgeProcess replica : region.replicas) {
                if (replica != null) {
                    replica.close();
                }
            }
        }
        for (Region region : List.of(a, b)) {
            region.edge.getLifecycleService().terminate();
        }
    }
}
