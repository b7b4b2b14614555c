package io.heliograph.client;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.heliograph.protocol.ChannelMessage;

/**
 * Who the application asked to be told about what, and telling them: every event is queued on the client's one
 * {@link ListenerDispatcher} thread, so listeners see events in the order the client accepted them and never run on
 * the WebSocket's thread. A listener that throws is reported to the error listeners; the others still run.
 *
 * <p>Registration is thread-safe; the {@code tell} methods may be called under the client's lock (they only queue).
 */
final class ApplicationListeners {

    private static final System.Logger LOG = System.getLogger(HeliographClient.class.getName());

    private final ListenerDispatcher dispatcher;
    private final AtomicLong messagesDelivered;
    private final CopyOnWriteArrayList<Consumer<ChannelMessage>> messageListeners = new CopyOnWriteArrayList<>();
    private final Map<String, CopyOnWriteArrayList<Consumer<ChannelMessage>>> channelMessageListeners =
            new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Consumer<PresenceEvent>> presenceListeners = new CopyOnWriteArrayList<>();
    private final Map<String, CopyOnWriteArrayList<Consumer<PresenceEvent>>> channelPresenceListeners =
            new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Consumer<ConnectionState>> stateListeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Consumer<String>> continuityListeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Consumer<ChannelDropped>> channelDroppedListeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Consumer<Throwable>> errorListeners = new CopyOnWriteArrayList<>();

    /**
     * @param onCaughtUp        called on the dispatcher thread when its backlog is low again (resumes reading)
     * @param messagesDelivered counts messages handed to the message listeners
     */
    ApplicationListeners(String threadName, Runnable onCaughtUp, AtomicLong messagesDelivered) {
        this.dispatcher = new ListenerDispatcher(threadName, onCaughtUp, this::listenerFailed);
        this.messagesDelivered = messagesDelivered;
    }

    // ------------------------------------------------------------------------------------------------ registering

    Registration onMessage(Consumer<ChannelMessage> listener) {
        return register(messageListeners, listener);
    }

    Registration onMessage(String channel, Consumer<ChannelMessage> listener) {
        return register(channelMessageListeners.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()), listener);
    }

    Registration onPresence(Consumer<PresenceEvent> listener) {
        return register(presenceListeners, listener);
    }

    Registration onPresence(String channel, Consumer<PresenceEvent> listener) {
        return register(channelPresenceListeners.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()),
                listener);
    }

    Registration onStateChange(Consumer<ConnectionState> listener) {
        return register(stateListeners, listener);
    }

    Registration onContinuityLost(Consumer<String> listener) {
        return register(continuityListeners, listener);
    }

    Registration onChannelDropped(Consumer<ChannelDropped> listener) {
        return register(channelDroppedListeners, listener);
    }

    Registration onError(Consumer<Throwable> listener) {
        return register(errorListeners, listener);
    }

    private static <T> Registration register(CopyOnWriteArrayList<T> list, T listener) {
        Objects.requireNonNull(listener, "listener");
        list.add(listener);
        return () -> list.remove(listener);
    }

    // ------------------------------------------------------------------------------------------------ telling

    /** The caller queues messages in the order its cursor accepted them (under its lock). */
    void message(ChannelMessage message) {
        dispatcher.dispatch(() -> {
            messagesDelivered.incrementAndGet();
            tellAll(channelMessageListeners.get(message.channel()), message);
            tellAll(messageListeners, message);
        });
    }

    void presence(PresenceEvent event) {
        dispatcher.dispatch(() -> {
            tellAll(channelPresenceListeners.get(event.channel()), event);
            tellAll(presenceListeners, event);
        });
    }

    void state(ConnectionState state) {
        dispatcher.dispatch(() -> tellAll(stateListeners, state));
    }

    void continuityLost(String channel) {
        dispatcher.dispatch(() -> tellAll(continuityListeners, channel));
    }

    /** Tells the channel-dropped listeners, then the error listeners, in one event. */
    void channelDropped(ChannelDropped dropped) {
        dispatcher.dispatch(() -> {
            tellAll(channelDroppedListeners, dropped);
            reportError(dropped.reason());
        });
    }

    void error(Throwable error) {
        dispatcher.dispatch(() -> reportError(error));
    }

    /** Events queued and not yet handled: the connection stops reading while it is high. */
    int backlog() {
        return dispatcher.backlog();
    }

    /** Lets the queued events run, then stops the thread. */
    void shutdown() {
        dispatcher.shutdown();
    }

    private <T> void tellAll(List<Consumer<T>> listeners, T event) {
        if (listeners == null) {
            return;
        }
        for (Consumer<T> l : listeners) {
            try {
                l.accept(event);
            } catch (RuntimeException e) {
                listenerFailed(e);
            }
        }
    }

    private void listenerFailed(Throwable error) {
        reportError(new IllegalStateException("listener threw: " + error, error));
    }

    /** Runs on the dispatcher thread. */
    private void reportError(Throwable error) {
        if (errorListeners.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "Heliograph client error (no onError listener)", error);
            return;
        }
        for (Consumer<Throwable> l : errorListeners) {
            try {
                l.accept(error);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "onError listener threw", e);
            }
        }
    }
}
