package io.heliograph.control.leader;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.heliograph.control.audit.AuditEvent;
import io.heliograph.control.audit.AuditLog;
import io.heliograph.control.config.ControlConfig;
import io.heliograph.control.probe.EdgeProbe;
import io.heliograph.control.probe.ProbeRound;
import io.heliograph.control.probe.Prober;
import io.heliograph.control.state.RegionAssessor;
import io.heliograph.control.state.RegionHealth;
import io.heliograph.control.table.EdgeAdminClient;
import io.heliograph.control.table.MeshChanges;
import io.heliograph.control.table.TableStore;
import io.heliograph.region.mesh.MeshTable;
import io.heliograph.region.mesh.MeshTableJson;
import io.heliograph.region.mesh.RegionState;
import io.heliograph.region.sequencing.Home;

/**
 * The control plane's one loop and its changes. Every replica runs {@link #cycle()} (probe, assess) so that every
 * replica answers reads; the leader alone then applies the automatic decisions of {@link MeshChanges}, writes the
 * table to the replicas' store and the audit log, and pushes it to every edge, again every cycle to each reachable
 * edge whose version is behind. Manual changes come through the same lock. Every change checks the lease first: a
 * replica that lost it changes nothing.
 */
public final class MeshController implements AutoCloseable {

    /** A change asked of a replica that does not lead. */
    public static final class NotLeader extends RuntimeException {
        public NotLeader(String message) {
            super(message);
        }
    }

    /** The last probe round and what it says of every region. */
    public record MeshView(ProbeRound round, Map<String, RegionHealth> health) {
    }

    private static final System.Logger LOG = System.getLogger(MeshController.class.getName());
    /**
     * How long a takeover waits for the edges' tables: longer than a probe, since a version it misses would be
     * published again under a lower number (an edge refuses it, and the leader's pushes would not apply there).
     */
    static final long ADMIN_WAIT_MS = 3_000;

    private final ControlConfig config;
    private final Prober prober;
    private final RegionAssessor assessor;
    private final MeshChanges changes;
    private final TableStore store;
    private final AuditLog audit;
    private final EdgeAdminClient admin;
    private final Leadership leadership;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    private final Object changeLock = new Object();
    /** Per edge, the version its region answered to our last push. */
    private final Map<String, Long> pushedVersions = new ConcurrentHashMap<>();
    /** Edges of a restored region still to be told to take clients again (retried each cycle while draining). */
    private final java.util.Set<String> undrainPending = ConcurrentHashMap.newKeySet();
    /** The highest version any edge answered a push with; above the leader's own, the leader reconciles. */
    private final java.util.concurrent.atomic.AtomicLong highestAnswered = new java.util.concurrent.atomic.AtomicLong();
    /** A version an edge refused because it holds that number already (0: none); its content is compared. */
    private final java.util.concurrent.atomic.AtomicLong sameVersionRefused = new java.util.concurrent.atomic.AtomicLong();
    private volatile MeshView view;
    /**
     * The table this replica wrote last as leader, under the lease epoch it wrote it (its takeover sets it); used only
     * while that tenure lasts, a follower reads the store.
     */
    private volatile MeshTable leaderTable;

    public MeshController(ControlConfig config, Prober prober, TableStore store, AuditLog audit,
                          EdgeAdminClient admin, Leadership leadership, long nowMs) {
        this.config = config;
        this.prober = prober;
        this.assessor = new RegionAssessor(config);
        this.changes = new MeshChanges(config);
        this.store = store;
        this.audit = audit;
        this.admin = admin;
        this.leadership = leadership;
        ProbeRound none = ProbeRound.empty(nowMs);
        this.view = new MeshView(none, assessor.assess(none));
    }

    public MeshView view() {
        return view;
    }

    /** The current table: the leader's own, else the replicas' store's; empty before the first leader wrote one. */
    public Optional<MeshTable> table() {
        MeshTable own = ownTable();
        if (own != null) {
            return Optional.of(own);
        }
        try {
            return store.current();
        } catch (RuntimeException e) {
            return Optional.ofNullable(own);
        }
    }

    public Leadership leadership() {
        return leadership;
    }

    /** One probe cycle; on the leader, the automatic decisions and the re-pushes follow. */
    public void cycle() {
        ProbeRound round = prober.probe();
        Map<String, RegionHealth> health = assessor.assess(round);
        view = new MeshView(round, health);
        if (!leadership.isLeader()) {
            return;
        }
        synchronized (changeLock) {
            MeshTable table = ownTable();
            if (table == null) {
                return;
            }
            if (highestAnswered.get() > table.version()) {
                table = reconcile(table);
            } else if (sameVersionRefused.getAndSet(0) == table.version() && differsOnAnEdge(table)) {
                table = reconcile(table);
            }
            MeshChanges.Change change = changes.afterProbes(table, health);
            if (change.changed()) {
                commit(change);
            }
        }
        pushBehind(round);
        undrainRestored(round);
    }

    /**
     * An edge holds a higher version than this leader's (one it could not reach at its takeover, or a leader of
     * the other side of a split): the leader continues above it, keeping for every base region the home with the
     * higher epoch, so that no epoch goes down. Called under the change lock.
     */
    private MeshTable reconcile(MeshTable own) {
        MeshTable merged = own;
        long highest = highestAnswered.get();
        for (MeshTable found : fetchFromEdges()) {
            highest = Math.max(highest, found.version());
            for (String base : merged.regions().keySet()) {
                Home theirs = found.homeOf(base);
                if (theirs.epoch() > merged.homeOf(base).epoch() && merged.regions().containsKey(theirs.region())) {
                    merged = merged.withHome(base, theirs);
                }
            }
        }
        MeshTable next = merged.atVersion(highest + 1, own.leader());
        LOG.log(System.Logger.Level.WARNING, "an edge holds table version " + highest + ", above this leader's "
                + own.version() + ": continuing at " + next.version() + " with the higher epoch of every home");
        store.save(next);
        leaderTable = next;
        pushAll(next);
        return next;
    }

    /** True when a reachable edge holds this table's version with other homes, states or edges. */
    private boolean differsOnAnEdge(MeshTable table) {
        for (MeshTable found : fetchFromEdges()) {
            if (found.version() == table.version() && !found.sameContent(table)) {
                highestAnswered.accumulateAndGet(found.version(), Math::max);
                return true;
            }
        }
        return false;
    }

    /**
     * Run by {@link Leadership} when this replica gains the lease, before it leads: the highest table version held
     * by the replicas' store or any reachable edge is taken, brought in line with the configuration, and published
     * again one version above, stamped with this leader's epoch.
     */
    public void takeOver(long epoch) {
        MeshTable found = store.current().orElse(null);
        for (MeshTable fromEdge : fetchFromEdges()) {
            if (found == null || fromEdge.version() > found.version()) {
                found = fromEdge;
            }
        }
        MeshTable.Leader me = new MeshTable.Leader(leadership.replicaId(), epoch);
        // The first leader publishes version 1; any later one continues one above the highest version found.
        MeshTable table = found == null ? changes.initial(me)
                : changes.adopt(found).atVersion(found.version() + 1, me);
        synchronized (changeLock) {
            audit.forgetPosition();
            store.save(table);
            leaderTable = table;
        }
        LOG.log(System.Logger.Level.INFO, leadership.replicaId() + " takes over at table version " + table.version()
                + (found == null ? " (no table found)" : " (highest found: " + found.version() + ")"));
        pushAll(table);
    }

    private List<MeshTable> fetchFromEdges() {
        List<Future<Optional<MeshTable>>> pending = new ArrayList<>();
        for (ControlConfig.RegionSpec region : config.regions()) {
            for (ControlConfig.EdgeSpec edge : region.edges()) {
                pending.add(calls.submit(() -> admin.fetch(edge.http())));
            }
        }
        List<MeshTable> tables = new ArrayList<>();
        for (Future<Optional<MeshTable>> call : pending) {
            try {
                call.get(ADMIN_WAIT_MS, TimeUnit.MILLISECONDS).ifPresent(tables::add);
            } catch (Exception e) {
                call.cancel(true);
            }
        }
        return tables;
    }

    /** A manual failover (drain) of {@code region}: homes move, the table is pushed, then its edges drain. */
    public AuditEvent failover(String region, String to, String who) {
        MeshTable committed;
        List<AuditEvent> written;
        synchronized (changeLock) {
            MeshTable table = requireLeading();
            MeshChanges.Change change = changes.failover(table, region, to, view.health(), who);
            if (!change.changed()) {
                throw new MeshChanges.Refused(409, "nothing_to_move", region + " is already drained and homes"
                        + " nothing");
            }
            written = commit(change);
            committed = leaderTable;
        }
        drainEdges(committed, region);
        return written.getFirst();
    }

    /** Homes of {@code region} back to it, its drain ended; refused while it does not serve. */
    public AuditEvent restore(String region, String who) {
        synchronized (changeLock) {
            MeshTable table = requireLeading();
            RegionHealth h = view.health().get(region);
            // A drained region's edges answer (draining), so it may be restored; one whose edges all fail may not.
            if (h != null && h.allFailingSince() >= 0) {
                throw new MeshChanges.Refused(409, "region_unavailable", region + " does not answer (every edge"
                        + " fails its probes); its homes stay where they are");
            }
            MeshChanges.Change change = changes.restore(table, region, who, "manual restore");
            if (!change.changed()) {
                throw new MeshChanges.Refused(409, "nothing_to_restore", region + " is at home and not draining");
            }
            // Its edges were drained by the failover: they take clients again, before the table routes clients back
            // to them (a client sent to a node still draining would be turned away and leave the region out).
            config.region(region).ifPresent(r -> r.edges().forEach(edge -> undrainPending.add(edge.id())));
            undrainRestored(null);
            return commit(change).getFirst();
        }
    }

    /**
     * Tells each edge of a restored region to take clients again: at once after the restore, then on each cycle to
     * those that did not answer and still report draining ({@code round} null: every pending edge).
     */
    private void undrainRestored(ProbeRound round) {
        if (undrainPending.isEmpty() || ownTable() == null) {
            return;
        }
        List<Future<?>> pending = new ArrayList<>();
        for (ControlConfig.RegionSpec region : config.regions()) {
            for (ControlConfig.EdgeSpec edge : region.edges()) {
                if (!undrainPending.contains(edge.id())) {
                    continue;
                }
                EdgeProbe probe = round == null ? null : round.edge(edge.id());
                if (probe != null && probe.reachable() && !probe.draining()) {
                    undrainPending.remove(edge.id());
                } else if (probe == null || probe.reachable()) {
                    pending.add(calls.submit(() -> {
                        if (admin.undrain(edge.http())) {
                            undrainPending.remove(edge.id());
                        }
                    }));
                }
            }
        }
        await(pending);
    }

    /** Drains one edge node; the table does not change. */
    public AuditEvent drainNode(String node, String who) {
        synchronized (changeLock) {
            MeshTable table = requireLeading();
            for (ControlConfig.RegionSpec region : config.regions()) {
                for (ControlConfig.EdgeSpec edge : region.edges()) {
                    if (edge.id().equals(node)) {
                        boolean taken = admin.drain(edge.http());
                        if (!taken) {
                            throw new MeshChanges.Refused(502, "node_unreachable", node + " did not take the drain");
                        }
                        return audit.append(AuditEvent.draft(who, "drain-node", region.name(), node,
                                "manual drain of one node", Map.of(), Map.of(), table.version()));
                    }
                }
            }
        }
        throw new MeshChanges.Refused(404, "unknown_node", "unknown node '" + node + "'");
    }

    /** The table of this replica's current tenure; null when it does not lead (or a previous tenure wrote it). */
    private MeshTable ownTable() {
        MeshTable own = leaderTable;
        OptionalLong epoch = leadership.epoch();
        if (own == null || !leadership.isLeader() || epoch.isEmpty() || own.leader() == null
                || own.leader().epoch() != epoch.getAsLong()) {
            return null;
        }
        return own;
    }

    /** Called under the change lock. */
    private MeshTable requireLeading() {
        MeshTable table = ownTable();
        if (table == null) {
            throw new NotLeader(leadership.replicaId() + " does not lead");
        }
        return table;
    }

    /** Called under the change lock: the next version written, its events logged, pushed. */
    private List<AuditEvent> commit(MeshChanges.Change change) {
        OptionalLong epoch = leadership.epoch();
        if (!leadership.isLeader() || epoch.isEmpty()) {
            throw new NotLeader(leadership.replicaId() + " lost the lease before the change was written");
        }
        MeshTable next = change.table().next(new MeshTable.Leader(leadership.replicaId(), epoch.getAsLong()));
        store.save(next);
        leaderTable = next;
        List<AuditEvent> written = new ArrayList<>();
        for (AuditEvent draft : change.events()) {
            AuditEvent event = audit.append(draft.atVersion(next.version()));
            written.add(event);
            LOG.log(System.Logger.Level.INFO, "audit " + event.seq() + ": " + event.who() + " " + event.what() + " "
                    + event.region() + " -> " + event.to() + " (" + event.reason() + "), table v" + next.version());
        }
        pushAll(next);
        return written;
    }

    /** Pushes to every edge at once, waiting at most about one probe timeout. */
    private void pushAll(MeshTable table) {
        List<String> edges = config.regions().stream().flatMap(r -> r.edges().stream())
                .map(ControlConfig.EdgeSpec::id).toList();
        push(table, edges);
    }

    /** Each edge that answered this round with a version below the table's is pushed to again. */
    private void pushBehind(ProbeRound round) {
        MeshTable table = ownTable();
        if (table == null) {
            return;
        }
        List<String> behind = new ArrayList<>();
        Map<String, String> confirms = new HashMap<>();
        for (ControlConfig.RegionSpec region : config.regions()) {
            for (ControlConfig.EdgeSpec edge : region.edges()) {
                EdgeProbe probe = round.edge(edge.id());
                long held = Math.max(probe.meshTableVersion(), pushedVersions.getOrDefault(edge.id(), -1L));
                if (probe.reachable() && probe.meshTableConfirm() != null) {
                    // Paused long enough to have missed a move: it sequences nothing until this table confirms.
                    confirms.put(edge.id(), probe.meshTableConfirm());
                    behind.add(edge.id());
                } else if (probe.reachable() && held < table.version()) {
                    behind.add(edge.id());
                }
            }
        }
        if (!behind.isEmpty()) {
            push(table, behind, confirms);
        }
    }

    private void push(MeshTable table, List<String> edgeIds) {
        push(table, edgeIds, Map.of());
    }

    private void push(MeshTable table, List<String> edgeIds, Map<String, String> confirms) {
        String json = MeshTableJson.write(table);
        List<Future<?>> pending = new ArrayList<>();
        for (ControlConfig.RegionSpec region : config.regions()) {
            for (ControlConfig.EdgeSpec edge : region.edges()) {
                if (edgeIds.contains(edge.id())) {
                    String confirm = confirms.get(edge.id());
                    pending.add(calls.submit(() -> admin.push(edge.http(), json, confirm).ifPresent(answer -> {
                        pushedVersions.merge(edge.id(), answer.version(), Math::max);
                        highestAnswered.accumulateAndGet(answer.version(), Math::max);
                        if (!answer.applied() && answer.version() == table.version()) {
                            // The region holds this version number already: ours, from an earlier push whose
                            // answer was lost, or a leader's that lost its lease while writing it. Looked at
                            // on the next cycle.
                            sameVersionRefused.set(table.version());
                        }
                    })));
                }
            }
        }
        await(pending);
    }

    private void drainEdges(MeshTable table, String region) {
        if (table == null || table.stateOf(region) != RegionState.DRAINING) {
            return;
        }
        config.region(region).ifPresent(r -> r.edges().forEach(edge -> undrainPending.remove(edge.id())));
        List<Future<?>> pending = new ArrayList<>();
        config.region(region).ifPresent(r -> r.edges().forEach(edge ->
                pending.add(calls.submit(() -> admin.drain(edge.http())))));
        await(pending);
    }

    private void await(List<Future<?>> pending) {
        long deadlineNs = System.nanoTime() + Duration.ofMillis(config.probe().timeoutMs() * 2).toNanos();
        for (Future<?> call : pending) {
            try {
                call.get(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                call.cancel(true);
            }
        }
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }
}
