package io.heliograph.meshctl;

import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code meshctl}: the SRE's CLI over the control plane's public API (docs/control-plane.md). Exit codes: 0 ok; 1
 * refused or failed (the control plane answered 4xx/5xx, could not be reached, or a credential is missing); 2 usage
 * error (unknown command or option, missing or invalid argument), with the usage on standard error.
 */
@Command(name = "meshctl", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Sees and steers a Heliograph mesh through its control plane.",
        subcommands = {StatusCommand.class, RouteCommand.class, FailoverCommand.class, RestoreCommand.class,
                DrainNodeCommand.class, EventsCommand.class, TokenCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok; 1 refused or failed; 2 usage error.",
                "Environment: HELIOGRAPH_CONTROL_PLANE, HELIOGRAPH_ADMIN_TOKEN, HELIOGRAPH_JWT_SECRET."})
public final class MeshctlCommand implements Callable<Integer> {

    /**
     * Where the control plane is looked for when neither the option nor the environment names it. Neither
     * docs/control-plane.md nor {@code ./mesh up}'s port plan (launcher's MeshPlan: base port .. base + 1999, so
     * 8080 .. 10079 by default) reserves a control-plane port yet; 7070 lies outside the default plan.
     */
    public static final String DEFAULT_CONTROL_PLANE = "http://127.0.0.1:7070";
    public static final String CONTROL_PLANE_ENV = "HELIOGRAPH_CONTROL_PLANE";
    public static final String ADMIN_TOKEN_ENV = "HELIOGRAPH_ADMIN_TOKEN";
    public static final String JWT_SECRET_ENV = "HELIOGRAPH_JWT_SECRET";

    @Mixin
    ControlPlaneOptions options = new ControlPlaneOptions();

    @Spec
    CommandSpec spec;

    private final Map<String, String> environment;
    private final InstantSource clock;

    /** Reads the process environment and the system clock. */
    public MeshctlCommand() {
        this(System.getenv(), InstantSource.system());
    }

    /** For tests: the environment variables and the clock {@code token} mints with. */
    public MeshctlCommand(Map<String, String> environment, InstantSource clock) {
        this.environment = Map.copyOf(environment);
        this.clock = clock;
    }

    public static void main(String[] args) {
        System.exit(commandLine(new MeshctlCommand()).execute(args));
    }

    /**
     * The command line as {@code main} runs it: failures of a command are one line on standard error and exit 1;
     * usage errors print the usage and exit 2 (picocli's default).
     */
    public static CommandLine commandLine(MeshctlCommand command) {
        CommandLine line = new CommandLine(command);
        // Wider than picocli's 80 columns, so that the URLs in the option descriptions are not broken at their ':'.
        line.setUsageHelpWidth(100);
        // '@' is a channel-name and client-id character: "--sub @ops" is a value, never a file of arguments.
        line.setExpandAtFiles(false);
        line.setExecutionExceptionHandler(MeshctlCommand::handleFailure);
        line.setParameterExceptionHandler(MeshctlCommand::handleUsageError);
        return line;
    }

    /** Runs {@code args} in this JVM with the given streams; returns the exit code. */
    public static int run(MeshctlCommand command, PrintWriter out, PrintWriter err, String... args) {
        CommandLine line = commandLine(command);
        line.setOut(out);
        line.setErr(err);
        try {
            return line.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The reason, picocli's suggestions if any, then always the usage of the command at fault: exit 2. */
    private static int handleUsageError(ParameterException e, String[] args) {
        CommandLine line = e.getCommandLine();
        PrintWriter err = line.getErr();
        err.println(line.getCommandSpec().qualifiedName() + ": " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println();
        line.usage(err, line.getColorScheme());
        err.flush();
        return CommandLine.ExitCode.USAGE;
    }

    private static int handleFailure(Exception e, CommandLine line, CommandLine.ParseResult parseResult) {
        PrintWriter err = line.getErr();
        if (e instanceof MeshctlException failure) {
            err.println("meshctl: " + failure.getMessage());
        } else {
            // Not a failure meshctl knows: a bug, so the whole trace.
            err.println("meshctl: unexpected error: " + e);
            e.printStackTrace(err);
        }
        err.flush();
        return CommandLine.ExitCode.SOFTWARE;
    }

    /** Without a subcommand: a usage error. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command: one of status, route, failover, restore,"
                + " drain-node, events, token (meshctl --help)");
    }

    /**
     * The control plane's client for a command with {@code options} (already merged over this command's): the URL
     * from the option, else the environment, else the default.
     *
     * @throws ParameterException when the URL given is not an http(s) URL
     */
    ControlPlaneClient controlPlane(CommandLine caller, ControlPlaneOptions options) {
        String url;
        String source;
        if (options.controlPlane != null) {
            url = options.controlPlane;
            source = "--control-plane";
        } else if (present(environment.get(CONTROL_PLANE_ENV))) {
            url = environment.get(CONTROL_PLANE_ENV).trim();
            source = CONTROL_PLANE_ENV;
        } else {
            url = DEFAULT_CONTROL_PLANE;
            source = "the default";
        }
        return new ControlPlaneClient(baseUri(caller, url, source), options.timeoutOrDefault(),
                VersionProvider.version());
    }

    private static URI baseUri(CommandLine caller, String url, String source) {
        try {
            URI uri = new URI(url);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getQuery() == null && uri.getFragment() == null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // Reported below with the same message as any other bad URL.
        }
        throw new ParameterException(caller, source + ": '" + url + "' is not an http:// or https:// URL such as "
                + DEFAULT_CONTROL_PLANE);
    }

    /**
     * The admin token from the option ({@code options}, merged over this command's), else the environment.
     *
     * @throws MeshctlException.MissingCredential when neither gives one, before any request is made
     */
    String requireAdminToken(ControlPlaneOptions options) {
        if (present(options.adminToken)) {
            return options.adminToken;
        }
        String fromEnv = environment.get(ADMIN_TOKEN_ENV);
        if (present(fromEnv)) {
            return fromEnv.trim();
        }
        throw new MeshctlException.MissingCredential(
                "no admin token: pass --admin-token or set " + ADMIN_TOKEN_ENV);
    }

    String environment(String name) {
        return environment.get(name);
    }

    InstantSource clock() {
        return clock;
    }

    static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
