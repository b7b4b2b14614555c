package io.heliograph.bridge.link;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.heliograph.bridge.v1.LinkFrame;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** Frames and the end of a raw Link stream, for tests that speak the protocol by hand. */
final class BridgeTestingInbox implements StreamObserver<LinkFrame> {

    final BlockingQueue<LinkFrame> frames = new LinkedBlockingQueue<>();
    final BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();

    @Override
    public void onNext(LinkFrame frame) {
        frames.add(frame);
    }

    @Override
    public void onError(Throwable error) {
        errors.add(error);
    }

    @Override
    public void onCompleted() {
    }

    Status awaitError(Duration timeout) throws InterruptedException {
        Throwable error = errors.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (error == null) {
            fail("the stream did not fail within " + timeout + "; frames: " + frames);
        }
        return Status.fromThrowable(error);
    }
}
