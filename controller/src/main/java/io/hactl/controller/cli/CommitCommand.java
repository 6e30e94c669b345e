package io.hactl.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Command;

/** {@code hactl commit}. */
@Command(name = "commit", description = "Load the external cache into the kernel (conntrackd -c).")
public final class CommitCommand extends ClientCommand {
    @Override
    Duration timeout() {
        return atLeastSeconds(120);
    }

    @Override
    ObjectNode request() {
        return cmd("commit");
    }

    @Override
    int render(JsonNode result, PrintWriter out) {
        return Render.commit(result, out);
    }
}
