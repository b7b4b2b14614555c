package io.heliograph.edge.delivery;

/** A local receiver of a channel's frames: a client connection. */
public interface Subscriber {

    String connectionId();

    /**
     * Queues a frame without blocking. Answers false when the subscriber cannot keep up; it then closes itself and
     * its client resumes from its last serial.
     */
    boolean offer(OutboundFrame frame);

    default boolean offer(String text) {
        return offer(OutboundFrame.of(text));
    }
}
