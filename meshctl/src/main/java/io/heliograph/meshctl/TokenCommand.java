package io.heliograph.meshctl;

import java.time.Duration;
import java.util.concurrent.Callable;

import io.heliograph.protocol.auth.Tokens;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code meshctl token}: mints a client JWT with the deployment secret, locally (no control plane), through
 * protocol's {@link Tokens}, so that it is exactly what the edge verifies. Standard output carries the token alone.
 */
@Command(name = "token", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Mints a client token (HS256 JWT) with the deployment secret and prints it. Needs no control"
                + " plane.",
                "Example: meshctl token --sub alice --caps '" + CapsClaim.EXAMPLE + "' --ttl 1h"})
final class TokenCommand implements Callable<Integer> {

    /** The longest lifetime meshctl mints: a client token is for a session or a day, not for a year and more. */
    static final Duration MAX_TTL = Duration.ofDays(365);

    @ParentCommand
    MeshctlCommand meshctl;

    @Spec
    CommandSpec spec;

    @Option(names = "--sub", required = true, paramLabel = "CLIENT-ID",
            description = "The client id (the sub claim), 1 to 256 characters.")
    String subject;

    @Option(names = "--caps", required = true, paramLabel = "JSON", converter = CapsClaim.Converter.class,
            description = "The caps claim: a JSON object mapping channel patterns (* matches any run of characters)"
                    + " to lists of operations: subscribe, publish, presence, history, or *.")
    CapsClaim caps;

    @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "1h", converter = DurationText.Converter.class,
            description = "How long the token is valid, e.g. 15m, 1h, 7d (at most 365d; default: ${DEFAULT-VALUE}).")
    Duration ttl;

    @Option(names = "--secret", paramLabel = "SECRET",
            description = "The deployment secret, at least 16 characters (default: $" + MeshctlCommand.JWT_SECRET_ENV
                    + "; the variable keeps it out of the process list).")
    String secret;

    @Override
    public Integer call() {
        if (subject.isEmpty() || subject.length() > 256) {
            throw new ParameterException(spec.commandLine(), "--sub: the client id must be 1 to 256 characters; got "
                    + subject.length());
        }
        if (ttl.compareTo(MAX_TTL) > 0) {
            throw new ParameterException(spec.commandLine(), "--ttl: " + DurationText.format(ttl) + " is longer than"
                    + " the most meshctl mints, 365d");
        }
        Tokens tokens = new Tokens(secret(), meshctl.clock());
        spec.commandLine().getOut().println(tokens.mint(subject, ttl, caps.grants()));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** From --secret (a short one is a usage error), else the environment (a short one fails, exit 1). */
    private String secret() {
        if (secret != null) {
            if (secret.length() < 16) {
                throw new ParameterException(spec.commandLine(), "--secret: the JWT secret must be at least 16"
                        + " characters; got " + secret.length());
            }
            return secret;
        }
        String fromEnv = meshctl.environment(MeshctlCommand.JWT_SECRET_ENV);
        if (!MeshctlCommand.present(fromEnv)) {
            throw new MeshctlException.MissingCredential("no JWT secret: pass --secret or set "
                    + MeshctlCommand.JWT_SECRET_ENV);
        }
        if (fromEnv.length() < 16) {
            throw new MeshctlException.MissingCredential(MeshctlCommand.JWT_SECRET_ENV + " is " + fromEnv.length()
                    + " characters; the JWT secret must be at least 16");
        }
        return fromEnv;
    }
}
