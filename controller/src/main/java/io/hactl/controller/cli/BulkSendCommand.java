package io.hactl.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Command;

/** {@code hactl bulk-send}. */
@Command(name = "bulk-send", description = "Send the whole internal cache to the peer (conntrackd -B).")
public final class BulkSendCommand extends ClientCommand {
    @Override
    Duration timeout() {
        return atLeastSeconds(30);
    }

    @Override
    ObjectNode request() {
        return cmd("bulk-send");
    }

    @Override
    int render(JsonNode result, PrintWriter out) {
        return Render.bulkSend(result, out);
    }
}
