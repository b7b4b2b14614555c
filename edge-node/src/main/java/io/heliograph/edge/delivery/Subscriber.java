package io.heliograph.edge.delivery;

/** A local receiver of a channel's frames: a client connection. */
public interface Subscriber {

    /** What became of a frame offered to a subscriber. */
    enum Offer {
        /** Queued for the socket. */
        QUEUED,
        /** The outbound queue is full: the subscriber cannot keep up, and closes itself (1013). */
        FULL,
        /** The subscriber is closing or closed; its client resumes from its last serial elsewhere. */
        CLOSED
    }

    /** Why delivery gives a subscriber up; the subscriber closes so that its client reconnects and resumes. */
    enum Abandon {
        /** Its queue did not drain while history was streamed to it. */
        SLOW,
        /** Its stream could not be repaired from history (region storage kept failing). */
        REPAIR_FAILED
    }

    String connectionId();

    /** Queues a frame without blocking. */
    Offer offer(OutboundFrame frame);

    default Offer offer(String text) {
        return offer(OutboundFrame.of(text));
    }

    /**
     * Waits until the outbound queue can take {@code frames} more frames of {@code bytes} bytes while staying at most
     * half full (or is empty), so that history is streamed at the socket's pace. Answers false when the subscriber
     * closed or the time ran out.
     */
    boolean awaitRoom(int frames, long bytes, long timeoutNs) throws InterruptedException;

    /** Closes the subscriber's connection so that its client resumes from its last serial. */
    void abandon(Abandon why);
}
