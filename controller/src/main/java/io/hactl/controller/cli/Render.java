package io.hactl.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.hactl.controller.control.CommitReport;
import io.hactl.controller.control.ControlProtocol;
import java.io.PrintWriter;

/** How the one-line operations print their results. */
final class Render {
    private Render() {}

    static int commit(JsonNode result, PrintWriter out) {
        CommitReport r;
        try {
            r = ControlProtocol.JSON.treeToValue(result, CommitReport.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the daemon's commit answer does not read: " + e.getOriginalMessage(), e);
        }
        out.printf("committed %d of %d flows in %d ms%s%n", r.written() + r.replaced(), r.flows(), r.millis(),
                r.replaced() > 0 ? " (" + r.replaced() + " replaced)" : "");
        if (!r.ok()) {
            out.println("failed: " + ControlProtocol.JSON.valueToTree(r.failures()));
            return ExitCodes.FAILED;
        }
        return ExitCodes.OK;
    }

    static int resync(JsonNode r, PrintWriter out) {
        out.printf("internal cache resynced from the kernel: %d flows%n", r.asLong());
        return ExitCodes.OK;
    }

    static int bulkSend(JsonNode r, PrintWriter out) {
        out.printf("bulk send of %d flows queued for the peer%n", r.asLong());
        return ExitCodes.OK;
    }

    static int requestResync(JsonNode r, PrintWriter out) {
        out.println("resync requested from the peer");
        return ExitCodes.OK;
    }

    static int purge(JsonNode r, PrintWriter out) {
        out.printf("purge of the peer's flows it no longer has scheduled in %d s (a commit or flush cancels it;"
                + " it runs only on BACKUP or FAULT)%n", r.asLong());
        return ExitCodes.OK;
    }
}
