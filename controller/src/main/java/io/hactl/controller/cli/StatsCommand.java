package io.hactl.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hactl stats}: every counter. */
@Command(name = "stats", description = "Print every counter, zero included: messages, losses, drops per reason, kernel events, control socket (conntrackd -s).")
public final class StatsCommand extends ClientCommand {
    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    ObjectNode request() {
        return cmd("stats");
    }

    @Override
    int render(JsonNode result, PrintWriter out) {
        if (json) {
            out.println(result.toPrettyString());
        } else {
            result.fields().forEachRemaining(e -> out.printf("%-32s %d%n", e.getKey(), e.getValue().asLong()));
        }
        return ExitCodes.OK;
    }
}
