package io.hactl.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Command;

/** {@code hactl request-resync}. */
@Command(name = "request-resync", description = "Ask the peer to send its whole internal cache (conntrackd -n).")
public final class RequestResyncCommand extends ClientCommand {
    @Override
    Duration timeout() {
        return atLeastSeconds(5);
    }

    @Override
    ObjectNode request() {
        return cmd("request-resync");
    }

    @Override
    int render(JsonNode result, PrintWriter out) {
        return Render.requestResync(result, out);
    }
}
