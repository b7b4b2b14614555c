package io.heliograph.bridge.process;

import java.util.concurrent.CountDownLatch;

/**
 * {@code java -cp … io.heliograph.bridge.process.BridgeMain --config=bridge.yaml --replica-id=us-east-b1}: one
 * bridge replica. Prints {@code bridge <region> <replica-id> <bridge-url> <http-url> <holder|standby>} on stdout when
 * ready; exits 1 with one line on stderr when it cannot start; on SIGTERM releases the lease (the standby takes over
 * at once) and exits 0.
 */
public final class BridgeMain {

    private BridgeMain() {
    }

    public static void main(String[] args) {
        BridgeProcess process;
        try {
            process = BridgeProcess.start(BridgeConfigLoader.load(args, System.getenv()));
        } catch (RuntimeException e) {
            System.err.println("bridge: cannot start: " + describe(e));
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("bridge-shutdown").unstarted(() -> {
            process.close();
            stopped.countDown();
        }));
        System.out.println(process.readyLine());
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The message, with its causes' where they add something (a bind failure's "Address already in use"). */
    static String describe(Throwable e) {
        StringBuilder out = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            String message = cause.getMessage();
            if (message != null && !out.toString().contains(message)) {
                out.append(": ").append(message);
            }
        }
        return out.toString();
    }
}
