package io.heliograph.meshctl;

import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meshctl route --near <region>}: where the control plane sends a client ({@code GET /v1/route}). */
@Command(name = "route", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"The region a client near <region> is sent to, why, and its edges (GET /v1/route): the"
                + " region itself when healthy, else the next healthy one of its preference. Without --near the"
                + " control plane's default region."})
final class RouteCommand extends ControlPlaneCommand {

    @Option(names = "--near", paramLabel = "REGION", description = "The region the client is near.")
    String near;

    @Override
    public Integer call() {
        Map<String, String> query = new HashMap<>();
        query.put("near", near);
        ControlPlaneClient.Answer answer = controlPlane().get("/v1/route", query);
        print(answer, json ? null : render(answer.json()));
        return 0;
    }

    private static String render(JsonNode route) {
        StringBuilder out = new StringBuilder();
        out.append(RegionsReport.orDash(RegionsReport.text(route, "region"))).append(" (")
                .append(RegionsReport.orDash(RegionsReport.text(route, "reason"))).append("), mesh table version ")
                .append(RegionsReport.orDash(RegionsReport.text(route, "tableVersion"))).append('\n');
        TextTable edges = new TextTable("EDGE", "WS", "HTTP");
        for (JsonNode edge : route.path("edges")) {
            edges.row(RegionsReport.text(edge, "id"), RegionsReport.text(edge, "ws"), RegionsReport.text(edge, "http"));
        }
        out.append(edges.isEmpty() ? "no edges\n" : edges.render());
        return out.toString();
    }
}
