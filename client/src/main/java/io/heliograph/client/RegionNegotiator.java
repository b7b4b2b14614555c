package io.heliograph.client;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;

import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.Json;

/**
 * Chooses the client's region through the edges' {@code GET /v1/negotiate?near=<region>} (docs/control-plane.md):
 * it asks the entry addresses in turn, each within a short timeout, and takes the first answer that names a region
 * not in {@link RegionExclusions}; when every answer names an excluded region, that region is still the only one on
 * offer, and it is taken. An entry whose answer is excluded is asked once more without {@code near}: it then answers
 * its own region (or where its mesh table sends its own region's clients), which is the next region the client can
 * reach through it.
 *
 * <p>With no preferred region, the first negotiation measures round trips first: {@link #rttProbes} sequential
 * {@code GET /health} per entry (every entry at once, each probe within the timeout; any HTTP answer counts, since a
 * draining edge still tells the distance), keeps each entry's fastest, and asks the entries from the fastest on,
 * without {@code near}. The region the fastest answering entry names becomes the preferred region from then on, so
 * that later negotiations (after a failover) ask for it by name. Entries that never answered go last, in the order
 * given.
 *
 * <p>Blocking; thread-safe. The client runs it on a virtual thread, off its lock.
 */
final class RegionNegotiator {

    private static final System.Logger LOG = System.getLogger(RegionNegotiator.class.getName());

    /** Where negotiation sends the client. */
    record Answer(String region, String reason, List<URI> edges, long tableVersion, URI entry) {
    }

    private final List<URI> entries;
    private final HttpClient http;
    private final Duration timeout;
    private final int rttProbes;
    private final RegionExclusions exclusions;
    /** The application's region, or the one the round trips chose; null until then. */
    private volatile String preferredRegion;
    /** What the answers said of the entries: an entry's base URL to the region whose edge it is. */
    private final java.util.Map<String, String> entryRegions = new java.util.concurrent.ConcurrentHashMap<>();
    /** The entries in the order they are asked: as given, or by round trip once measured. */
    private volatile List<URI> order;

    /**
     * @param preferredRegion null: choose by round trip at the first negotiation
     * @param timeout         bounds each HTTP request (connect and answer)
     */
    RegionNegotiator(List<URI> entries, String preferredRegion, HttpClient http, Duration timeout, int rttProbes,
                     RegionExclusions exclusions) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("at least one entry address is required");
        }
        this.entries = List.copyOf(entries);
        this.order = this.entries;
        this.preferredRegion = preferredRegion;
        this.http = http;
        this.timeout = timeout;
        this.rttProbes = rttProbes;
        this.exclusions = exclusions;
    }

    /** The region asked for by name: the application's, or the one chosen by round trip (null before that). */
    String preferredRegion() {
        return preferredRegion;
    }

    /** The entries in the order negotiation asks them. */
    List<URI> entryOrder() {
        return order;
    }

    /**
     * Whether the preferred region serves again, for a client connected elsewhere: the first entry that answers
     * {@code negotiate?near=<preferred>} decides (every edge answers from the same mesh table). Its answer when it names
     * the preferred region and that region is not excluded (it failed this client lately); else null. Never throws.
     */
    Answer preferredServing() {
        String near = preferredRegion;
        if (near == null || exclusions.excludes(near)) {
            return null;
        }
        for (URI entry : order) {
            try {
                Answer answer = ask(entry, near);
                return near.equals(answer.region()) && !answer.edges().isEmpty() ? answer : null;
            } catch (HeliographException e) {
                LOG.log(System.Logger.Level.DEBUG, "{0} did not answer whether {1} serves: {2}", entry, near,
                        e.getMessage());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "{0}: {1}", entry, e.toString());
            }
        }
        return null;
    }

    /**
     * Asks the entries in turn for a region and its edges.
     *
     * @throws HeliographException {@link ErrorCode#UNAVAILABLE} when no entry answered with a usable region
     */
    Answer negotiate() {
        boolean choosing = preferredRegion == null;
        if (choosing && order == entries && entries.size() > 1) {
            order = rankByRoundTrip();
        }
        String near = preferredRegion;
        Answer fallback = null;
        List<String> failures = new ArrayList<>();
        for (URI entry : askingOrder()) {
            Answer answer;
            try {
                answer = ask(entry, near);
            } catch (HeliographException e) {
                if (near != null && e.code() == ErrorCode.BAD_REQUEST) {
                    // The entry's mesh table does not know the region asked for: its own answer still serves.
                    LOG.log(System.Logger.Level.DEBUG, "{0} refused near={1}: {2}", entry, near, e.getMessage());
                    answer = askQuietly(entry, null, failures);
                    if (answer == null) {
                        continue;
                    }
                } else {
                    failures.add(entry + ": " + e.getMessage());
                    continue;
                }
            }
            if (!exclusions.excludes(answer.region())) {
                return chosen(answer, choosing);
            }
            if (fallback == null) {
                fallback = answer;
            }
            if (near != null) {
                Answer own = askQuietly(entry, null, failures);
                if (own != null && !exclusions.excludes(own.region())) {
                    return chosen(own, choosing);
                }
            }
        }
        if (fallback != null) {
            // Every answer named a region just lost: it is the only one on offer, so it is tried again.
            LOG.log(System.Logger.Level.DEBUG, "negotiate: only {0} is on offer, excluded or not", fallback.region());
            return chosen(fallback, choosing);
        }
        throw new HeliographException(ErrorCode.UNAVAILABLE, "no entry address answered negotiate: "
                + String.join("; ", failures));
    }

    private Answer chosen(Answer answer, boolean choosing) {
        if (choosing && preferredRegion == null) {
            preferredRegion = answer.region();
        }
        return answer;
    }

    private Answer askQuietly(URI entry, String near, List<String> failures) {
        try {
            return ask(entry, near);
        } catch (HeliographException e) {
            failures.add(entry + ": " + e.getMessage());
            return null;
        }
    }

    /**
     * The entries in {@link #order}, those known to be edges of a region left out last: a frozen region's edge
     * answers nothing until the timeout, and asking it first would cost every negotiation of a failover that long.
     * An entry's region is learnt from the edges that answers list ({@code http}), so it is known once any answer
     * named its region.
     */
    List<URI> askingOrder() {
        List<URI> first = new ArrayList<>();
        List<URI> last = new ArrayList<>();
        for (URI entry : order) {
            String region = entryRegions.get(base(entry));
            (region != null && exclusions.excludes(region) ? last : first).add(entry);
        }
        first.addAll(last);
        return first;
    }

    /** One {@code GET /v1/negotiate}; an error answer or no answer in time is a {@link HeliographException}. */
    Answer ask(URI entry, String near) {
        String query = near == null ? "" : "?near=" + URLEncoder.encode(near, StandardCharsets.UTF_8);
        URI uri = URI.create(base(entry) + "/v1/negotiate" + query);
        HttpResponse<String> response = get(uri);
        JsonNode body;
        try {
            body = Json.parse(response.body());
        } catch (RuntimeException e) {
            throw new HeliographException(ErrorCode.INTERNAL, "unreadable negotiate answer from " + uri);
        }
        if (response.statusCode() != 200) {
            throw new HeliographException(WireErrors.code(response.statusCode()), "negotiate answered "
                    + response.statusCode() + ": " + body.path("message").asText(""));
        }
        String region = body.path("region").asText(null);
        List<URI> edges = new ArrayList<>();
        for (JsonNode edge : body.path("edges")) {
            String http = edge.path("http").asText(null);
            if (region != null && http != null && !http.isBlank()) {
                // Compared as text with the entries' bases: a malformed address simply matches no entry.
                entryRegions.put(base(http), region);
            }
            String ws = edge.path("ws").asText(null);
            if (ws == null || ws.isBlank()) {
                continue;
            }
            try {
                edges.add(URI.create(ws));
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.DEBUG, "negotiate from {0}: skipping edge URL {1}", entry, ws);
            }
        }
        if (region == null || edges.isEmpty()) {
            throw new HeliographException(ErrorCode.UNAVAILABLE, "negotiate from " + entry + " named no region or no "
                    + "edge with a ws URL");
        }
        return new Answer(region, body.path("reason").asText(null), List.copyOf(edges),
                body.path("tableVersion").asLong(0), entry);
    }

    /** The entries from the fastest {@code /health} round trip on; those that never answered last. */
    List<URI> rankByRoundTrip() {
        record Measured(URI entry, int index, long bestNs) {
        }
        List<Measured> measured = new ArrayList<>();
        try (ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<Long>> rtts = new ArrayList<>();
            for (URI entry : entries) {
                rtts.add(CompletableFuture.supplyAsync(() -> fastestRoundTripNs(entry), probes));
            }
            for (int i = 0; i < entries.size(); i++) {
                measured.add(new Measured(entries.get(i), i, rtts.get(i).join()));
            }
        }
        measured.sort(Comparator.comparingLong(Measured::bestNs).thenComparingInt(Measured::index));
        LOG.log(System.Logger.Level.DEBUG, "entries by round trip: {0}", measured);
        return measured.stream().map(Measured::entry).toList();
    }

    /** The fastest of {@link #rttProbes} round trips to the entry's {@code /health}; Long.MAX_VALUE if none came. */
    private long fastestRoundTripNs(URI entry) {
        URI health = URI.create(base(entry) + "/health");
        long best = Long.MAX_VALUE;
        for (int i = 0; i < rttProbes; i++) {
            long startNs = System.nanoTime();
            try {
                get(health);
            } catch (HeliographException e) {
                // An entry that does not answer one probe within the timeout is not worth more of them.
                break;
            }
            best = Math.min(best, System.nanoTime() - startNs);
        }
        return best;
    }

    private HttpResponse<String> get(URI uri) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new HeliographException(ErrorCode.UNAVAILABLE, "no answer from " + uri + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HeliographException(ErrorCode.UNAVAILABLE, "interrupted asking " + uri);
        }
    }

    private static String base(URI entry) {
        return base(entry.toString());
    }

    private static String base(String address) {
        return address.endsWith("/") ? address.substring(0, address.length() - 1) : address;
    }
}
