package io.heliograph.region.mesh;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** A mesh table store of one process (tests, a region of one node). */
public final class InMemoryMeshTableStore implements MeshTableStore {

    private final AtomicReference<MeshTable> held = new AtomicReference<>();
    private final List<Consumer<MeshTable>> listeners = new CopyOnWriteArrayList<>();

    @Override
    public Optional<MeshTable> current() {
        return Optional.ofNullable(held.get());
    }

    @Override
    public synchronized Offered offer(MeshTable table) {
        MeshTable now = held.get();
        if (now != null && now.version() >= table.version()) {
            return new Offered(false, now.version());
        }
        held.set(table);
        listeners.forEach(listener -> listener.accept(table));
        return new Offered(true, table.version());
    }

    @Override
    public void onChange(Consumer<MeshTable> listener) {
        listeners.add(listener);
    }
}
