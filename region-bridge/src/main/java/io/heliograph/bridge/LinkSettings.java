package io.heliograph.bridge;

import java.time.Duration;
import java.util.Objects;

/**
 * How a bridge's connections behave, the same on its server and on its channels so that the two ends agree: how soon
 * a silent peer is declared dead, how long a unary call may take, how large a frame may be.
 *
 * <p>Dead-peer detection is HTTP/2 PING keepalive, from both ends: a peer that does not answer a ping within
 * {@code keepAliveTimeout} has its connection closed and every call on it fails with UNAVAILABLE, so the link
 * reconnects. grpc-java does not ping more often than every 10 s (it raises any shorter time to 10 s), so the
 * earliest a frozen or vanished peer is noticed is 10 s + {@code keepAliveTimeout} (12 s by default) after it went
 * quiet; a shorter time is refused here rather than silently raised.
 *
 * @param keepAliveTime          quiet time before a keepalive ping; at least 10 s
 * @param keepAliveTimeout       how long a ping may go unanswered
 * @param permitKeepAliveTime    the server refuses (GOAWAY) a client that pings more often; at most keepAliveTime
 * @param unaryDeadline          deadline of every unary call (Backfill)
 * @param handshakeTimeout       a connection that has not finished TLS and HTTP/2 set-up by then is closed
 * @param maxInboundMessageBytes largest frame accepted
 * @param shutdownGrace          how long closing waits for calls to finish before cancelling them
 */
public record LinkSettings(Duration keepAliveTime, Duration keepAliveTimeout, Duration permitKeepAliveTime,
                           Duration unaryDeadline, Duration handshakeTimeout, int maxInboundMessageBytes,
                           Duration shutdownGrace) {

    /** grpc-java's floor for keepalive time, on clients and servers alike. */
    public static final Duration MIN_KEEP_ALIVE_TIME = Duration.ofSeconds(10);

    public LinkSettings {
        positive(keepAliveTime, "keep-alive-time");
        positive(keepAliveTimeout, "keep-alive-timeout");
        positive(permitKeepAliveTime, "permit-keep-alive-time");
        positive(unaryDeadline, "unary-deadline");
        positive(handshakeTimeout, "handshake-timeout");
        Objects.requireNonNull(shutdownGrace, "shutdown-grace");
        if (keepAliveTime.compareTo(MIN_KEEP_ALIVE_TIME) < 0) {
            throw new BridgeConfigException("keep-alive-time must be at least " + MIN_KEEP_ALIVE_TIME.toSeconds()
                    + " s (grpc-java raises anything shorter to 10 s), got " + keepAliveTime.toMillis() + " ms");
        }
        if (permitKeepAliveTime.compareTo(keepAliveTime) > 0) {
            throw new BridgeConfigException("permit-keep-alive-time (" + permitKeepAliveTime.toMillis()
                    + " ms) must not exceed keep-alive-time (" + keepAliveTime.toMillis()
                    + " ms), or servers would disconnect their peers for pinging too often");
        }
        if (maxInboundMessageBytes < 64 * 1024) {
            throw new BridgeConfigException("max-inbound-message-bytes must be at least 65536, got "
                    + maxInboundMessageBytes);
        }
    }

    /** 10 s / 2 s keepalive, servers permit pings every 5 s, 5 s unary deadline, 10 s handshake, 4 MiB frames. */
    public static LinkSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    private static void positive(Duration value, String key) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new BridgeConfigException(key + " must be a positive duration, got " + value);
        }
    }

    /** Builds {@link LinkSettings}, starting from the defaults. */
    public static final class Builder {
        private Duration keepAliveTime = MIN_KEEP_ALIVE_TIME;
        private Duration keepAliveTimeout = Duration.ofSeconds(2);
        private Duration permitKeepAliveTime = Duration.ofSeconds(5);
        private Duration unaryDeadline = Duration.ofSeconds(5);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private int maxInboundMessageBytes = 4 * 1024 * 1024;
        private Duration shutdownGrace = Duration.ofSeconds(5);

        private Builder() {
        }

        public Builder keepAliveTime(Duration value) {
            keepAliveTime = value;
            return this;
        }

        public Builder keepAliveTimeout(Duration value) {
            keepAliveTimeout = value;
            return this;
        }

        public Builder permitKeepAliveTime(Duration value) {
            permitKeepAliveTime = value;
            return this;
        }

        public Builder unaryDeadline(Duration value) {
            unaryDeadline = value;
            return this;
        }

        public Builder handshakeTimeout(Duration value) {
            handshakeTimeout = value;
            return this;
        }

        public Builder maxInboundMessageBytes(int value) {
            maxInboundMessageBytes = value;
            return this;
        }

        public Builder shutdownGrace(Duration value) {
            shutdownGrace = value;
            return this;
        }

        /** @throws BridgeConfigException naming the setting that is out of range */
        public LinkSettings build() {
            return new LinkSettings(keepAliveTime, keepAliveTimeout, permitKeepAliveTime, unaryDeadline,
                    handshakeTimeout, maxInboundMessageBytes, shutdownGrace);
        }
    }
}
