package io.heliograph.bridge.link;

import io.heliograph.bridge.BridgeServer;
import io.heliograph.bridge.LinkSettings;
import io.heliograph.bridge.PeerChannel;
import io.heliograph.bridge.outbound.InMemoryOutboundLog;
import io.heliograph.bridge.outbound.OutboundEntry;
import io.heliograph.bridge.outbound.OutboundLimits;
import io.heliograph.bridge.outbound.OutboundLog;
import io.heliograph.bridge.tls.BridgeTls;
import io.heliograph.bridge.tls.ThrowawayCa;
import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.AppendResult;
import io.heliograph.region.channel.ChannelLog;
import io.heliograph.region.channel.HistoryLimits;
import io.heliograph.region.channel.InMemoryChannelLog;
import io.heliograph.region.channel.PublishRequest;
import io.heliograph.region.fabric.FanOut;
import io.heliograph.region.fabric.LocalFabric;
import io.heliograph.region.sequencing.Replication;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * One region of a peer-link test, in this JVM: an in-memory channel log, its bridge server with the
 * {@link RegionBridgeService} on 127.0.0.1 under mutual TLS, and per peer an in-memory outbound log, a channel and a
 * {@link LinkSender}. {@link #publish} does what the edge will: sequence under epoch 1 and append to the outbound log.
 */
final class LinkRegion implements AutoCloseable {

    static final LinkSettings SETTINGS = LinkSettings.builder().shutdownGrace(Duration.ofMillis(200)).build();
    static final HistoryLimits HISTORY = new HistoryLimits(100_000, 3_600_000, 600_000);

    final String region;
    final BridgeTls tls;
    final ChannelLog log = new InMemoryChannelLog(HISTORY, System::currentTimeMillis);
    final AtomicLong leaseEpoch = new AtomicLong(1);
    /** Commits the senders made for what their peers acknowledged (one per channel committed). */
    final AtomicLong commits = new AtomicLong();
    final LinkTiming timing;
    final RegionBridgeService service;
    final Map<String, InMemoryOutboundLog> outbound = new ConcurrentHashMap<>();
    final Map<String, PeerChannel> channels = new ConcurrentHashMap<>();
    final Map<String, LinkSender> senders = new ConcurrentHashMap<>();
    private BridgeServer server;
    private int port;

    LinkRegion(ThrowawayCa ca, Path directory, String region, List<String> peers, LinkTiming timing) {
        this(ca, directory, region, peers, timing, UnaryOperator.identity(), System::currentTimeMillis);
    }

    /**
     * @param storeThrough what the receiving side stores through (a wrapper of {@link #log}, to watch or hold its
     *                     calls); the region's history is read from {@link #log} itself
     * @param receiverMs   the receiving side's clock
     */
    LinkRegion(ThrowawayCa ca, Path directory, String region, List<String> peers, LinkTiming timing,
               UnaryOperator<ChannelLog> storeThrough, LongSupplier receiverMs) {
        this.region = region;
        this.timing = timing;
        this.tls = BridgeTls.builder().region(region).peerRegions(peers)
                .files(ca.issueRegion(directory, region, Duration.ofDays(1))).build();
        ChannelLog store = storeThrough.apply(log);
        this.service = new RegionBridgeService(region, region + "-bridge-1", leaseEpoch::get, log,
                new Replication(store, new FanOut(new LocalFabric(), null)), PresenceSink.IGNORE,
                peer -> channels.get(peer)::backfill, timing, receiverMs);
    }

    /**
     * us-east and eu-west with servers started, eu-west's channel to us-east open (for its Backfill) and us-east's
     * outbound log for eu-west created; both are added to {@code closeAfter}. us-east's sender is left to the test
     * ({@link #linkTo}).
     */
    static LinkRegion[] usEastToEuWest(Path directory, LinkTiming timing, List<AutoCloseable> closeAfter) {
        return usEastToEuWest(directory, timing, closeAfter, UnaryOperator.identity(), System::currentTimeMillis);
    }

    /** As above, eu-west storing through {@code euWestStore} with {@code euWestReceiverMs} as its receiver's clock. */
    static LinkRegion[] usEastToEuWest(Path directory, LinkTiming timing, List<AutoCloseable> closeAfter,
                                       UnaryOperator<ChannelLog> euWestStore, LongSupplier euWestReceiverMs) {
        ThrowawayCa ca = ThrowawayCa.create("link-test", Duration.ofDays(1), java.time.InstantSource.system());
        ca.writeCa(directory);
        LinkRegion usEast = new LinkRegion(ca, directory, "us-east", List.of("eu-west"), timing).startServer();
        closeAfter.add(usEast);
        LinkRegion euWest = new LinkRegion(ca, directory, "eu-west", List.of("us-east"), timing, euWestStore,
                euWestReceiverMs).startServer();
        closeAfter.add(euWest);
        euWest.channelTo(usEast);
        usEast.outboundTo("eu-west", OutboundLimits.DEFAULTS);
        return new LinkRegion[]{usEast, euWest};
    }

    LinkRegion startServer() {
        server = BridgeServer.builder().region(region).listen("127.0.0.1", port).tls(tls).service(service)
                .settings(SETTINGS).build().start();
        port = server.port();
        return this;
    }

    /** Closes the server (its streams are cancelled); {@link #startServer()} again binds the same port. */
    void stopServer() {
        server.close();
        server = null;
    }

    int port() {
        return port;
    }

    InMemoryOutboundLog outboundTo(String peer, OutboundLimits limits) {
        return outbound.computeIfAbsent(peer, p -> new InMemoryOutboundLog(p, limits, System::currentTimeMillis));
    }

    PeerChannel channelTo(LinkRegion peer) {
        return channels.computeIfAbsent(peer.region, p -> PeerChannel.builder().peerRegion(p)
                .address("127.0.0.1", peer.port()).tls(tls).settings(SETTINGS).build());
    }

    /** Starts streaming the outbound log for {@code peer} (default limits unless created before) to it. */
    LinkSender linkTo(LinkRegion peer) {
        return linkTo(peer, channelTo(peer));
    }

    /** The same, dialling the peer at {@code port} on 127.0.0.1 (a proxy in front of it). */
    LinkSender linkTo(LinkRegion peer, int port) {
        return linkTo(peer, channels.computeIfAbsent(peer.region, p -> PeerChannel.builder().peerRegion(p)
                .address("127.0.0.1", port).tls(tls).settings(SETTINGS).build()), UnaryOperator.identity());
    }

    /** The same, the sender reading the outbound log through {@code readThrough} (a wrapper, to watch its calls). */
    LinkSender linkTo(LinkRegion peer, UnaryOperator<OutboundLog> readThrough) {
        return linkTo(peer, channelTo(peer), readThrough);
    }

    private LinkSender linkTo(LinkRegion peer, PeerChannel channel) {
        return linkTo(peer, channel, UnaryOperator.identity());
    }

    private LinkSender linkTo(LinkRegion peer, PeerChannel channel, UnaryOperator<OutboundLog> readThrough) {
        OutboundLog toPeer = readThrough.apply(outboundTo(peer.region, OutboundLimits.DEFAULTS));
        LinkSender sender = new LinkSender(region, region + "-bridge-1", leaseEpoch::get, PeerReplicas.of(channel),
                toPeer, () -> service.heldThrough(peer.region), timing, System::currentTimeMillis, (ch, serial) -> {
                    commits.incrementAndGet();
                    log.commit(ch, serial);
                }, (c, end) -> log.fence(c, end.epoch() + 1, end));
        senders.put(peer.region, sender);
        return sender.start();
    }

    /**
     * One stream per pair, as the bridge process wires it: towards a peer this region dials ({@link LinkSender#dials})
     * the sender dials (at {@code port} on 127.0.0.1, a proxy in front of the peer, or the peer itself: 0) and receives
     * on the same stream; towards one that dials it, the sender sends on the stream the peer opens.
     */
    LinkSender pairWith(LinkRegion peer, int port) {
        PeerChannel channel = channelTo(peer);
        if (port != 0) {
            // Every call to the peer through the proxy, Backfill included.
            channel = PeerChannel.builder().peerRegion(peer.region).address("127.0.0.1", port).tls(tls)
                    .settings(SETTINGS).build();
            PeerChannel direct = channels.put(peer.region, channel);
            if (direct != null) {
                direct.close();
            }
        }
        OutboundLog toPeer = outboundTo(peer.region, OutboundLimits.DEFAULTS);
        LinkSender sender = new LinkSender(region, region + "-bridge-1", leaseEpoch::get, PeerReplicas.of(channel),
                toPeer, () -> service.heldThrough(peer.region), timing, System::currentTimeMillis, (ch, serial) -> {
                    commits.incrementAndGet();
                    log.commit(ch, serial);
                }, (c, end) -> log.fence(c, end.epoch() + 1, end));
        senders.put(peer.region, sender);
        return LinkSender.dials(region, peer.region) ? sender.bothWays(service).start() : sender.acceptFrom(service);
    }

    /** Sequences {@code count} messages on {@code channel} under epoch 1 and appends them for every peer. */
    List<Serial> publish(String channel, int count) {
        return publish(channel, count, false);
    }

    /** As {@link #publish(String, int)}; {@code held}: global publishes, unseen here until a peer holds them. */
    List<Serial> publish(String channel, int count, boolean held) {
        List<Serial> serials = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String msgId = "m-" + System.nanoTime() + "-" + i;
            AppendResult result = log.append(channel, 1, new PublishRequest(msgId, "event",
                    "{\"n\":" + i + "}", "client-1", region, System.currentTimeMillis()), held);
            ChannelMessage message = result.message();
            serials.add(message.serial());
            for (var entry : outbound.entrySet()) {
                entry.getValue().append(OutboundEntry.envelope(EnvelopeCodec.toEnvelope(message, result.previous())));
                LinkSender sender = senders.get(entry.getKey());
                if (sender != null) {
                    sender.wake();
                }
            }
        }
        return serials;
    }

    /** Sequences {@code count} messages without logging them for any peer (see {@link #appendForPeers}). */
    List<AppendResult> sequenceOnly(String channel, int count, boolean held) {
        List<AppendResult> results = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            results.add(log.append(channel, 1, new PublishRequest("m-" + System.nanoTime() + "-" + i, "event",
                    "{\"n\":" + i + "}", "client-1", region, System.currentTimeMillis()), held));
        }
        return results;
    }

    /** Appends one sequenced message to every peer's outbound log, as an edge node does after sequencing it. */
    void appendForPeers(AppendResult result) {
        for (var entry : outbound.entrySet()) {
            entry.getValue().append(OutboundEntry.envelope(EnvelopeCodec.toEnvelope(result.message(),
                    result.previous())));
            LinkSender sender = senders.get(entry.getKey());
            if (sender != null) {
                sender.wake();
            }
        }
    }

    /** Every serial this region's history holds for {@code channel}, oldest first. */
    List<Serial> history(String channel) {
        return log.history(channel, null, Integer.MAX_VALUE - 1, Long.MAX_VALUE).messages().stream()
                .map(ChannelMessage::serial).toList();
    }

    @Override
    public void close() {
        senders.values().forEach(LinkSender::close);
        channels.values().forEach(PeerChannel::close);
        service.close();
        if (server != null) {
            server.close();
        }
    }
}
