package io.heliograph.launcher.process;

import java.util.concurrent.locks.LockSupport;

/**
 * A tiny child process for {@link ManagedProcessTest}, run with the test's own java. Its arguments are steps, done in
 * order: {@code say:<text>} prints a line, {@code lines:<n>} prints {@code line 1..n}, {@code on-term:<text>} prints
 * the text when SIGTERM comes and exits, {@code ignore-term} prints {@code term received} when SIGTERM comes and
 * never exits, {@code exit:<code>} exits, {@code tick:<ms>} prints {@code tick 1}, {@code tick 2}, ... forever,
 * {@code wait} waits forever.
 */
public final class ChildMain {

    private ChildMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        for (String step : args) {
            String value = step.substring(step.indexOf(':') + 1);
            switch (step.substring(0, step.contains(":") ? step.indexOf(':') : step.length())) {
                case "say" -> say(value);
                case "lines" -> {
                    for (int i = 1; i <= Integer.parseInt(value); i++) {
                        say("line " + i);
                    }
                }
                case "on-term" -> Runtime.getRuntime().addShutdownHook(new Thread(() -> say(value)));
                case "ignore-term" -> Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    say("term received");
                    while (true) {
                        LockSupport.park();
                    }
                }));
                case "exit" -> System.exit(Integer.parseInt(value));
                case "tick" -> {
                    for (long i = 1; ; i++) {
                        say("tick " + i);
                        Thread.sleep(Long.parseLong(value));
                    }
                }
                case "wait" -> {
                    while (true) {
                        Thread.sleep(60_000);
                    }
                }
                default -> throw new IllegalArgumentException("unknown step " + step);
            }
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
