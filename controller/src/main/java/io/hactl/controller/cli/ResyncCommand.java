package io.hactl.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Command;

/** {@code hactl resync}. */
@Command(name = "resync", description = "Reload the internal cache from the kernel table (conntrackd -R).")
public final class ResyncCommand extends ClientCommand {
    @Override
    Duration timeout() {
        return atLeastSeconds(60);
    }

    @Override
    ObjectNode request() {
        return cmd("resync");
    }

    @Override
    int render(JsonNode result, PrintWriter out) {
        return Render.resync(result, out);
    }
}
