package io.heliograph.meshctl;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * What every subcommand that talks to the control plane shares: {@link ControlPlaneOptions} (also accepted before
 * the command's name, by {@link MeshctlCommand}),
 * {@code --json} (print the answer's body exactly as it came), and, for changes, the admin token checked before any
 * request is made.
 */
abstract class ControlPlaneCommand implements Callable<Integer> {

    @ParentCommand
    MeshctlCommand meshctl;

    @Spec
    CommandSpec spec;

    @Mixin
    ControlPlaneOptions options = new ControlPlaneOptions();

    @Option(names = "--json", description = "Print the control plane's JSON answer as it came.")
    boolean json;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    ControlPlaneClient controlPlane() {
        return meshctl.controlPlane(spec.commandLine(), effectiveOptions());
    }

    /** The options given after the command's name, else those given before it. */
    private ControlPlaneOptions effectiveOptions() {
        return options.over(meshctl.options);
    }

    /** Prints {@code --json}'s body, else {@code text}. */
    void print(ControlPlaneClient.Answer answer, String text) {
        String body = json ? answer.body() : text;
        out().print(body.endsWith("\n") ? body : body + "\n");
        out().flush();
    }

    /**
     * A change: the admin token first (exit 1 without one, before any request), then {@code POST path body}; prints
     * the {@code event} it answers.
     */
    Integer change(String path, Map<String, ?> body) {
        String adminToken = meshctl.requireAdminToken(effectiveOptions());
        ControlPlaneClient controlPlane = controlPlane();
        ControlPlaneClient.Answer answer = controlPlane.post(path, body, adminToken);
        var event = answer.json().path("event");
        print(answer, event.isObject() ? EventText.line(event) : "done: " + answer.body().strip());
        return 0;
    }

    /** A JSON body with the non-null entries of {@code keysAndValues} in order. */
    static Map<String, String> body(String... keysAndValues) {
        Map<String, String> body = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                body.put(keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return body;
    }
}
