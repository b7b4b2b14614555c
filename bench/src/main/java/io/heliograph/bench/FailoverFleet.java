package io.heliograph.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.heliograph.client.ConnectionState;
import io.heliograph.client.HeliographClient;
import io.heliograph.client.OutgoingMessage;
import io.heliograph.client.PublishAck;
import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Durability;
import io.heliograph.protocol.auth.Tokens;

/**
 * The failover bench's clients: real Java SDK clients, each given every edge as an entry and its own region as
 * preferred, each attached to one channel; publishers (one SDK client per region, one thread per channel, each
 * publish awaited) with global durability. Records what every subscriber's application was handed, and when each
 * client of the killed region was connected again elsewhere and had caught up.
 */
final class FailoverFleet implements AutoCloseable {

    /** One subscriber and what it saw. */
    static final class Subscriber {
        final String region;
        final String channel;
        final HeliographClient client;
        final List<String> delivered = new CopyOnWriteArrayList<>();
        /** nanoTime of its first state other than CONNECTED after the kill (it noticed the loss); 0 before. */
        volatile long lostNs;
        /** nanoTime of its first CONNECTED state in another region after the kill; 0 before. */
        volatile long reconnectedNs;
        /** nanoTime when it had been handed every message of its channel acked before the kill; 0 before. */
        volatile long caughtUpNs;

        Subscriber(String region, String channel, HeliographClient client) {
            this.region = region;
            this.channel = channel;
            this.client = client;
        }

        Set<String> msgIds() {
            Set<String> ids = new HashSet<>();
            for (String entry : delivered) {
                ids.add(entry.substring(entry.indexOf(' ') + 1));
            }
            return ids;
        }
    }

    private final List<URI> entries;
    private final Tokens tokens;
    final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final List<HeliographClient> all = new CopyOnWriteArrayList<>();
    /** msgId to serial, per channel. */
    final Map<String, Map<String, String>> acked = new ConcurrentHashMap<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<?>> publishing = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong publishFailures = new AtomicLong();
    private volatile String killedRegion;

    private final Duration silenceTimeout;

    FailoverFleet(List<URI> entries, String secret, Duration silenceTimeout) {
        this.entries = List.copyOf(entries);
        this.tokens = new Tokens(secret);
        this.silenceTimeout = silenceTimeout;
    }

    private HeliographClient client(String clientId, String region) {
        HeliographClient client = HeliographClient.builder().entries(entries).preferredRegion(region)
                .token(tokens.mintAll(clientId, Duration.ofHours(2)))
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                .negotiateTimeout(Duration.ofSeconds(2))
                .requestTimeout(Duration.ofSeconds(10))
                .publishDeadline(Duration.ofSeconds(90))
                .preferredRegionCheck(Duration.ZERO)
                .silenceTimeout(silenceTimeout)
                .build();
        all.add(client);
        client.onError(errors::add);
        return client;
    }

    /**
     * {@code count} subscribers: client i in region i mod R, on channel (i / R) mod C, so that every region has
     * clients on every channel; connected {@code parallel} at a time. Answers how long it took.
     */
    double subscribe(List<String> regions, List<String> channels, int count, int parallel) throws Exception {
        long startNs = System.nanoTime();
        Semaphore slots = new Semaphore(parallel);
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String region = regions.get(i % regions.size());
            String channel = channels.get((i / regions.size()) % channels.size());
            Subscriber subscriber = new Subscriber(region, channel, client("sub-" + i, region));
            subscriber.client.onMessage(m -> record(subscriber, m));
            subscriber.client.onStateChange(state -> {
                String killed = killedRegion;
                if (state != ConnectionState.CONNECTED && killed != null && subscriber.lostNs == 0) {
                    subscriber.lostNs = System.nanoTime();
                }
                if (state == ConnectionState.CONNECTED && killed != null && subscriber.reconnectedNs == 0
                        && !killed.equals(subscriber.client.region())) {
                    subscriber.reconnectedNs = System.nanoTime();
                }
            });
            subscribers.add(subscriber);
            slots.acquire();
            pending.add(subscriber.client.connect()
                    .thenCompose(v -> subscriber.client.attach(channel))
                    .orTimeout(60, TimeUnit.SECONDS)
                    .whenComplete((r, e) -> slots.release()));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
        return (System.nanoTime() - startNs) / 1e9;
    }

    private void record(Subscriber subscriber, ChannelMessage message) {
        subscriber.delivered.add(message.serial() + " " + message.msgId());
    }

    /** One publisher per region, a thread per channel, {@code perThreadRate} msg/s each, every publish awaited. */
    void publish(List<String> regions, List<String> channels, double perThreadRate) {
        long pauseMs = Math.max(1, Math.round(1000 / perThreadRate));
        for (String region : regions) {
            HeliographClient publisher = client("pub-" + region, region);
            publisher.connect().orTimeout(60, TimeUnit.SECONDS).join();
            for (String channel : channels) {
                Map<String, String> ackedHere = acked.computeIfAbsent(channel, c -> new ConcurrentHashMap<>());
                publishing.add(CompletableFuture.runAsync(() -> {
                    for (int n = 1; !stop.get() && n <= 1_000_000; n++) {
                        String msgId = region + "/" + channel + "/" + n;
                        try {
                            PublishAck ack = publisher.publish(OutgoingMessage.of(channel, Map.of("n", n))
                                            .withMsgId(msgId).withDurability(Durability.GLOBAL))
                                    .ack().get(120, TimeUnit.SECONDS);
                            ackedHere.put(msgId, ack.serial().toString());
                            Thread.sleep(pauseMs); // the publishing rate, not a wait for a condition
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        } catch (Exception e) {
                            publishFailures.incrementAndGet();
                            errors.add(e);
                        }
                    }
                }, command -> Thread.ofVirtual().name("bench-publish-" + region + "-" + channel).start(command)));
            }
        }
    }

    /** The kill is about to happen: from now on a CONNECTED state elsewhere counts as the client's reconnection. */
    void killing(String region) {
        killedRegion = region;
    }

    void stopPublishing() throws Exception {
        stop.set(true);
        CompletableFuture.allOf(publishing.toArray(CompletableFuture[]::new)).get(150, TimeUnit.SECONDS);
    }

    /** Marks each subscriber of {@code region} that now holds every message in {@code before} (per channel). */
    void markCaughtUp(String region, Map<String, Set<String>> before) {
        long now = System.nanoTime();
        for (Subscriber s : subscribers) {
            if (s.region.equals(region) && s.caughtUpNs == 0 && s.reconnectedNs != 0
                    && s.msgIds().containsAll(before.getOrDefault(s.channel, Set.of()))) {
                s.caughtUpNs = now;
            }
        }
    }

    /** Every message acked so far, per channel. */
    Map<String, Set<String>> ackedIds() {
        Map<String, Set<String>> ids = new ConcurrentHashMap<>();
        acked.forEach((channel, map) -> ids.put(channel, Set.copyOf(map.keySet())));
        return ids;
    }

    boolean allHold(Map<String, Set<String>> ids) {
        return subscribers.stream().allMatch(s -> s.msgIds().containsAll(ids.getOrDefault(s.channel, Set.of())));
    }

    /** Acked messages some subscriber of their channel was never handed. */
    long lost() {
        Map<String, Set<String>> ids = ackedIds();
        long lost = 0;
        for (Subscriber s : subscribers) {
            Set<String> missing = new HashSet<>(ids.getOrDefault(s.channel, Set.of()));
            missing.removeAll(s.msgIds());
            lost += missing.size();
        }
        return lost;
    }

    /** Deliveries to the application beyond the first of each message. */
    long duplicates() {
        long duplicates = 0;
        for (Subscriber s : subscribers) {
            duplicates += s.delivered.size() - new HashSet<>(s.delivered).size();
            duplicates += new HashSet<>(s.delivered).size() - s.msgIds().size();
        }
        return duplicates;
    }

    /** Subscribers whose channel order differs from the first subscriber's of the same channel. */
    long orderMismatches() {
        Map<String, List<String>> reference = new ConcurrentHashMap<>();
        long mismatches = 0;
        for (Subscriber s : subscribers) {
            List<String> order = List.copyOf(s.delivered);
            List<String> first = reference.putIfAbsent(s.channel, order);
            if (first != null && !first.equals(order)) {
                mismatches++;
            }
        }
        return mismatches;
    }

    long continuityLosses() {
        return subscribers.stream().mapToLong(s -> s.client.continuityLosses()).sum();
    }

    @Override
    public void close() {
        stop.set(true);
        all.parallelStream().forEach(HeliographClient::close);
    }
}
