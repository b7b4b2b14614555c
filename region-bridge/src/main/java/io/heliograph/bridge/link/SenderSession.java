package io.heliograph.bridge.link;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.heliograph.bridge.outbound.OutboundPage;
import io.heliograph.bridge.outbound.OutboundRecord;
import io.heliograph.bridge.outbound.OutboundStatus;
import io.heliograph.bridge.v1.Ack;
import io.heliograph.bridge.v1.Hello;
import io.heliograph.bridge.v1.LinkFrame;
import io.heliograph.protocol.Serial;

import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This region's outbound half of one Link stream: Hello both ways, then this region's outbound log from the peer's
 * acknowledgement on. Everything that touches the log runs on the {@link LinkSender}'s thread; gRPC's callbacks only
 * record what arrived (the peer's Hello, its highest ack, a failure) and wake that thread. Sending stops while the
 * stream is not ready (HTTP/2 flow control) or while {@code maxInFlight} entries are unacknowledged, so a peer that
 * stops reading never makes this side buffer more than that.
 *
 * <p>One stream per pair of regions: on the dialling end ({@link #open}) of a duplex stream the peer's envelopes come
 * back on the same stream, and every frame is handed to a {@link ReceiverSession} ({@link #inbound}) that stores them
 * and acknowledges them; on the accepting end ({@link #openAttached}) the stream is the peer's call, and the
 * accepting {@link ReceiverSession} hands this half the peer's acknowledgements. On a duplex stream the receiving
 * half's acknowledgements are the heartbeats and its timer the silence deadline, so this half sends no heartbeat of
 * its own (one without the fenced notices an ack must carry would let the peer commit what it was refused).
 */
final class SenderSession implements ClientResponseObserver<LinkFrame, LinkFrame> {

    private static final System.Logger LOG = System.getLogger(SenderSession.class.getName());
    /** Payload bytes read from the log at once, kept below the peer's 4 MiB frame limit many times over. */
    private static final long READ_MAX_BYTES = 1024 * 1024;

    private final LinkSender sender;
    private final Semaphore wakeups = new Semaphore(0);
    private final AtomicLong peerAck = new AtomicLong();
    /** Channels the peer fenced, from its acks: this region is a stale home of them (bridge.proto, Ack.fenced). */
    private final java.util.concurrent.ConcurrentLinkedQueue<io.heliograph.bridge.v1.FencedChannel> peerFenced =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile LinkStream requests;
    /** The receiving half on the dialling end of a duplex stream (null otherwise). */
    private volatile ReceiverSession inbound;
    /** The stream carries the peer's envelopes too: the receiving half heartbeats and watches for silence. */
    private volatile boolean duplex;
    /** On the accepting end (the peer dialled): the stream is the peer's to end, not this half's. */
    private final boolean attached;
    private volatile Hello peerHello;
    private volatile Throwable failure;
    private volatile long lastReceivedMs;
    private long sentThrough;
    private long acknowledged;
    /** {@link #acknowledged} is the log's position (after this stream's first acknowledgement, the Hello's). */
    private boolean positionKnown;
    /** Something was appended since the last read (the append signal, {@link #appended()}); at first: look. */
    private volatile boolean appended = true;
    /** The log holds entries after {@link #sentThrough}, as far as the last read or status said (at first: maybe). */
    private boolean more = true;
    private long lastLookMs;
    /**
     * The channel and serial of each envelope this stream sent and the peer has not acknowledged yet, by link_seq:
     * what an acknowledgement commits, known without reading the log again. Every link_seq after
     * {@link #rememberedAfter} up to {@link #sentThrough} was sent on this stream.
     */
    private final java.util.TreeMap<Long, ChannelSerial> unacknowledged = new java.util.TreeMap<>();
    private long rememberedAfter = Long.MAX_VALUE;

    private record ChannelSerial(String channel, Serial serial) {
    }

    /** Acknowledged commits are made at most this often (see {@link #commitDue}). */
    static final long COMMIT_EVERY_MS = 100;
    /** The newest acknowledged serial per channel, not committed yet. */
    private final Map<String, Serial> commitsDue = new java.util.LinkedHashMap<>();
    private long lastCommitMs;

    /** The dialling end: {@link #open} dials. */
    SenderSession(LinkSender sender) {
        this.sender = sender;
        this.attached = false;
        this.lastReceivedMs = sender.nowMs();
    }

    /** The accepting end of a duplex stream the peer dialled, whose Hello was {@code peerHello}. */
    SenderSession(LinkSender sender, LinkStream stream, Hello peerHello) {
        this.sender = sender;
        this.attached = true;
        this.duplex = true;
        this.requests = stream;
        this.peerHello = peerHello;
        this.lastReceivedMs = sender.nowMs();
        stream.whenReady(this::wake);
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<LinkFrame> requestStream) {
        RegionBridgeService receiving = sender.receivingService();
        LinkStream stream = LinkStream.dialled(requestStream, receiving != null);
        stream.whenReady(this::wake);
        if (receiving != null) {
            inbound = new ReceiverSession(receiving, stream, sender.peerRegion(), sender.nowMs());
        }
        this.requests = stream;
    }

    @Override
    public void onNext(LinkFrame frame) {
        lastReceivedMs = sender.nowMs();
        ReceiverSession receiving = inbound;
        switch (frame.getBodyCase()) {
            case HELLO -> {
                // The receiving half first: it fences the peer's lease epoch and takes its log's incarnation before
                // this half resends from the Hello's acknowledgement.
                if (receiving != null) {
                    receiving.onNext(frame);
                }
                peerHello = frame.getHello();
                sender.peerHello(peerHello);
            }
            case ACK -> {
                peerAck(frame.getAck());
                if (receiving != null) {
                    receiving.onNext(frame);
                }
            }
            default -> {
                if (receiving != null) {
                    receiving.onNext(frame);
                } else {
                    LOG.log(System.Logger.Level.DEBUG, "frame " + frame.getBodyCase() + " from "
                            + sender.peerRegion() + " not handled on the sending stream; ignored");
                }
            }
        }
        wake();
    }

    /** The peer's cumulative acknowledgement of this region's envelopes, with the channels it fenced. */
    void peerAck(Ack ack) {
        // Before the position: the loop ends the fenced epochs here before it counts the ack.
        peerFenced.addAll(ack.getFencedList());
        peerAck.accumulateAndGet(ack.getLinkSeq(), Math::max);
        wake();
    }

    @Override
    public void onError(Throwable error) {
        failure = error;
        endInbound();
        wake();
    }

    @Override
    public void onCompleted() {
        failure = new LinkException(sender.peerRegion() + " ended the Link stream");
        endInbound();
        wake();
    }

    /** The stream ended or was closed by its receiving half ({@code why}): this half stops. */
    void streamEnded(String why) {
        if (failure == null) {
            failure = new LinkException(why);
        }
        wake();
    }

    private void endInbound() {
        ReceiverSession receiving = inbound;
        if (receiving != null) {
            receiving.ended();
        }
    }

    void wake() {
        if (wakeups.availablePermits() == 0) {
            wakeups.release();
        }
    }

    /** Something was appended to the outbound log: read it now. */
    void appended() {
        appended = true;
        wake();
    }

    /** Opens the stream and exchanges Hellos. @throws LinkException when refused, failed or silent */
    void open() throws InterruptedException {
        sender.channel().link(this);
        requests.send(LinkFrame.newBuilder().setHello(sender.hello()).build());
        long deadline = sender.nowMs() + sender.timing().silenceTimeoutMs();
        while (peerHello == null) {
            throwIfFailed();
            long left = deadline - sender.nowMs();
            if (left <= 0) {
                throw new LinkException("no Hello from " + sender.peerRegion() + " within "
                        + sender.timing().silenceTimeoutMs() + " ms");
            }
            wakeups.tryAcquire(left, TimeUnit.MILLISECONDS);
        }
        throwIfFailed();
        Hello hello = peerHello;
        if (!hello.getOriginRegion().equals(sender.peerRegion())) {
            throw new LinkException("the Hello on the link to " + sender.peerRegion() + " names region '"
                    + hello.getOriginRegion() + "'");
        }
        if (hello.getProtocolVersion() != RegionBridgeService.PROTOCOL_VERSION) {
            throw new LinkException(sender.peerRegion() + " speaks protocol version " + hello.getProtocolVersion());
        }
        duplex = inbound != null && hello.getDuplex();
        resumeFrom(hello);
    }

    /** The accepting end: the peer's Hello is in and answered; resend from its acknowledgement. */
    void openAttached() {
        resumeFrom(peerHello);
    }

    private void resumeFrom(Hello hello) {
        // The dialler speaks first, so its acknowledgement may count in an earlier life of this log (this region
        // lost it since): it is then no acknowledgement of this one, and everything held is sent.
        long incarnation = hello.getAckedLogIncarnation();
        long peerHolds = incarnation == 0 || incarnation == sender.log().status().incarnation()
                ? hello.getAckedLinkSeq() : 0;
        OutboundStatus status = acknowledge(peerHolds);
        // Resend from the peer's own word on what it holds; what the log trimmed before it is gone already.
        sentThrough = peerHolds;
        rememberedAfter = sentThrough;
        sender.resumed(hello, peerHolds, status);
        // This region's presence as it is now, before the log's resend, which replays any change made since.
        for (var change : sender.presenceSnapshot()) {
            requests.send(LinkFrame.newBuilder().setPresence(change).build());
            sender.counters().presenceSnapshotEntries.incrementAndGet();
        }
    }

    /** Streams until the link is no longer wanted. @throws LinkException when the stream fails or goes silent */
    void stream() throws InterruptedException {
        LinkTiming timing = sender.timing();
        long lastSentMs = sender.nowMs();
        long lastTrimMs = lastSentMs;
        while (sender.wanted()) {
            throwIfFailed();
            long now = sender.nowMs();
            if (!duplex && now - lastReceivedMs > timing.silenceTimeoutMs()) {
                sender.counters().silentStreams.incrementAndGet();
                throw new LinkException("nothing from " + sender.peerRegion() + " for " + (now - lastReceivedMs)
                        + " ms (silence deadline " + timing.silenceTimeoutMs() + " ms)");
            }
            long ack = peerAck.get();
            // Read after the ack: every notice that came with it or before is here.
            for (io.heliograph.bridge.v1.FencedChannel fenced; (fenced = peerFenced.poll()) != null; ) {
                sender.committer().fenced(fenced.getChannel(), EnvelopeCodec.fromWire(fenced.getEpochEnd()));
            }
            if (ack > acknowledged) {
                acknowledge(ack);
            }
            commitDue(now, false);
            if (now - lastTrimMs >= timing.heartbeatMs()) {
                sender.checkOverflow(sender.log().trimExpired());
                lastTrimMs = now;
            }
            int sent = 0;
            long room = timing.maxInFlight() - (sentThrough - acknowledged);
            // Read only with a reason: an append was signalled, the last read left more, or (the fallback for a
            // lost signal) the idle poll is due, and then only after a cheap status says there is something new. An
            // idle link reads nothing, whatever acks and heartbeats wake it.
            if (room > 0 && requests.isReady() && !appended && !more
                    && now - lastLookMs >= timing.idlePollMs()) {
                lastLookMs = now;
                more = sender.log().status().lastAppended() > sentThrough;
            }
            if (room > 0 && requests.isReady() && (appended || more)) {
                // Cleared before the read, so that a signal during it is not lost.
                appended = false;
                lastLookMs = now;
                OutboundPage page = sender.log().readAfter(sentThrough, (int) Math.min(timing.readBatch(), room),
                        READ_MAX_BYTES);
                if (page.continuityLost()) {
                    sender.checkOverflow(sender.log().status());
                }
                for (OutboundRecord record : page.records()) {
                    if (!requests.isReady()) {
                        break;
                    }
                    LinkFrame frame = record.toLinkFrame();
                    requests.send(frame);
                    if (frame.hasEnvelope()) {
                        unacknowledged.put(record.linkSeq(), new ChannelSerial(frame.getEnvelope().getChannel(),
                                EnvelopeCodec.fromWire(frame.getEnvelope().getSerial())));
                    }
                    sender.counters().payloadBytesSent.addAndGet(record.entry().sizeBytes());
                    sender.sentLinkSeq(record.linkSeq());
                    sentThrough = record.linkSeq();
                    sent++;
                }
                more = sentThrough < page.lastAppended();
                sender.sent(sent, sentThrough - acknowledged);
            }
            if (sent > 0) {
                lastSentMs = now;
            } else if (!duplex && now - lastSentMs >= timing.heartbeatMs() && requests.isReady()) {
                requests.send(LinkFrame.newBuilder().setAck(Ack.newBuilder()
                        .setLinkSeq(sender.heldFromPeer())).build());
                sender.counters().heartbeatsSent.incrementAndGet();
                lastSentMs = now;
            }
            if (sent == 0 || !more) {
                // Until woken (an append, an ack, the stream ready again), or the next heartbeat or idle poll.
                long waitMs = timing.heartbeatMs();
                if (requests.isReady() && timing.maxInFlight() > sentThrough - acknowledged) {
                    waitMs = Math.min(timing.idlePollMs() - (now - lastLookMs),
                            timing.heartbeatMs() - (now - lastSentMs));
                }
                if (!commitsDue.isEmpty()) {
                    waitMs = Math.min(waitMs, COMMIT_EVERY_MS - (now - lastCommitMs));
                }
                wakeups.tryAcquire(Math.max(1, waitMs), TimeUnit.MILLISECONDS);
            }
        }
        if (!attached) {
            requests.complete();
        }
    }

    private OutboundStatus acknowledge(long linkSeq) {
        // The log's position is read once per stream (at the Hello); after that each acknowledgement's answer keeps it.
        long before = positionKnown ? acknowledged : sender.log().status().acknowledged();
        // Known before the log trims them: the peer holds these, so their channels are committed once it is accepted.
        Map<String, Serial> covered = linkSeq > before ? covered(before, linkSeq) : Map.of();
        OutboundStatus status;
        try {
            status = sender.log().acknowledge(linkSeq);
        } catch (IllegalArgumentException e) {
            sender.counters().refusedAcks.incrementAndGet();
            throw new LinkException(sender.peerRegion() + " acknowledged " + linkSeq + ", beyond this region's "
                    + "outbound log (" + e.getMessage() + ")", e);
        }
        covered.forEach((channel, serial) -> commitsDue.merge(channel, serial, (a, b) -> a.compareTo(b) >= 0 ? a : b));
        if (!positionKnown) {
            // The Hello's: what earlier streams sent, committed at once.
            commitDue(sender.nowMs(), true);
        }
        positionKnown = true;
        acknowledged = Math.max(acknowledged, status.acknowledged());
        sender.acknowledgedThrough(status.acknowledged());
        sender.checkOverflow(status);
        return status;
    }

    /**
     * The newest serial per channel among the envelopes in {@code (before, linkSeq]}: from what this stream sent when
     * it sent all of them (no read), from the log for whatever it did not (the Hello's acknowledgement, or one that
     * reaches past what this stream sent: frames of an earlier stream stored late).
     */
    private Map<String, Serial> covered(long before, long linkSeq) {
        var sentHere = unacknowledged.headMap(linkSeq, true);
        if (before < rememberedAfter) {
            sentHere.clear();
            return sender.committer().newestPerChannel(sender.log(), before, linkSeq);
        }
        Map<String, Serial> newest = new java.util.LinkedHashMap<>();
        for (ChannelSerial sent : sentHere.values()) {
            newest.merge(sent.channel(), sent.serial(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
        }
        sentHere.clear();
        if (linkSeq > sentThrough) {
            sender.committer().newestPerChannel(sender.log(), sentThrough, linkSeq)
                    .forEach((channel, serial) -> newest.merge(channel, serial, (a, b) -> a.compareTo(b) >= 0 ? a : b));
        }
        return newest;
    }

    /**
     * Commits what the peer acknowledged, at most every {@link #COMMIT_EVERY_MS} (or now, {@code force}). A
     * {@code global} publish whose publisher waits is committed by its own edge node as soon as the acknowledgement is
     * in the log; these commits are for the ones nobody waits for any more (the node died, or the publisher gave
     * up), so a moment's delay costs nothing, and a commit per acknowledgement (a call to the channel's partition
     * for every channel acknowledged) would cost a call per message at modest rates.
     */
    void commitDue(long nowMs, boolean force) {
        if (commitsDue.isEmpty() || !force && nowMs - lastCommitMs < COMMIT_EVERY_MS) {
            return;
        }
        lastCommitMs = nowMs;
        Map<String, Serial> due = new java.util.LinkedHashMap<>(commitsDue);
        commitsDue.clear();
        try {
            sender.committer().commit(due);
        } catch (RuntimeException e) {
            // A commit that failed now is made by the next acknowledgement of the channel, or by a retry.
            sender.counters().failedCommits.incrementAndGet();
        }
    }

    /** Entries sent on this stream and not yet acknowledged. */
    long inFlight() {
        return Math.max(0, sentThrough - acknowledged);
    }

    private void throwIfFailed() {
        Throwable failed = failure;
        if (failed instanceof LinkException link) {
            throw link;
        }
        if (failed != null) {
            throw new LinkException("Link stream to " + sender.peerRegion() + " failed: "
                    + Status.fromThrowable(failed), failed);
        }
    }

    /**
     * Ends the stream from this side, if it is still open: both halves, so that the dialler reconnects and the two
     * regions resume both ways from each other's Hello.
     */
    void cancel(String why) {
        LinkStream stream = requests;
        if (stream != null && failure == null) {
            stream.fail(Status.CANCELLED.withDescription(why));
        }
        endInbound();
    }
}
