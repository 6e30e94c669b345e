package io.hactl.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code hactl flush [internal|external]}. */
@Command(name = "flush", description = "Empty the internal, the external or both caches (conntrackd -f).")
public final class FlushCommand extends ClientCommand {
    enum Which { internal, external, both }

    @Parameters(arity = "0..1", paramLabel = "CACHE", description = "internal, external or both (default).",
            defaultValue = "both")
    Which which;

    @Override
    ObjectNode request() {
        ObjectNode r = cmd("flush");
        r.put("cache", which.name());
        return r;
    }

    @Override
    int render(JsonNode result, PrintWriter out) {
        out.printf("flushed %s cache%s: %d flows%n", which, which == Which.both ? "s" : "", result.asLong());
        return ExitCodes.OK;
    }
}
