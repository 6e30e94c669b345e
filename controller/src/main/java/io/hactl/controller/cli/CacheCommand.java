package io.hactl.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hactl cache internal|external}. */
@Command(name = "cache", description = "List the flows of the internal or external cache (conntrackd -i / -e).")
public final class CacheCommand extends ClientCommand {
    enum Which { internal, external }

    @Parameters(paramLabel = "CACHE", description = "internal or external.")
    Which which;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    Duration timeout() {
        return atLeastSeconds(30);
    }

    @Override
    ObjectNode request() {
        ObjectNode r = cmd("cache");
        r.put("cache", which.name());
        return r;
    }

    @Override
    int render(JsonNode result, PrintWriter out) {
        if (json) {
            out.println(result.toPrettyString());
        } else {
            result.forEach(f -> out.println(f.asText()));
            out.printf("%d flows in the %s cache%n", result.size(), which);
        }
        return ExitCodes.OK;
    }
}
