package io.hactl.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Command;

/** {@code hactl purge}. */
@Command(name = "purge", description = "Schedule the removal of replicated flows from the kernel after purge-timeout (conntrackd -t).")
public final class PurgeCommand extends ClientCommand {
    @Override
    Duration timeout() {
        return atLeastSeconds(5);
    }

    @Override
    ObjectNode request() {
        return cmd("purge");
    }

    @Override
    int render(JsonNode result, PrintWriter out) {
        return Render.purge(result, out);
    }
}
