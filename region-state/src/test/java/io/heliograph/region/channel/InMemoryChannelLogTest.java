package io.heliograph.region.channel;

class InMemoryChannelLogTest extends ChannelLogContract {

    private final ChannelLog log = new InMemoryChannelLog(LIMITS, System::currentTimeMillis);

    @Override
    protected ChannelLog log() {
        return log;
    }
}
