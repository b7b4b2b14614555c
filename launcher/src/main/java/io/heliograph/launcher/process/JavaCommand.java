package io.heliograph.launcher.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a Java main run as a child process: {@code prefix... java jvmOptions... -cp classpath
 * mainClass args...}. The prefix is for commands that exec the rest (such as {@code ip netns exec <ns>}), so that
 * the started process is still the JVM itself and signals reach it.
 */
public record JavaCommand(List<String> prefix, String java, List<String> jvmOptions, String classpath,
                          String mainClass, List<String> args) {

    public JavaCommand {
        prefix = List.copyOf(prefix);
        jvmOptions = List.copyOf(jvmOptions);
        args = List.copyOf(args);
    }

    /** The java binary of the JVM running this code. */
    public static String currentJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public List<String> toList() {
        List<String> command = new ArrayList<>(prefix);
        command.add(java);
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        return command;
    }
}
