package io.heliograph.region.lease;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link LeaseListener} that keeps what it was told, with the wall-clock time it was told. */
public final class RecordingListener implements LeaseListener {

    /** One call: {@code reason} is null for {@code gained}. */
    public record Event(Lease lease, LossReason reason, long atMs) {
        public boolean isGain() {
            return reason == null;
        }
    }

    public final List<Event> events = new CopyOnWriteArrayList<>();

    @Override
    public void gained(Lease lease) {
        events.add(new Event(lease, null, System.currentTimeMillis()));
    }

    @Override
    public void lost(Lease lease, LossReason reason) {
        events.add(new Event(lease, reason, System.currentTimeMillis()));
    }

    public long gains() {
        return events.stream().filter(Event::isGain).count();
    }

    public List<Event> losses() {
        return events.stream().filter(e -> !e.isGain()).toList();
    }
}
