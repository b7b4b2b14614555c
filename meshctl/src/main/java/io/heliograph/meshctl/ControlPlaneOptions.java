package io.heliograph.meshctl;

import java.time.Duration;

import picocli.CommandLine.Option;

/**
 * The options that say which control plane to talk to and how: mixed into {@code meshctl} itself and into every
 * command that talks to the control plane, so they are accepted before or after the command's name (the command's
 * own wins) and {@code token}, which needs no control plane, does not list them.
 */
final class ControlPlaneOptions {

    /** The wait when {@code --timeout} is not given. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    @Option(names = "--control-plane", paramLabel = "URL",
            description = "The control plane's base URL (default: $" + MeshctlCommand.CONTROL_PLANE_ENV + ", else "
                    + MeshctlCommand.DEFAULT_CONTROL_PLANE + ").")
    String controlPlane;

    @Option(names = "--admin-token", paramLabel = "TOKEN",
            description = "The admin token that changes need (default: $" + MeshctlCommand.ADMIN_TOKEN_ENV
                    + "; the variable keeps it out of the process list).")
    String adminToken;

    // No defaultValue: an unset option must not hide the one given before the command's name.
    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationText.Converter.class,
            description = "Longest wait for connecting and for each answer, such as 500ms, 10s or 1m (default: 10s).")
    Duration timeout;

    /** These options where given, else {@code outer}'s. */
    ControlPlaneOptions over(ControlPlaneOptions outer) {
        ControlPlaneOptions merged = new ControlPlaneOptions();
        merged.controlPlane = controlPlane != null ? controlPlane : outer.controlPlane;
        merged.adminToken = adminToken != null ? adminToken : outer.adminToken;
        merged.timeout = timeout != null ? timeout : outer.timeout;
        return merged;
    }

    Duration timeoutOrDefault() {
        return timeout != null ? timeout : DEFAULT_TIMEOUT;
    }
}
