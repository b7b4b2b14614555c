package io.heliograph.edge.hazelcast;

import java.util.function.Supplier;

import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;

import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;

/** Runs calls on the region's maps and turns Hazelcast's failures into the protocol's 503, in one place. */
final class RegionCalls {

    private RegionCalls() {
    }

    static <V, R> R onKey(IMap<String, V> map, String key, EntryProcessor<String, V, R> processor) {
        return call(() -> map.executeOnKey(key, processor));
    }

    static <R> R call(Supplier<R> call) {
        try {
            return call.get();
        } catch (HeliographException e) {
            throw e;
        } catch (RuntimeException e) {
            String why = e instanceof HazelcastInstanceNotActiveException ? "node is shutting down"
                    : "region storage unavailable: " + e.getClass().getSimpleName();
            throw new HeliographException(ErrorCode.UNAVAILABLE, why, e);
        }
    }
}
