package io.heliograph.bench;

/**
 * The idle-connection figures, measured on freshly started nodes before any fan-out (a heap already grown by the
 * fan-out steps would hide most of a connection's cost): resident memory per connection, how fast a storm of
 * connections gets in (the token is checked on every one), and the CPU the nodes spend while they sit idle,
 * heartbeats included.
 *
 * @param openMillis      time to open every connection, from the first handshake to the last {@code connected}
 * @param idleCpuPercent  CPU of both nodes, in percent of the whole machine, over {@code idleWindowSeconds} that
 *                        began {@code idleSettleSeconds} after the last connection was in
 */
record IdleResult(int requested, int opened, long rssBeforeKib, long rssAfterKib, long openMillis,
                  double idleCpuPercent, int idleSettleSeconds, int idleWindowSeconds, long openFilesLimit,
                  String note) {

    static IdleResult skipped(int requested, long openFilesLimit, String note) {
        return new IdleResult(requested, 0, 0, 0, 0, Double.NaN, 0, 0, openFilesLimit, note);
    }

    double kibPerConnection() {
        return opened == 0 ? Double.NaN : (double) (rssAfterKib - rssBeforeKib) / opened;
    }

    double connectionsPerSecond() {
        return opened == 0 || openMillis == 0 ? Double.NaN : opened * 1000.0 / openMillis;
    }
}
