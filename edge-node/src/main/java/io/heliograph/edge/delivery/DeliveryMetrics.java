package io.heliograph.edge.delivery;

/** What delivery counts; implemented by the node's metrics. */
public interface DeliveryMetrics {

    void delivered(int frames);

    /** A message dropped for a subscriber that could not keep up (the subscriber is disconnected). */
    void droppedSlowConsumer();

    /** A message received for a channel without local subscribers (interest not yet withdrawn). */
    void droppedNoSubscribers();

    /** A gap in a channel's stream that was filled from history. */
    void gapFilled();

    /** A gap that history could no longer fill: continuity was lost on this node. */
    void gapUnrecoverable();

    DeliveryMetrics NONE = new DeliveryMetrics() {
        @Override
        public void delivered(int frames) {
        }

        @Override
        public void droppedSlowConsumer() {
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
    };
}
