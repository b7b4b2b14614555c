package io.heliograph.region.hazelcast;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import io.heliograph.region.mesh.MeshTable;
import io.heliograph.region.mesh.MeshTableStore;

/**
 * The region's mesh table on the IMap {@value RegionMember#MESH_MAP}: one entry, the table's binary form, replaced only
 * by a newer version (an entry processor compares on the partition thread); split halves merge by the higher version
 * ({@link HigherTableVersionMergePolicy}). Each process keeps the table it last saw in memory, refreshed by the map's
 * events, so reading the homes costs nothing per publish.
 */
public final class HazelcastMeshTableStore implements MeshTableStore {

    static final String KEY = "table";

    private final IMap<String, byte[]> map;
    private final AtomicReference<MeshTable> held = new AtomicReference<>();
    private final List<Consumer<MeshTable>> listeners = new CopyOnWriteArrayList<>();
    private final RegionCalls calls;

    public HazelcastMeshTableStore(HazelcastInstance member) {
        this(member, RegionCalls.uncounted());
    }

    public HazelcastMeshTableStore(HazelcastInstance member, RegionCalls calls) {
        this.map = member.getMap(RegionMember.MESH_MAP);
        this.calls = calls;
        Listener listener = new Listener();
        map.addEntryListener(listener, true);
        byte[] now = calls.call(() -> map.get(KEY));
        if (now != null) {
            take(MeshTable.fromBytes(now));
        }
    }

    @Override
    public Optional<MeshTable> current() {
        return Optional.ofNullable(held.get());
    }

    @Override
    public Optional<MeshTable> fresh() {
        byte[] now = calls.call(() -> map.get(KEY));
        if (now != null) {
            take(MeshTable.fromBytes(now));
        }
        return current();
    }

    @Override
    public Offered offer(MeshTable table) {
        long[] answer = calls.onKey(map, KEY, new Offer(table.toBytes()));
        boolean applied = answer[0] == 1;
        if (applied) {
            take(table);
        }
        return new Offered(applied, answer[1]);
    }

    @Override
    public void onChange(Consumer<MeshTable> listener) {
        listeners.add(listener);
    }

    private void take(MeshTable table) {
        MeshTable before = held.getAndAccumulate(table,
                (now, offered) -> now == null || offered.version() > now.version() ? offered : now);
        if (before == null || table.version() > before.version()) {
            listeners.forEach(listener -> listener.accept(table));
        }
    }

    private final class Listener implements EntryAddedListener<String, byte[]>, EntryUpdatedListener<String, byte[]>,
            EntryMergedListener<String, byte[]> {
        @Override
        public void entryAdded(EntryEvent<String, byte[]> event) {
            changed(event);
        }

        @Override
        public void entryUpdated(EntryEvent<String, byte[]> event) {
            changed(event);
        }

        @Override
        public void entryMerged(EntryEvent<String, byte[]> event) {
            changed(event);
        }

        private void changed(EntryEvent<String, byte[]> event) {
            if (event.getValue() != null) {
                take(MeshTable.fromBytes(event.getValue()));
            }
        }
    }

    /** Keeps the offered table when it is newer; answers {applied (1/0), the version held after}. */
    public static final class Offer implements EntryProcessor<String, byte[], long[]>, DataSerializable {
        private byte[] table;

        public Offer() {
        }

        Offer(byte[] table) {
            this.table = table;
        }

        @Override
        public long[] process(Map.Entry<String, byte[]> entry) {
            byte[] now = entry.getValue();
            long offered = MeshTable.versionOf(table);
            if (now != null && MeshTable.versionOf(now) >= offered) {
                return new long[] {0, MeshTable.versionOf(now)};
            }
            entry.setValue(table);
            return new long[] {1, offered};
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeByteArray(table);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            table = in.readByteArray();
        }
    }
}
