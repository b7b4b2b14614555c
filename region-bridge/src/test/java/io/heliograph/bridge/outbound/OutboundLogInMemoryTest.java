package io.heliograph.bridge.outbound;

import java.util.function.LongSupplier;

/** The outbound-log contract on {@link InMemoryOutboundLog}. */
class OutboundLogInMemoryTest extends OutboundLogContract {

    @Override
    protected OutboundLog newLog(String peerRegion, OutboundLimits limits, LongSupplier nowMs) {
        return new InMemoryOutboundLog(peerRegion, limits, nowMs);
    }
}
