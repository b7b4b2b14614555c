package io.heliograph.bridge.link;

import io.heliograph.bridge.v1.BackfillPage;
import io.heliograph.bridge.v1.BackfillRequest;

/**
 * The Backfill call towards one peer region ({@code PeerChannel::backfill}, under its unary deadline). Throws
 * {@link io.grpc.StatusRuntimeException} when the call fails; the receiver then leaves the envelope unacknowledged.
 */
@FunctionalInterface
public interface PeerBackfill {

    BackfillPage backfill(BackfillRequest request);
}
