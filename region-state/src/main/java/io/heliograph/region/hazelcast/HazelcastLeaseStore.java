package io.heliograph.region.hazelcast;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import io.heliograph.region.lease.Lease;
import io.heliograph.region.lease.LeaseOutcome;
import io.heliograph.region.lease.LeaseRules;
import io.heliograph.region.lease.LeaseStore;

/**
 * {@link LeaseStore} on the IMap {@code hg.leases}: one {@link Lease} per name, changed only by the entry processors
 * below, each applying {@link LeaseRules} on the partition thread that owns the name, so every change is a
 * compare-and-set against the record as it is. The map has one synchronous backup and no TTL, idle expiry or eviction
 * (a lease expires by its {@code expiresAtMs}, never by Hazelcast); split halves are merged by {@link
 * HigherLeaseEpochMergePolicy}.
 *
 * <p><b>Backups store the primary's result; they do not decide again.</b> A processor decides on the owner and its
 * backup processor ({@link StoreLease}) carries the resulting record, so the backup cannot reach another answer,
 * whatever its own clock or (after a missed backup) its own copy says; a refused change sends no backup at all. The
 * clock reading that decides is the caller's, taken before the call is sent and carried in the processor, so an owner
 * that is promoted, or a call that is sent again after its owner left, decides by the same reading. The caller's
 * {@link io.heliograph.region.lease.LeaseKeeper} reads its own deadline before that reading, which is why its
 * deadline is never later than the stored expiry less its margin.
 *
 * <p><b>Clock skew.</b> Expiry is stamped with one member's wall clock and judged by another's: a member whose clock
 * runs ahead of the holder's by {@code d} sees the lease expire {@code d} early. The holder stops acting {@code
 * safetyMarginMs} before the expiry by its own monotonic clock, so two holders are excluded only while every pair of
 * members' wall clocks differ by less than that margin (500 ms by default; NTP keeps them within milliseconds). A clock
 * stepped by more than the margin breaks that; so does a split brain, where each half may grant a tenure on its own
 * (see the merge policy): AP storage gives no stronger guarantee, and peers fence by epoch on top of it.
 *
 * <p>Every change goes through {@link RegionCalls#onKey}: a change whose backup did not confirm is answered as a
 * failure (it may have been applied on the owner only), never as granted.
 */
public final class HazelcastLeaseStore implements LeaseStore {

    private final IMap<String, Lease> leases;
    private final LongSupplier wallMs;
    private final RegionCalls calls;

    public HazelcastLeaseStore(HazelcastInstance hz) {
        this(hz, System::currentTimeMillis, RegionCalls.uncounted());
    }

    public HazelcastLeaseStore(HazelcastInstance hz, LongSupplier wallMs, RegionCalls calls) {
        this.leases = hz.getMap(RegionMember.LEASES_MAP);
        this.wallMs = Objects.requireNonNull(wallMs, "wallMs");
        this.calls = Objects.requireNonNull(calls, "calls");
    }

    @Override
    public LeaseOutcome acquire(String name, String holder, long ttlMs) {
        return calls.onKey(leases, name, new Acquire(holder, ttlMs, wallMs.getAsLong()));
    }

    @Override
    public LeaseOutcome renew(String name, String holder, long leaseEpoch, long ttlMs) {
        return calls.onKey(leases, name, new Renew(holder, leaseEpoch, ttlMs, wallMs.getAsLong()));
    }

    @Override
    public LeaseOutcome release(String name, String holder, long leaseEpoch) {
        return calls.onKey(leases, name, new Release(holder, leaseEpoch));
    }

    @Override
    public Optional<Lease> current(String name) {
        return Optional.ofNullable(calls.call(() -> leases.get(name)));
    }

    /**
     * Decides on the owner by {@link LeaseRules}, keeps the granted record, and hands its backup exactly that record.
     * Hazelcast asks for the backup processor after {@code process} has run on the owner.
     */
    abstract static class LeaseChange implements EntryProcessor<String, Lease, LeaseOutcome>, DataSerializable {
        private transient Lease stored;

        abstract LeaseOutcome decide(String name, Lease current);

        @Override
        public final LeaseOutcome process(Map.Entry<String, Lease> entry) {
            LeaseOutcome outcome = decide(entry.getKey(), entry.getValue());
            stored = outcome.granted() ? outcome.lease() : null;
            if (stored != null) {
                entry.setValue(stored);
            }
            return outcome;
        }

        @Override
        public final EntryProcessor<String, Lease, LeaseOutcome> getBackupProcessor() {
            return stored == null ? null : new StoreLease(stored);
        }
    }

    public static final class Acquire extends LeaseChange {
        private String holder;
        private long ttlMs;
        private long nowMs;

        public Acquire() {
        }

        Acquire(String holder, long ttlMs, long nowMs) {
            this.holder = holder;
            this.ttlMs = ttlMs;
            this.nowMs = nowMs;
        }

        @Override
        LeaseOutcome decide(String name, Lease current) {
            return LeaseRules.acquire(current, name, holder, ttlMs, nowMs);
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeString(holder);
            out.writeLong(ttlMs);
            out.writeLong(nowMs);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            holder = in.readString();
            ttlMs = in.readLong();
            nowMs = in.readLong();
        }
    }

    public static final class Renew extends LeaseChange {
        private String holder;
        private long leaseEpoch;
        private long ttlMs;
        private long nowMs;

        public Renew() {
        }

        Renew(String holder, long leaseEpoch, long ttlMs, long nowMs) {
            this.holder = holder;
            this.leaseEpoch = leaseEpoch;
            this.ttlMs = ttlMs;
            this.nowMs = nowMs;
        }

        @Override
        LeaseOutcome decide(String name, Lease current) {
            return LeaseRules.renew(current, holder, leaseEpoch, ttlMs, nowMs);
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeString(holder);
            out.writeLong(leaseEpoch);
            out.writeLong(ttlMs);
            out.writeLong(nowMs);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            holder = in.readString();
            leaseEpoch = in.readLong();
            ttlMs = in.readLong();
            nowMs = in.readLong();
        }
    }

    public static final class Release extends LeaseChange {
        private String holder;
        private long leaseEpoch;

        public Release() {
        }

        Release(String holder, long leaseEpoch) {
            this.holder = holder;
            this.leaseEpoch = leaseEpoch;
        }

        @Override
        LeaseOutcome decide(String name, Lease current) {
            return LeaseRules.release(current, holder, leaseEpoch);
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeString(holder);
            out.writeLong(leaseEpoch);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            holder = in.readString();
            leaseEpoch = in.readLong();
        }
    }

    /** The backup's half of a granted change: stores the record the owner decided on. */
    public static final class StoreLease implements EntryProcessor<String, Lease, LeaseOutcome>, DataSerializable {
        private Lease lease;

        public StoreLease() {
        }

        StoreLease(Lease lease) {
            this.lease = lease;
        }

        @Override
        public LeaseOutcome process(Map.Entry<String, Lease> entry) {
            entry.setValue(lease);
            return null;
        }

        @Override
        public EntryProcessor<String, Lease, LeaseOutcome> getBackupProcessor() {
            return null;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            Serializers.writeLease(out, lease);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            lease = Serializers.readLease(in);
        }
    }
}
