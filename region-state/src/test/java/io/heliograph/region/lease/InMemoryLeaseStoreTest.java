package io.heliograph.region.lease;

import java.util.function.LongSupplier;

class InMemoryLeaseStoreTest extends LeaseStoreContract {

    private final InMemoryLeaseStore records = new InMemoryLeaseStore(System::currentTimeMillis);

    @Override
    protected LeaseStore store(LongSupplier wallMs) {
        return records.withClock(wallMs);
    }
}
