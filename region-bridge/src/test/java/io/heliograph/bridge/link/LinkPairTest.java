package io.heliograph.bridge.link;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A test of one link, us-east to eu-west, in this JVM ({@link LinkRegion#usEastToEuWest}); closes what it opened. */
abstract class LinkPairTest {

    @TempDir
    Path directory;

    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    /** us-east and eu-west, servers up, us-east's outbound log for eu-west created; index 0 is us-east. */
    LinkRegion[] regions(LinkTiming timing) {
        return LinkRegion.usEastToEuWest(directory, timing, closeAfter);
    }

    /** As {@link #regions(LinkTiming)}, eu-west storing through {@code euWestStore} on {@code euWestReceiverMs}. */
    LinkRegion[] regions(LinkTiming timing, java.util.function.UnaryOperator<io.heliograph.region.channel.ChannelLog>
            euWestStore, java.util.function.LongSupplier euWestReceiverMs) {
        return LinkRegion.usEastToEuWest(directory, timing, closeAfter, euWestStore, euWestReceiverMs);
    }

    /** Closed after the test, before what was opened before it. */
    <T extends AutoCloseable> T closeAfter(T closeable) {
        closeAfter.add(closeable);
        return closeable;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : closeAfter.reversed()) {
            closeable.close();
        }
    }
}
