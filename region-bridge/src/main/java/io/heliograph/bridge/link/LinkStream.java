package io.heliograph.bridge.link;

import io.grpc.Status;
import io.grpc.stub.CallStreamObserver;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.heliograph.bridge.v1.LinkFrame;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The outgoing side of one Link stream, shared by the two halves that may use it: the {@link SenderSession} that
 * streams this region's outbound log and the {@link ReceiverSession} that acknowledges the peer's. A gRPC
 * {@code StreamObserver} is not thread-safe, so every frame goes out under one lock; gRPC takes one on-ready handler,
 * so this one hands readiness to every half that asked. The same for both ends of a call: the dialler's (a client
 * call, ended by cancelling it) and the accepting one's (a server call, ended with a status).
 */
abstract sealed class LinkStream {

    private final CallStreamObserver<LinkFrame> out;
    private final List<Runnable> whenReady = new CopyOnWriteArrayList<>();
    /** Half-closed or failed from this side: nothing more goes out. */
    private boolean ended;
    private boolean failed;

    private LinkStream(CallStreamObserver<LinkFrame> out) {
        this.out = out;
    }

    /** The accepting end; registers gRPC's handlers, so it is made while the service's {@code link} call runs. */
    static LinkStream accepted(ServerCallStreamObserver<LinkFrame> responses, Runnable cancelled) {
        Accepted stream = new Accepted(responses);
        responses.setOnReadyHandler(stream::ready);
        responses.setOnCancelHandler(cancelled);
        responses.disableAutoRequest();
        return stream;
    }

    /**
     * The dialling end, from {@code beforeStart}. {@code manualFlow}: frames in are asked for one by one (a
     * {@link ReceiverSession} receives on this stream and paces the peer by what it has stored); otherwise gRPC asks
     * for every frame as it comes (only acknowledgements and heartbeats arrive).
     */
    static LinkStream dialled(ClientCallStreamObserver<LinkFrame> requests, boolean manualFlow) {
        Dialled stream = new Dialled(requests);
        requests.setOnReadyHandler(stream::ready);
        if (manualFlow) {
            // The peer's Hello first; the window opens once it is admitted.
            requests.disableAutoRequestWithInitial(1);
        }
        return stream;
    }

    /** Sends one frame, unless the stream was ended from this side. */
    final synchronized void send(LinkFrame frame) {
        if (!ended) {
            out.onNext(frame);
        }
    }

    final boolean isReady() {
        return out.isReady();
    }

    /** Asks gRPC for {@code frames} more frames in (manual flow control only). */
    final void request(int frames) {
        try {
            out.request(frames);
        } catch (RuntimeException callEnded) {
            // The call ended meanwhile; nothing more will come on it.
        }
    }

    /** {@code listener} runs whenever the stream becomes ready for more frames out (on a gRPC thread). */
    final void whenReady(Runnable listener) {
        whenReady.add(listener);
    }

    final void ready() {
        for (Runnable listener : whenReady) {
            listener.run();
        }
    }

    /**
     * Ends the call with {@code status}: the peer reconnects (or, refused, backs off). Once; later calls do nothing.
     * Also after a half-close, so that a dialler does not wait on a peer that never ends its side.
     */
    final synchronized void fail(Status status) {
        if (failed) {
            return;
        }
        failed = true;
        ended = true;
        try {
            failCall(status);
        } catch (IllegalStateException alreadyClosed) {
            // The call ended from the other side meanwhile.
        }
    }

    /** Half-closes the call from this side: nothing more goes out. */
    final synchronized void complete() {
        if (ended) {
            return;
        }
        ended = true;
        try {
            out.onCompleted();
        } catch (IllegalStateException alreadyClosed) {
            // The call ended from the other side meanwhile.
        }
    }

    abstract void failCall(Status status);

    private static final class Accepted extends LinkStream {
        private final ServerCallStreamObserver<LinkFrame> responses;

        private Accepted(ServerCallStreamObserver<LinkFrame> responses) {
            super(responses);
            this.responses = responses;
        }

        @Override
        void failCall(Status status) {
            responses.onError(status.asRuntimeException());
        }
    }

    private static final class Dialled extends LinkStream {
        private final ClientCallStreamObserver<LinkFrame> requests;

        private Dialled(ClientCallStreamObserver<LinkFrame> requests) {
            super(requests);
            this.requests = requests;
        }

        @Override
        void failCall(Status status) {
            requests.cancel(status.getCode() + ": " + status.getDescription(), status.getCause());
        }
    }
}
