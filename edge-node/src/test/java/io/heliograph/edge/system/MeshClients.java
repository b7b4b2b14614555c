package io.heliograph.edge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;

import io.heliograph.client.HeliographClient;
import io.heliograph.client.OutgoingMessage;
import io.heliograph.client.PublishAck;
import io.heliograph.launcher.ControlPlaneProcess;
import io.heliograph.launcher.EdgeProcess;
import io.heliograph.launcher.LocalMesh;
import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Durability;
import io.heliograph.protocol.auth.Tokens;

/**
 * Region-aware Java clients against a real mesh, as an application would run them: every client is given every edge's
 * HTTP address as an entry and its own region as preferred, negotiates, and fails over by itself. Subscribers record
 * what the application is handed; publishers publish with global durability at a steady pace and record every ack.
 * The checks are the issue's: every acked message delivered to every subscriber once, in one order the same for all.
 */
final class MeshClients implements AutoCloseable {

    /** What one subscriber's application was handed, per channel, in order: "serial msgId". */
    static final class Subscriber {
        final String name;
        final String region;
        final HeliographClient client;
        final Map<String, List<String>> delivered = new ConcurrentHashMap<>();

        Subscriber(String name, String region, HeliographClient client) {
            this.name = name;
            this.region = region;
            this.client = client;
        }

        void record(ChannelMessage message) {
            delivered.computeIfAbsent(message.channel(), c -> new CopyOnWriteArrayList<>())
                    .add(message.serial() + " " + message.msgId());
        }

        Set<String> msgIds() {
            Set<String> ids = new HashSet<>();
            delivered.values().forEach(list -> list.forEach(entry -> ids.add(entry.substring(entry.indexOf(' ') + 1))));
            return ids;
        }

        @Override
        public String toString() {
            return name + " (" + region + ", now " + client.region() + ", " + client.state() + ")";
        }
    }

    private final LocalMesh mesh;
    private final String secret;
    private final List<String> channels;
    private final List<HeliographClient> all = new CopyOnWriteArrayList<>();
    final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    /** msgId to the serial its ack gave. */
    final Map<String, String> acked = new ConcurrentHashMap<>();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<?>> publishing = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private Duration preferredRegionCheck = Duration.ofSeconds(30);
    private Duration regionExclusion = Duration.ofSeconds(30);
    private Duration silenceTimeout = Duration.ZERO;

    MeshClients(LocalMesh mesh, String secret, List<String> channels) {
        this.mesh = mesh;
        this.secret = secret;
        this.channels = List.copyOf(channels);
    }

    /** How often clients away from their region check it, and how long a region that failed them is left out. */
    MeshClients returning(Duration check, Duration exclusion) {
        this.preferredRegionCheck = check;
        this.regionExclusion = exclusion;
        return this;
    }

    /** The clients' bound on a connection's silence (the SDK's {@code silenceTimeout}). */
    MeshClients silence(Duration timeout) {
        this.silenceTimeout = timeout;
        return this;
    }

    /** A client of {@code region} that knows every edge as an entry, connected. */
    HeliographClient client(String clientId, String region) {
        List<URI> entries = mesh.nodes().stream().map(EdgeProcess::httpUrl).toList();
        HeliographClient client = HeliographClient.builder().entries(entries).preferredRegion(region)
                .token(new Tokens(secret).mintAll(clientId, Duration.ofMinutes(30)))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .negotiateTimeout(Duration.ofSeconds(2))
                .requestTimeout(Duration.ofSeconds(10))
                .publishDeadline(Duration.ofSeconds(90))
                .preferredRegionCheck(preferredRegionCheck)
                .regionExclusion(regionExclusion)
                .silenceTimeout(silenceTimeout)
                .build();
        all.add(client);
        client.onError(failures::add);
        client.connect().orTimeout(30, TimeUnit.SECONDS).join();
        assertEquals(region, client.region(), clientId + " negotiated its own region");
        return client;
    }

    /** {@code perRegion} subscribers in every region, each attached to every channel. */
    void subscribe(List<String> regions, int perRegion) {
        for (String region : regions) {
            for (int i = 1; i <= perRegion; i++) {
                String name = "sub-" + region + "-" + i;
                Subscriber subscriber = new Subscriber(name, region, client(name, region));
                subscriber.client.onMessage(subscriber::record);
                subscriber.client.onContinuityLost(channel -> failures.add(
                        new AssertionError(name + " lost continuity on " + channel)));
                for (String channel : channels) {
                    subscriber.client.attach(channel).orTimeout(30, TimeUnit.SECONDS).join();
                }
                subscribers.add(subscriber);
            }
        }
    }

    /**
     * One publisher client per region, publishing on every channel from a thread per channel, one message every
     * {@code pause}, each awaited for its ack (the client re-sends it through failovers), until {@link #stopPublishing}.
     */
    final Map<String, HeliographClient> publishers = new ConcurrentHashMap<>();

    List<HeliographClient> publish(List<String> regions, Duration pause) {
        List<HeliographClient> publishers = new ArrayList<>();
        for (String region : regions) {
            HeliographClient publisher = client("pub-" + region, region);
            publishers.add(publisher);
            this.publishers.put(region, publisher);
            for (String channel : channels) {
                publishing.add(CompletableFuture.runAsync(() -> {
                    for (int n = 1; !stop.get() && n <= 10_000; n++) {
                        String msgId = region + "/" + channel + "/" + n;
                        try {
                            PublishAck ack = publisher.publish(OutgoingMessage.of(channel, Map.of("n", n))
                                            .withMsgId(msgId).withDurability(Durability.GLOBAL))
                                    .ack().get(120, TimeUnit.SECONDS);
                            acked.put(msgId, ack.serial().toString());
                            Thread.sleep(pause.toMillis()); // a steady rate, not a wait for a condition
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        } catch (Exception e) {
                            failures.add(new AssertionError("publish " + msgId + " failed", e));
                            return;
                        }
                    }
                }, command -> Thread.ofVirtual().name("publish-" + region + "-" + channel).start(command)));
            }
        }
        return publishers;
    }

    /** Stops the publishers and waits for every publish under way to be acked. */
    void stopPublishing() throws Exception {
        stop.set(true);
        CompletableFuture.allOf(publishing.toArray(CompletableFuture[]::new)).get(150, TimeUnit.SECONDS);
    }

    /** Whether {@code subscriber} has been handed every message in {@code msgIds}. */
    static boolean holdsAll(Subscriber subscriber, Set<String> msgIds) {
        return subscriber.msgIds().containsAll(msgIds);
    }

    /**
     * Every subscriber was handed every acked message once, nothing that was not published, at increasing serials,
     * each channel in one order the same for every subscriber, and each message at the serial its ack gave.
     */
    void assertEveryAckedMessageOnceInOneOrder() {
        assertTrue(failures.isEmpty(), "nothing surfaced to the application: " + failures);
        Map<String, List<String>> reference = null;
        for (Subscriber subscriber : subscribers) {
            Map<String, List<String>> order = new LinkedHashMap<>();
            for (String channel : channels) {
                List<String> list = List.copyOf(subscriber.delivered.getOrDefault(channel, List.of()));
                Set<String> seen = new HashSet<>();
                for (String entry : list) {
                    assertTrue(seen.add(entry), subscriber + " was handed " + entry + " twice");
                    String msgId = entry.substring(entry.indexOf(' ') + 1);
                    String serial = entry.substring(0, entry.indexOf(' '));
                    assertEquals(acked.get(msgId), serial, subscriber + ": " + msgId + " at the serial its ack gave");
                }
                order.put(channel, list);
            }
            assertEquals(acked.keySet(), subscriber.msgIds(), subscriber + ": every acked message, nothing else");
            if (reference == null) {
                reference = order;
            } else {
                assertEquals(reference, order, subscriber + ": the same order as " + subscribers.get(0));
            }
        }
    }

    /** The control plane's {@code GET /v1/regions} entry of {@code region}. */
    static JsonNode regionEntry(ControlPlaneProcess controlPlane, String region) {
        JsonNode regions = get(controlPlane.httpUrl().resolve("/v1/regions"));
        for (JsonNode entry : regions.path("regions")) {
            if (entry.path("name").asText().equals(region)) {
                return entry;
            }
        }
        throw new AssertionError("no region " + region + " in " + regions);
    }

    static JsonNode get(URI uri) {
        try {
            HttpResponse<String> response = MeshFixture.HTTP.send(HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), uri + ": " + response.body());
            return MeshFixture.JSON.readTree(response.body());
        } catch (java.io.IOException e) {
            throw new AssertionError(uri + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        stop.set(true);
        all.forEach(HeliographClient::close);
    }
}
