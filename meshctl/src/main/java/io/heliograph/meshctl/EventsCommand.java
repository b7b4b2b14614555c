package io.heliograph.meshctl;

import java.util.HashMap;
import java.util.Map;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code meshctl events [--since N]}: the control plane's audit log ({@code GET /v1/events}). */
@Command(name = "events", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"The audit log: every change and every automatic failover, with who, when and the epochs"
                + " before and after (GET /v1/events)."})
final class EventsCommand extends ControlPlaneCommand {

    @Option(names = "--since", paramLabel = "SEQ",
            description = "Only the events after sequence number SEQ (default: all the control plane keeps).")
    Long since;

    @Override
    public Integer call() {
        if (since != null && since < 0) {
            throw new ParameterException(spec.commandLine(), "--since: " + since + " is negative");
        }
        Map<String, String> query = new HashMap<>();
        query.put("since", since == null ? null : Long.toString(since));
        ControlPlaneClient.Answer answer = controlPlane().get("/v1/events", query);
        print(answer, json ? null : EventText.table(answer.json().path("events")));
        return 0;
    }
}
