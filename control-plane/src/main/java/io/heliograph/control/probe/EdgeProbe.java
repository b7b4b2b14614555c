package io.heliograph.control.probe;

/**
 * One edge node's answer to {@code GET /health}, or its absence.
 *
 * @param reachable        it answered with its health JSON (any status: a draining node answers 503)
 * @param ready            its readiness check is UP
 * @param meshTableVersion the mesh table version it holds; -1 when it does not say
 * @param error            why it did not answer; null when it did
 * @param meshTableConfirm the nonce the edge asks the leader to confirm its table with (it was paused and sequences
 *                         nothing until then); null when it asks for nothing
 */
public record EdgeProbe(String edgeId, boolean reachable, boolean ready, boolean draining, long connections,
                        long channels, long meshTableVersion, String error, String meshTableConfirm) {

    public EdgeProbe(String edgeId, boolean reachable, boolean ready, boolean draining, long connections,
                     long channels, long meshTableVersion, String error) {
        this(edgeId, reachable, ready, draining, connections, channels, meshTableVersion, error, null);
    }

    public static EdgeProbe failed(String edgeId, String error) {
        return new EdgeProbe(edgeId, false, false, false, 0, 0, -1, error);
    }

    /** Serving clients: reachable, ready and not draining. */
    public boolean serving() {
        return reachable && ready && !draining;
    }

    /**
     * Counts against the region for {@code down}: no answer, or an answer that is neither ready nor draining (a node
     * whose region member stopped). A draining node answered, so its region is reachable.
     */
    public boolean failing() {
        return !reachable || (!ready && !draining);
    }
}
