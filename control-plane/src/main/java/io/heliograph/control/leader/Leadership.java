package io.heliograph.control.leader;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

import io.heliograph.region.lease.Lease;
import io.heliograph.region.lease.LeaseKeeper;
import io.heliograph.region.lease.LeaseListener;
import io.heliograph.region.lease.LeaseStore;
import io.heliograph.region.lease.LeaseTiming;

/**
 * This replica's part in the election: a {@link LeaseKeeper} on the lease {@value #LEASE} in the replicas' own
 * cluster. On gaining the lease the replica first takes over (reads the highest table version, see
 * {@link MeshController#takeOver(long)}), on a thread of its own, and only then leads; {@link #isLeader()} is true
 * only while the lease is held and that takeover finished under the same epoch. Every replica records where it is
 * reached in a shared map, so that a follower can name (and forward to) the leader.
 */
public final class Leadership implements LeaseListener, AutoCloseable {

    /** The lease's name in the replicas' {@code hg.leases}. */
    public static final String LEASE = "control-plane.leader";
    private static final long TAKEOVER_RETRY_MS = 200;
    private static final System.Logger LOG = System.getLogger(Leadership.class.getName());

    private final String replicaId;
    private final LeaseStore store;
    private final Map<String, String> replicaUrls;
    private final LongSupplier wallMs;
    private final LeaseKeeper keeper;
    /** The lease epoch under which the takeover finished; 0 while not leading. */
    private final AtomicLong readyEpoch = new AtomicLong();
    private volatile LongConsumer takeOver = epoch -> { };

    public Leadership(String replicaId, LeaseStore store, Map<String, String> replicaUrls, LeaseTiming timing,
                      LongSupplier wallMs) {
        this.replicaId = replicaId;
        this.store = store;
        this.replicaUrls = replicaUrls;
        this.wallMs = wallMs;
        this.keeper = new LeaseKeeper(store, LEASE, replicaId, timing, this);
    }

    /** Records this replica's URL and starts contending; {@code takeOver} runs once per tenure before leading. */
    public Leadership start(String url, LongConsumer onTakeOver) {
        replicaUrls.put(replicaId, url);
        this.takeOver = onTakeOver;
        keeper.start();
        return this;
    }

    public boolean isLeader() {
        OptionalLong epoch = keeper.currentEpoch();
        return epoch.isPresent() && readyEpoch.get() == epoch.getAsLong();
    }

    /** The lease epoch while this replica leads (or is taking over). */
    public OptionalLong epoch() {
        return keeper.currentEpoch();
    }

    public String replicaId() {
        return replicaId;
    }

    /** The replica holding the lease now, by its record; empty when none does. */
    public Optional<String> leaderId() {
        try {
            return store.current(LEASE).filter(l -> l.heldAt(wallMs.getAsLong())).map(Lease::holder)
                    .map(h -> h.contains("/") ? h.substring(0, h.lastIndexOf('/')) : h);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Where the leader is reached; empty when there is none (or it never said). */
    public Optional<String> leaderUrl() {
        return leaderId().map(replicaUrls::get);
    }

    @Override
    public void gained(Lease lease) {
        long epoch = lease.leaseEpoch();
        Thread.ofVirtual().name("control-takeover-" + epoch).start(() -> {
            // Not leading without a takeover: try again while the tenure lasts (its reads may meet a region that
            // is just failing), and give up when the tenure ends.
            while (keeper.currentEpoch().orElse(-1) == epoch) {
                try {
                    takeOver.accept(epoch);
                    if (keeper.currentEpoch().orElse(-1) == epoch) {
                        readyEpoch.set(epoch);
                        LOG.log(System.Logger.Level.INFO, replicaId + " leads the control plane under epoch "
                                + epoch);
                    }
                    return;
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, replicaId + ": takeover under epoch " + epoch
                            + " failed; trying again", e);
                    try {
                        Thread.sleep(TAKEOVER_RETRY_MS);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        });
    }

    @Override
    public void lost(Lease lease, LossReason reason) {
        readyEpoch.set(0);
        LOG.log(System.Logger.Level.INFO, replicaId + " no longer leads (epoch " + lease.leaseEpoch() + ", "
                + reason + ")");
    }

    @Override
    public void close() {
        readyEpoch.set(0);
        keeper.close();
    }
}
