package io.heliograph.bridge.process;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.heliograph.bridge.forward.ForwardCounters;
import io.heliograph.bridge.link.LinkSender;
import io.heliograph.bridge.link.LinkState;
import io.heliograph.bridge.link.ReceiverCounters;
import io.heliograph.bridge.link.SenderCounters;
import io.heliograph.bridge.outbound.OutboundStatus;
import io.heliograph.bridge.tls.BridgeRefusals;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * The body of {@code GET /metrics}: Prometheus text format 0.0.4, written by hand (see {@link BridgeHttp} for why).
 * Every refusal, drop and repair of the replica is here; counters never go down over the life of the process (a
 * sender's counts are kept after its tenure ends), gauges say what is true now. Names are documented in
 * docs/bridge.md ("The bridge process").
 */
final class BridgeMetrics {

    private static final List<CircuitBreaker.State> CIRCUIT_STATES =
            List.of(CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN);

    private final BridgeProcess process;
    private final AtomicLong scrapeErrors = new AtomicLong();

    BridgeMetrics(BridgeProcess process) {
        this.process = process;
    }

    String scrape() {
        StringBuilder out = new StringBuilder(8192);
        var lease = process.lease();
        gauge(out, "heliograph_bridge_lease_holder", "1 while this replica holds its region's bridge lease",
                lease.isHolder() ? 1 : 0);
        gauge(out, "heliograph_bridge_lease_epoch", "the epoch of the tenure held (0: standby)",
                lease.currentEpoch().orElse(0));
        counter(out, "heliograph_bridge_lease_acquired_total", "tenures gained", lease.acquiredCount());
        counter(out, "heliograph_bridge_lease_lost_total", "tenures lost (deadline, refused renewal, closed)",
                lease.lostCount());
        counter(out, "heliograph_bridge_lease_renew_failures_total", "renewals that did not extend the tenure",
                lease.renewFailureCount());
        boolean running = process.member().getLifecycleService().isRunning();
        gauge(out, "heliograph_bridge_region_members", "members of the region's cluster this replica sees",
                running ? process.member().getCluster().getMembers().size() : 0);
        var takeovers = process.takeoverCounters();
        counter(out, "heliograph_bridge_takeovers_total", "channels this region took over as their new home",
                takeovers.completed.get());
        counter(out, "heliograph_bridge_takeovers_refused_total",
                "takeovers refused (a peer not down could not be asked, knew a higher epoch, or the tail did not come)",
                takeovers.refused.get());
        counter(out, "heliograph_bridge_takeover_fetched_total", "messages fetched from peers during takeovers",
                takeovers.fetched.get());
        counter(out, "heliograph_bridge_yields_total", "channels yielded to a peer's new epoch", takeovers.yielded.get());
        counter(out, "heliograph_bridge_yields_refused_total",
                "yields refused (the asker's epoch was stale, or it asked for another region)",
                takeovers.yieldsRefused.get());
        counter(out, "heliograph_bridge_mesh_tables_learned_total",
                "mesh tables a peer's Hello carried that were newer than this region's, and kept",
                takeovers.tablesLearned.get());

        List<String> peers = List.copyOf(process.outbound().keySet());
        header(out, "heliograph_bridge_link_state", "gauge",
                "1 for the peer link's current state (STANDBY: this replica does not link)");
        for (String peer : peers) {
            String state = process.links().sender(peer).map(s -> s.state().name()).orElse("STANDBY");
            for (LinkState s : LinkState.values()) {
                sample(out, "heliograph_bridge_link_state", labels("peer", peer, "state", s.name()),
                        state.equals(s.name()) ? 1 : 0);
            }
            sample(out, "heliograph_bridge_link_state", labels("peer", peer, "state", "STANDBY"),
                    state.equals("STANDBY") ? 1 : 0);
        }
        header(out, "heliograph_bridge_circuit_state", "gauge", "1 for the peer's circuit breaker state");
        for (String peer : peers) {
            Optional<CircuitBreaker.State> state = process.links().sender(peer).map(LinkSender::circuitState);
            for (CircuitBreaker.State s : CIRCUIT_STATES) {
                sample(out, "heliograph_bridge_circuit_state", labels("peer", peer, "state", s.name()),
                        state.orElse(null) == s ? 1 : 0);
            }
        }
        outbound(out, peers);
        senders(out, peers);
        receiver(out, peers);
        refusals(out);
        forwarded(out, peers);
        header(out, "heliograph_bridge_region_unavailable_total", "counter",
                "calls on the region's cluster answered unavailable, by reason");
        for (Map.Entry<String, AtomicLong> reason : process.regionUnavailable().entrySet()) {
            sample(out, "heliograph_bridge_region_unavailable_total", labels("reason", reason.getKey()),
                    reason.getValue().get());
        }
        counter(out, "heliograph_bridge_scrape_errors_total",
                "scrapes that could not read an outbound log (its figures were left out)", scrapeErrors.get());
        return out.toString();
    }

    private void outbound(StringBuilder out, List<String> peers) {
        StringBuilder entries = new StringBuilder();
        StringBuilder bytes = new StringBuilder();
        StringBuilder lastAppended = new StringBuilder();
        StringBuilder acknowledged = new StringBuilder();
        StringBuilder overflowed = new StringBuilder();
        StringBuilder dropped = new StringBuilder();
        StringBuilder lagMessages = new StringBuilder();
        StringBuilder lagMs = new StringBuilder();
        long now = System.currentTimeMillis();
        for (String peer : peers) {
            OutboundStatus status;
            try {
                status = process.outbound().get(peer).status();
            } catch (RuntimeException e) {
                scrapeErrors.incrementAndGet();
                continue;
            }
            String label = labels("peer", peer);
            sample(entries, "heliograph_bridge_outbound_depth_entries", label, status.heldEntries());
            sample(bytes, "heliograph_bridge_outbound_depth_bytes", label, status.heldBytes());
            sample(lastAppended, "heliograph_bridge_outbound_last_appended_link_seq", label, status.lastAppended());
            sample(acknowledged, "heliograph_bridge_outbound_acknowledged_link_seq", label, status.acknowledged());
            sample(overflowed, "heliograph_bridge_outbound_overflowed", label, status.overflowed() ? 1 : 0);
            sample(lagMessages, "heliograph_bridge_replication_lag_messages", label,
                    Math.max(0, status.lastAppended() - status.acknowledged()));
            sample(lagMs, "heliograph_bridge_replication_lag_ms", label,
                    status.heldEntries() == 0 ? 0 : Math.max(0, now - status.oldestHeldAtMs()));
            sample(dropped, "heliograph_bridge_outbound_dropped_total", labels("peer", peer, "bound", "entries"),
                    status.droppedByCount());
            sample(dropped, "heliograph_bridge_outbound_dropped_total", labels("peer", peer, "bound", "bytes"),
                    status.droppedByBytes());
            sample(dropped, "heliograph_bridge_outbound_dropped_total", labels("peer", peer, "bound", "age"),
                    status.droppedByAge());
        }
        block(out, "heliograph_bridge_outbound_depth_entries", "gauge", "entries held for the peer", entries);
        block(out, "heliograph_bridge_outbound_depth_bytes", "gauge", "payload bytes held for the peer", bytes);
        block(out, "heliograph_bridge_outbound_last_appended_link_seq", "gauge", "highest link_seq assigned",
                lastAppended);
        block(out, "heliograph_bridge_outbound_acknowledged_link_seq", "gauge", "the peer's cumulative ack",
                acknowledged);
        block(out, "heliograph_bridge_outbound_overflowed", "gauge",
                "1 while entries after the peer's ack were dropped unacknowledged", overflowed);
        block(out, "heliograph_bridge_outbound_dropped_total", "counter",
                "entries dropped unacknowledged, by the bound that dropped them", dropped);
        block(out, "heliograph_bridge_replication_lag_messages", "gauge",
                "entries logged for the peer and not yet acknowledged by it", lagMessages);
        block(out, "heliograph_bridge_replication_lag_ms", "gauge",
                "how long the oldest entry the peer has not acknowledged has waited (0: all acknowledged)", lagMs);
    }

    private void senders(StringBuilder out, List<String> peers) {
        perPeer(out, peers, "heliograph_bridge_frames_sent_total", "envelope and presence frames sent",
                SenderCounters::framesSent);
        perPeer(out, peers, "heliograph_bridge_payload_bytes_sent_total",
                "payload bytes of the envelope and presence frames sent", SenderCounters::payloadBytesSent);
        perPeer(out, peers, "heliograph_bridge_frames_resent_total", "frames sent again after a reconnect",
                SenderCounters::framesResent);
        perPeer(out, peers, "heliograph_bridge_frames_acked_total", "entries the peer acknowledged",
                SenderCounters::framesAcked);
        perPeer(out, peers, "heliograph_bridge_heartbeats_sent_total", "heartbeat acks sent",
                SenderCounters::heartbeatsSent);
        perPeer(out, peers, "heliograph_bridge_link_streams_opened_total", "streams whose Hellos were exchanged",
                SenderCounters::streamsOpened);
        perPeer(out, peers, "heliograph_bridge_link_failed_attempts_total", "connects and streams that failed",
                SenderCounters::failedAttempts);
        perPeer(out, peers, "heliograph_bridge_link_silent_streams_total", "streams given up as silent",
                SenderCounters::silentStreams);
        perPeer(out, peers, "heliograph_bridge_link_refused_acks_total", "acks beyond the log, refused",
                SenderCounters::refusedAcks);
        perPeer(out, peers, "heliograph_bridge_outbound_overflow_reports_total", "overflows of the outbound log",
                SenderCounters::overflowReports);
    }

    private void perPeer(StringBuilder out, List<String> peers, String name, String help,
                         ToLongFunction<SenderCounters> counter) {
        header(out, name, "counter", help);
        for (String peer : peers) {
            sample(out, name, labels("peer", peer), process.links().total(peer, counter));
        }
    }

    private void receiver(StringBuilder out, List<String> peers) {
        ReceiverCounters r = process.service().counters();
        counter(out, "heliograph_bridge_envelopes_applied_total", "envelopes stored as the channel's next message",
                r.applied());
        counter(out, "heliograph_bridge_envelopes_duplicates_total", "envelopes already held: dropped, acked",
                r.duplicates());
        counter(out, "heliograph_bridge_envelopes_fenced_total", "envelopes past the end of an epoch left: dropped",
                r.fenced());
        counter(out, "heliograph_bridge_envelopes_gaps_total", "envelopes that needed a Backfill first", r.gaps());
        counter(out, "heliograph_bridge_envelopes_backfilled_total", "messages stored from Backfill pages",
                r.backfilledMessages());
        counter(out, "heliograph_bridge_envelopes_unrepaired_gaps_total",
                "envelopes dropped because their gap could not be filled", r.unrepairedGaps());
        counter(out, "heliograph_bridge_backfill_continuity_lost_total",
                "Backfill pages whose history no longer reached back", r.continuityLost());
        counter(out, "heliograph_bridge_missed_link_entries_total", "link_seqs a peer skipped (its log overflowed)",
                r.missedLinkEntries());
        counter(out, "heliograph_bridge_peer_log_restarts_total",
                "peers whose outbound log started again (a new incarnation): received from the start", r.peerLogRestarts());
        counter(out, "heliograph_bridge_envelopes_malformed_total",
                "envelopes dropped as malformed (acknowledged: resending would not mend them)", r.malformed());
        counter(out, "heliograph_bridge_envelopes_parked_total",
                "envelopes that arrived ahead of their channel's predecessor and waited for it", r.parked());
        counter(out, "heliograph_bridge_envelopes_park_timeouts_total",
                "parked envelopes whose predecessor did not come in time (their gap went to Backfill)",
                r.parkTimeouts());
        counter(out, "heliograph_bridge_backfills_served_total", "Backfill calls answered", r.backfillsServed());
        counter(out, "heliograph_bridge_inbound_silent_streams_total", "inbound streams closed as silent",
                r.silentStreamsClosed());
        counter(out, "heliograph_bridge_inbound_superseded_streams_total", "inbound streams ended by a newer one",
                r.streamsSuperseded());
        counter(out, "heliograph_bridge_inbound_streams_total", "Link streams peers opened to this replica",
                r.streamsAccepted());
        counter(out, "heliograph_bridge_duplex_streams_total",
                "Link streams admitted carrying both directions (one stream per pair of regions)", r.duplexStreams());
        header(out, "heliograph_bridge_presence_received_total", "counter",
                "presence changes received from the peer (applied to this region's registry)");
        for (String peer : peers) {
            sample(out, "heliograph_bridge_presence_received_total", labels("peer", peer),
                    process.presence().received(peer));
        }
        counter(out, "heliograph_bridge_presence_malformed_total", "presence changes dropped as malformed",
                process.presence().malformed());
        counter(out, "heliograph_bridge_presence_snapshot_received_total",
                "members received in peers' presence snapshots (after every Hello)", r.presenceSnapshotEntries());
        counter(out, "heliograph_bridge_presence_expired_total",
                "members of peers unreachable for presence.peer-timeout-ms, removed here", process.presence().forgotten());
    }

    private void forwarded(StringBuilder out, List<String> peers) {
        String name = "heliograph_bridge_forwarded_publishes_total";
        header(out, name, "counter", "forwarded publishes by peer, direction (out: to the peer, the channel's home; "
                + "in: from the peer, for a channel homed here) and outcome (ok, unavailable: 503, refused)");
        StringBuilder seconds = new StringBuilder();
        for (String peer : peers) {
            for (ForwardCounters.Direction direction : ForwardCounters.Direction.values()) {
                ForwardCounters.Totals totals = process.forwardCounters().totals(peer, direction);
                String dir = direction.name().toLowerCase(Locale.ROOT);
                sample(out, name, labels("peer", peer, "direction", dir, "outcome", "ok"), totals.ok());
                sample(out, name, labels("peer", peer, "direction", dir, "outcome", "unavailable"),
                        totals.unavailable());
                sample(out, name, labels("peer", peer, "direction", dir, "outcome", "refused"), totals.refused());
                String label = labels("peer", peer, "direction", dir);
                seconds.append("heliograph_bridge_forwarded_publish_seconds_sum").append(label).append(' ')
                        .append(totals.totalNanos() / 1e9).append('\n');
                sample(seconds, "heliograph_bridge_forwarded_publish_seconds_count", label, totals.count());
            }
        }
        block(out, "heliograph_bridge_forwarded_publish_seconds", "summary",
                "time from taking a forwarded publish to its answer, by peer and direction", seconds);
    }

    private void refusals(StringBuilder out) {
        ReceiverCounters r = process.service().counters();
        String name = "heliograph_bridge_refusals_total";
        header(out, name, "counter", "calls and peers refused, by reason");
        sample(out, name, labels("reason", "stale_epoch"), r.refusedStaleEpoch());
        sample(out, name, labels("reason", "wrong_origin"), r.refusedWrongOrigin());
        sample(out, name, labels("reason", "protocol"), r.refusedProtocol());
        sample(out, name, labels("reason", "standby_link"), process.gate().refusedLinks());
        sample(out, name, labels("reason", "standby_backfill"), process.gate().refusedBackfills());
        if (process.tls() != null) {
            for (BridgeRefusals.Reason reason : BridgeRefusals.Reason.values()) {
                sample(out, name, labels("reason", reason.name().toLowerCase(Locale.ROOT)),
                        process.tls().refusals().count(reason));
            }
        }
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        header(out, name, "gauge", help);
        sample(out, name, "", value);
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        header(out, name, "counter", help);
        sample(out, name, "", value);
    }

    private static void block(StringBuilder out, String name, String type, String help, StringBuilder samples) {
        header(out, name, type, help);
        out.append(samples);
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, String labels, long value) {
        out.append(name).append(labels).append(' ').append(value).append('\n');
    }

    /** {@code {k="v",...}}; values escaped as the text format wants (backslash, quote, newline). */
    private static String labels(String... pairs) {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < pairs.length; i += 2) {
            if (i > 0) {
                out.append(',');
            }
            out.append(pairs[i]).append("=\"").append(pairs[i + 1].replace("\\", "\\\\").replace("\"", "\\\"")
                    .replace("\n", "\\n")).append('"');
        }
        return out.append('}').toString();
    }
}
