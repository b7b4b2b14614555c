package io.heliograph.edge.delivery;

/** What delivery counts; implemented by the node's metrics. */
public interface DeliveryMetrics {

    void delivered(int frames);

    /** Messages dropped for a subscriber that could not keep up (the subscriber is disconnected and resumes). */
    void droppedSlowConsumer(int messages);

    /** Messages not delivered to, or thrown out of the queue of, a connection that was closing (its client resumes). */
    void droppedConnectionClosed(int messages);

    /** A message received for a channel without local subscribers (interest not yet withdrawn). */
    void droppedNoSubscribers();

    /** A gap in a channel's stream that was filled from history. */
    void gapFilled();

    /** A gap that history could no longer fill: continuity was lost on this node. */
    void gapUnrecoverable();

    /** A history read of a stream repair failed and will be retried. */
    void repairRetried();

    /** A stream repair gave up after repeated failures; the affected subscribers were closed to resume. */
    void repairFailed();

    DeliveryMetrics NONE = new DeliveryMetrics() {
        @Override
        public void delivered(int frames) {
        }

        @Override
        public void droppedSlowConsumer(int messages) {
        }

        @Override
        public void droppedConnectionClosed(int messages) {
        }

        @Override
        public void droppedNoSubscribers() {
        }

        @Override
        public void gapFilled() {
        }

        @Override
        public void gapUnrecoverable() {
        }

        @Override
        public void repairRetried() {
        }

        @Override
        public void repairFailed() {
        }
    };
}
