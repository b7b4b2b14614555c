package io.heliograph.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.heliograph.protocol.WireLimits;

/**
 * Configures a {@link HeliographClient}: where it connects, either {@link #entries(List) entry addresses} (edge HTTP
 * URLs, with an optional {@link #preferredRegion(String) preferred region}; the client negotiates its region and
 * moves to the next when it is gone) or fixed {@link #urls(List) WebSocket URLs} (gone round in turn), and a token
 * (or supplier). Obtained from {@link HeliographClient#builder()}.
 */
public final class HeliographClientBuilder {

    List<URI> urls = List.of();
    String token;
    Supplier<String> tokenSupplier;
    Duration backoffInitial = Duration.ofMillis(250);
    Duration backoffMax = Duration.ofSeconds(15);
    Duration requestTimeout = Duration.ofSeconds(10);
    Duration connectTimeout = Duration.ofSeconds(5);
    Duration publishDeadline = Duration.ofSeconds(60);
    long maxFrameBytes = WireLimits.DEFAULT_MAX_FRAME_BYTES;
    double edgeRatePerSecond = WireLimits.DEFAULT_RATE_PER_SECOND;
    int edgeRateBurst = WireLimits.DEFAULT_RATE_BURST;
    DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
    List<URI> entries = List.of();
    String preferredRegion;
    Duration negotiateTimeout = Duration.ofSeconds(2);
    Duration regionExclusion = Duration.ofSeconds(30);
    Duration preferredRegionCheck = Duration.ofSeconds(30);
    Duration silenceTimeout = Duration.ZERO;
    int roundTripProbes = 3;
    LongSupplier nowMs = () -> System.nanoTime() / 1_000_000;

    HeliographClientBuilder() {
    }

    /**
     * Fixed edge WebSocket URLs such as {@code ws://127.0.0.1:8580/v1/ws}, tried round-robin; the client never
     * negotiates. For a client that should follow its region's failover, give {@link #entries(List)} instead.
     */
    public HeliographClientBuilder urls(List<URI> urls) {
        this.urls = List.copyOf(urls);
        return this;
    }

    public HeliographClientBuilder url(URI url) {
        return urls(List.of(url));
    }

    /**
     * Entry addresses: edge HTTP URLs such as {@code http://127.0.0.1:8080}, any node of any region. The client asks
     * them in turn for its region ({@code GET /v1/negotiate?near=<preferred region>}, each within
     * {@link #negotiateTimeout}) and connects to the edges of the region answered; when that region is gone (every
     * one of its edges refused or dropped the client in a row, or one sent {@code redirect} without a url) it
     * negotiates again, leaving that region out for {@link #regionExclusion} unless it is the only one on offer, and
     * resumes every channel there. See docs/protocol.md, "Regions".
     */
    public HeliographClientBuilder entries(List<URI> entries) {
        this.entries = List.copyOf(entries);
        return this;
    }

    /**
     * The region to ask for ({@code near}); none: at start the client measures {@link #roundTripProbes} round trips
     * to each entry's {@code /health} and negotiates through the fastest entry first, and the region it answers
     * becomes the preferred one.
     */
    public HeliographClientBuilder preferredRegion(String region) {
        this.preferredRegion = region == null || region.isBlank() ? null : region;
        return this;
    }

    /** Bounds each negotiate and health request (connect and answer) to one entry; 2 s by default. */
    public HeliographClientBuilder negotiateTimeout(Duration negotiateTimeout) {
        this.negotiateTimeout = Objects.requireNonNull(negotiateTimeout, "negotiateTimeout");
        return this;
    }

    /**
     * The longest a connection may say nothing before the client takes it for dead and reconnects (in a region that
     * froze, or behind a path that black-holes packets, the socket itself never says so). By default zero: the edge's
     * announced heartbeat decides ({@code heartbeatMs}, 15 s by default: dead after 2.5 of them, about 37 s). A
     * shorter bound makes the client ping an idle edge every {@code silenceTimeout / 2.5}, so it costs a ping and its
     * answer that often per idle connection; 10 s fails a frozen region's clients over in about 10 s.
     */
    public HeliographClientBuilder silenceTimeout(Duration silenceTimeout) {
        Objects.requireNonNull(silenceTimeout, "silenceTimeout");
        if (silenceTimeout.isNegative() || (!silenceTimeout.isZero() && silenceTimeout.toMillis() < 100)) {
            throw new IllegalArgumentException("silenceTimeout must be zero (the edge's heartbeat decides) or at "
                    + "least 100 ms, got " + silenceTimeout);
        }
        this.silenceTimeout = silenceTimeout;
        return this;
    }

    /**
     * How often a client connected away from its preferred region (after a failover or a drain) asks whether that
     * region serves again, and moves back when it does, resuming every channel; 30 s by default, so the clients of a
     * restored region come back spread over that time. Zero: never by itself. A region that failed the client is not
     * asked about until its {@link #regionExclusion} ends.
     */
    public HeliographClientBuilder preferredRegionCheck(Duration interval) {
        this.preferredRegionCheck = Objects.requireNonNull(interval, "interval");
        if (interval.isNegative()) {
            throw new IllegalArgumentException("preferredRegionCheck must not be negative, got " + interval);
        }
        return this;
    }

    /** How long a region the client just lost is left out of negotiation; 30 s by default. */
    public HeliographClientBuilder regionExclusion(Duration regionExclusion) {
        this.regionExclusion = Objects.requireNonNull(regionExclusion, "regionExclusion");
        return this;
    }

    /** Round trips measured to each entry's {@code /health} when no region is preferred; 3 by default. */
    public HeliographClientBuilder roundTripProbes(int probes) {
        this.roundTripProbes = probes;
        return this;
    }

    /** A fixed token; ignored when a {@link #tokenSupplier(Supplier)} is set. */
    public HeliographClientBuilder token(String token) {
        this.token = token;
        return this;
    }

    /**
     * Asked for a token before every connection attempt. With a supplier, a token refused at the upgrade (401) or
     * expired during a connection (close 4001) is renewed once before the client gives up with FAILED.
     */
    public HeliographClientBuilder tokenSupplier(Supplier<String> tokenSupplier) {
        this.tokenSupplier = tokenSupplier;
        return this;
    }

    /** Reconnect delays: full jitter up to {@code initial * 2^attempt}, capped at {@code max}. */
    public HeliographClientBuilder backoff(Duration initial, Duration max) {
        this.backoffInitial = Objects.requireNonNull(initial, "initial");
        this.backoffMax = Objects.requireNonNull(max, "max");
        return this;
    }

    /**
     * How long reaching one node may take (TCP connect, WebSocket upgrade, the {@code connected} frame) before
     * the client moves on to the next URL. Default 5 s.
     */
    public HeliographClientBuilder connectTimeout(Duration connectTimeout) {
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        return this;
    }

    /**
     * How long a request waits for its reply once sent; 10 s by default. The application's history, presence,
     * detach and ping requests then fail (also when no connection came within it); the client's own re-attaches
     * and re-enters, and publishes, are sent again instead.
     */
    public HeliographClientBuilder requestTimeout(Duration requestTimeout) {
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        return this;
    }

    /**
     * The edge's hard frame limit ({@code limits.max-frame-bytes}, default 1 MiB): a request over it fails at once
     * with 413 instead of being sent, since the edge would close the connection (1009) for it.
     */
    public HeliographClientBuilder maxFrameBytes(long maxFrameBytes) {
        if (maxFrameBytes < 1024) {
            throw new IllegalArgumentException("maxFrameBytes must be at least 1024");
        }
        this.maxFrameBytes = maxFrameBytes;
        return this;
    }

    /**
     * How long a publish is kept and re-sent until acked, unless the message names its own deadline; 60 s by
     * default, below the edge's 2-minute dedup window, so a re-send can never be stored as a second message.
     */
    public HeliographClientBuilder publishDeadline(Duration publishDeadline) {
        this.publishDeadline = Objects.requireNonNull(publishDeadline, "publishDeadline");
        return this;
    }

    /**
     * The edge's per-connection rate limit, 100 frames/s with a burst of 200 by default (the edge's
     * {@code limits} defaults). The client paces every frame it sends below it: 90 % of the rate, bursts of half
     * the burst, so a restore of 1,000 channels is never refused. Set it to what the deployment's edges enforce.
     */
    public HeliographClientBuilder rateLimit(double framesPerSecond, int burst) {
        this.edgeRatePerSecond = framesPerSecond;
        this.edgeRateBurst = burst;
        return this;
    }

    /** The clock of region exclusions, monotonic milliseconds; for tests. */
    HeliographClientBuilder clock(LongSupplier nowMs) {
        this.nowMs = Objects.requireNonNull(nowMs, "nowMs");
        return this;
    }

    /** The jitter source, uniform in [0, 1); for tests. */
    HeliographClientBuilder random(DoubleSupplier random) {
        this.random = Objects.requireNonNull(random, "random");
        return this;
    }

    /** @throws IllegalArgumentException naming the setting that is missing or invalid */
    public HeliographClient build() {
        if (urls.isEmpty() == entries.isEmpty()) {
            throw new IllegalArgumentException(urls.isEmpty()
                    ? "urls or entries: at least one edge WebSocket URL, or entry address, is required"
                    : "urls and entries: give fixed WebSocket URLs or entry addresses, not both");
        }
        for (URI entry : entries) {
            String scheme = entry.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
                throw new IllegalArgumentException("entries: scheme must be http or https, got " + entry);
            }
        }
        if (preferredRegion != null && entries.isEmpty()) {
            throw new IllegalArgumentException("preferredRegion: only a client given entries negotiates a region");
        }
        if (preferredRegion != null && !preferredRegion.matches("[a-z0-9-]{1,64}")) {
            throw new IllegalArgumentException("preferredRegion: '" + preferredRegion + "' is not a region name");
        }
        if (negotiateTimeout.isNegative() || negotiateTimeout.isZero()) {
            throw new IllegalArgumentException("negotiateTimeout must be positive, got " + negotiateTimeout);
        }
        if (regionExclusion.isNegative()) {
            throw new IllegalArgumentException("regionExclusion must not be negative, got " + regionExclusion);
        }
        if (roundTripProbes < 1 || roundTripProbes > 10) {
            throw new IllegalArgumentException("roundTripProbes must be 1 to 10, got " + roundTripProbes);
        }
        for (URI url : urls) {
            String scheme = url.getScheme();
            if (!"ws".equalsIgnoreCase(scheme) && !"wss".equalsIgnoreCase(scheme)) {
                throw new IllegalArgumentException("urls: scheme must be ws or wss, got " + url);
            }
        }
        if (tokenSupplier == null && (token == null || token.isBlank())) {
            throw new IllegalArgumentException("token: a token or a tokenSupplier is required");
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive, got " + connectTimeout);
        }
        if (publishDeadline.isNegative() || publishDeadline.isZero()) {
            throw new IllegalArgumentException("publishDeadline must be positive, got " + publishDeadline);
        }
        if (!(edgeRatePerSecond > 0) || edgeRateBurst < 1) {
            throw new IllegalArgumentException("rateLimit: frames per second must be positive and burst at least 1,"
                    + " got " + edgeRatePerSecond + ", " + edgeRateBurst);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive, got " + requestTimeout);
        }
        if (backoffInitial.isNegative() || backoffInitial.isZero() || backoffMax.compareTo(backoffInitial) < 0) {
            throw new IllegalArgumentException("backoff: initial must be positive and max at least initial, got "
                    + backoffInitial + ", " + backoffMax);
        }
        return new HeliographClient(this);
    }
}
